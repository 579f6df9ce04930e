"""Value and delta of Uniswap v2 and v3 positions at arrays of prices.

v2 (50/50 constant product): value V0 sqrt(p / p0); the volatile-token
amount (the position's delta) is V / (2p).

v3 (Uniswap/v3-periphery LiquidityAmounts), range [pa, pb] and liquidity L,
with sp = sqrt(p) clipped to [sqrt(pa), sqrt(pb)]:
amount0 (volatile) = L (1/sp - 1/sqrt(pb)), amount1 (quote) = L (sp - sqrt(pa)),
value = amount0 p + amount1. Below the range the position is all volatile
token, above it all quote (delta 0).
"""
from __future__ import annotations

import math

import numpy as np

from .config import PoolSpec


def v2_value(value0: float, entry_price: float, price):
    """Value of a v2 position of ``value0`` opened at ``entry_price``."""
    return value0 * np.sqrt(np.asarray(price, dtype=np.float64) / entry_price)


def v2_amount0(value0: float, entry_price: float, price):
    """Volatile-token amount (delta) of a v2 position: V / (2p)."""
    price = np.asarray(price, dtype=np.float64)
    return v2_value(value0, entry_price, price) / (2.0 * price)


def v3_liquidity(value0: float, entry_price: float, low: float, high: float) -> float:
    """Liquidity L that a deposit of ``value0`` at ``entry_price`` buys in [low, high]."""
    return value0 / float(v3_value(1.0, low, high, entry_price))


def v3_amounts(liquidity: float, low: float, high: float, price):
    """(amount0, amount1) of a v3 position, out-of-range cases included."""
    sa, sb = math.sqrt(low), math.sqrt(high)
    sp = np.clip(np.sqrt(np.asarray(price, dtype=np.float64)), sa, sb)
    return liquidity * (1.0 / sp - 1.0 / sb), liquidity * (sp - sa)


def v3_value(liquidity: float, low: float, high: float, price):
    """Value in quote of a v3 position at ``price``."""
    amount0, amount1 = v3_amounts(liquidity, low, high, price)
    return amount0 * np.asarray(price, dtype=np.float64) + amount1


class PoolModel:
    """A pool position with its constants precomputed, for repeated evaluation.

    ``value_into`` and ``amount0_into`` write into caller-owned buffers so the
    engine's step loop allocates nothing.
    """

    def __init__(self, spec: PoolSpec):
        self.spec = spec
        self.kind = spec.kind
        if spec.kind == "v2":
            self._c = spec.value / math.sqrt(spec.entry_price)
        else:
            self.liquidity = v3_liquidity(spec.value, spec.entry_price, spec.low, spec.high)
            self._sa = math.sqrt(spec.low)
            self._sb = math.sqrt(spec.high)

    def value(self, price):
        out = np.empty(np.shape(price))
        return self.value_into(np.asarray(price, dtype=np.float64), out, np.empty_like(out))

    def amount0(self, price):
        out = np.empty(np.shape(price))
        return self.amount0_into(np.asarray(price, dtype=np.float64), out)

    def in_range(self, price):
        price = np.asarray(price, dtype=np.float64)
        if self.kind == "v2":
            return np.ones(price.shape, dtype=bool)
        return (price >= self.spec.low) & (price <= self.spec.high)

    def value_into(self, price: np.ndarray, out: np.ndarray, tmp: np.ndarray, factor: float = 1.0) -> np.ndarray:
        """Write ``factor`` x the position's value at ``price`` into ``out`` (``tmp`` is scratch)."""
        if self.kind == "v2":
            np.sqrt(price, out=out)
            out *= self._c * factor
            return out
        sp = tmp
        np.sqrt(price, out=sp)
        np.clip(sp, self._sa, self._sb, out=sp)
        # value = L ((1/sp - 1/sb) p + sp - sa)
        np.divide(1.0, sp, out=out)
        out -= 1.0 / self._sb
        out *= price
        out += sp
        out -= self._sa
        out *= self.liquidity * factor
        return out

    def amount0_into(self, price: np.ndarray, out: np.ndarray) -> np.ndarray:
        """Write the volatile-token amount at ``price`` into ``out``."""
        if self.kind == "v2":
            np.sqrt(price, out=out)
            np.divide(self._c / 2.0, out, out=out)
            return out
        np.sqrt(price, out=out)
        np.clip(out, self._sa, self._sb, out=out)
        np.divide(1.0, out, out=out)
        out -= 1.0 / self._sb
        out *= self.liquidity
        return out
