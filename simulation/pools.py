"""Value and delta of Uniswap v2 and v3 positions at arrays of prices, with
the formulas of hedgec.finance (the ones the validator sizes hedges with).

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

from hedgec import finance

from .config import PoolSpec


class PoolModel:
    """A pool position with its constants precomputed, for repeated evaluation.

    ``value`` and ``amount0`` are hedgec.finance's formulas. ``value_into`` and
    ``amount0_into`` compute the same in place, into caller-owned buffers, so
    the engine's step loop allocates nothing (tests pin them to ``value``).
    """

    def __init__(self, spec: PoolSpec):
        self.spec = spec
        self.kind = spec.kind
        if spec.kind == "v2":
            self._c = spec.value / math.sqrt(spec.entry_price)
        else:
            self.liquidity = finance.v3_liquidity(spec.value, spec.entry_price, spec.low, spec.high)
            self._sa = math.sqrt(spec.low)
            self._sb = math.sqrt(spec.high)

    def value(self, price):
        price = np.asarray(price, dtype=np.float64)
        spec = self.spec
        if self.kind == "v2":
            return finance.v2_value(spec.value, price / spec.entry_price)
        return finance.v3_value(self.liquidity, price, spec.low, spec.high)

    def amount0(self, price):
        price = np.asarray(price, dtype=np.float64)
        spec = self.spec
        if self.kind == "v2":
            return finance.v2_amount(spec.value, spec.entry_price, price)
        return finance.v3_amounts(self.liquidity, price, spec.low, spec.high)[0]

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
