"""Payoff of a strategy at the horizon over a grid of prices.

Each grid point assumes the price moved from the entry price to
``ratio x entry`` steadily (geometrically) over the horizon; the perps keep
their entry size (no rebalancing) and no venue is exploited. All payoffs are
profit and loss as a fraction of the pool deposit:

- ``hold``: keeping the tokens the pool was funded with;
- ``pool``: the pool alone, with its fees;
- ``hedged``: the pool with fees plus the perps with their funding and
  trading fees (a perp whose liquidation price lies between the entry and the
  horizon price is liquidated there and keeps only its residual equity);
- ``all_in``: ``hedged`` less cover premiums and gas.

For a v2 pool, a 100% short sized at entry and no fees or funding,
``hedged`` = -(sqrt(r) - 1)**2 / 2 and ``pool / hold - 1`` is the
impermanent loss 2 sqrt(r) / (1 + r) - 1.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hedgec import finance

from . import lending
from .config import PerpSpec, SimConfig
from .pools import PoolModel


@dataclass(frozen=True)
class GridResult:
    ratios: tuple[float, ...]
    prices: tuple[float, ...]
    entry_price: float
    deposit: float
    hold: tuple[float, ...]
    pool: tuple[float, ...]
    hedged: tuple[float, ...]
    all_in: tuple[float, ...]
    impermanent_loss: tuple[float, ...]
    liquidation_prices: tuple[float | None, ...]


def payoff_grid(config: SimConfig, ratios=None) -> GridResult:
    """Evaluate the four payoff curves at ``ratios`` (default ``config.grid``)."""
    ratios = np.asarray(config.grid if ratios is None else ratios, dtype=np.float64)
    spec = config.pool
    model = PoolModel(spec)
    p0, v0, years = spec.entry_price, spec.value, config.years
    prices = ratios * p0

    hold_value = _hold_value(model, prices)
    pool_value = model.value(prices)
    fees = spec.fee_apr * years * _mean_fee_base(model, spec, prices)
    perp_pnl = np.zeros_like(prices)
    for perp in config.perps:
        perp_pnl += perp_pnl_at(perp, p0, prices, years)

    for loan in config.loans:
        perp_pnl += lending.pnl_at(loan, prices, years, PATH_POINTS)
    pool_pnl = pool_value - v0 + fees
    hedged = pool_pnl + perp_pnl
    all_in = hedged - config.premiums - config.gas_cost
    return GridResult(
        ratios=_tup(ratios),
        prices=_tup(prices),
        entry_price=p0,
        deposit=v0,
        hold=_tup((hold_value - v0) / v0),
        pool=_tup(pool_pnl / v0),
        hedged=_tup(hedged / v0),
        all_in=_tup(all_in / v0),
        impermanent_loss=_tup(pool_value / hold_value - 1.0),
        liquidation_prices=tuple(liquidation_price(p, p0) for p in config.perps),
    )


def liquidation_price(perp: PerpSpec, entry_price: float) -> float | None:
    """The perp's isolated liquidation price (hedgec.finance: the one the
    validator reports); None when it can never be liquidated."""
    price = finance.liquidation_price(perp.side, perp.size, entry_price, perp.collateral, perp.mmf)
    return price if price > 0 else None


def perp_pnl_at(perp: PerpSpec, entry_price: float, prices: np.ndarray, years: float) -> np.ndarray:
    """P&L of a perp held from entry to ``prices`` over ``years``, funding included."""
    s = perp.sign * perp.size
    open_fee = perp.taker_fee * perp.size * entry_price
    mean_price = _log_mean(entry_price, prices)
    funding_received = -s * perp.funding_apr * years * mean_price
    pnl = s * (prices - entry_price) - open_fee + funding_received
    liq = liquidation_price(perp, entry_price)
    if liq is not None:
        crossed = prices >= liq if s < 0 else prices <= liq
        residual = max(0.0, (perp.mmf - perp.liquidation_fee) * perp.size * liq)
        pnl = np.where(crossed, residual - perp.collateral, pnl)
    return pnl


def _hold_value(model: PoolModel, prices: np.ndarray) -> np.ndarray:
    p0 = model.spec.entry_price
    amount0 = float(model.amount0(p0))
    amount1 = model.spec.value - amount0 * p0
    return amount0 * prices + amount1


PATH_POINTS = 256  # midpoints along each geometric path, for the fee average


def _mean_fee_base(model: PoolModel, spec, prices: np.ndarray) -> np.ndarray:
    """Mean pool value earning fees along a geometric path from entry to each
    price (v3: zero while out of range), as the Monte Carlo accrues them."""
    t = (np.arange(PATH_POINTS) + 0.5) / PATH_POINTS
    path = spec.entry_price * (prices[:, None] / spec.entry_price) ** t[None, :]
    value = model.value(path)
    if spec.kind == "v3":
        value = value * ((path >= spec.low) & (path <= spec.high))
    return value.mean(axis=1)


def _log_mean(p0: float, prices: np.ndarray) -> np.ndarray:
    """Mean price along a geometric path from p0 to each price."""
    diff = np.log(prices / p0)
    safe = np.where(np.abs(diff) > 1e-12, diff, 1.0)
    return np.where(np.abs(diff) > 1e-12, (prices - p0) / safe, p0)


def _tup(values) -> tuple[float, ...]:
    return tuple(float(v) for v in np.asarray(values))
