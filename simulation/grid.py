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

With several assets the grid moves all of them by the same ratio (a
two-token pool then keeps its token ratio: no impermanent loss), and each
two-token pool also gets a ``PairGrid``: its asset moved alone, so that the
loss a two-perp hedge leaves, -(V0/2)(sqrt(a) - sqrt(b))^2 for ratios a, b
(v2), shows against a / b. ``payoff_at`` evaluates any combination of moves.
"""
from __future__ import annotations


import numpy as np

from hedgec import finance
from hedgec.record import record

from . import options
from . import lending
from .config import PerpSpec, SimConfig
from .engine import Model, PoolLeg


@record
class PairGrid:
    """A two-token pool's asset moved alone, its quote and every other asset
    held at entry: the loss a two-perp hedge leaves against the ratio of the
    two prices (fractions of all pool deposits, like ``GridResult``)."""

    pool: str
    asset: str
    quote: str
    ratios: tuple[float, ...]  # the asset's price over the quote's, relative to entry
    pool_pnl: tuple[float, ...]
    hedged: tuple[float, ...]
    impermanent_loss: tuple[float, ...]


@record
class GridResult:
    ratios: tuple[float, ...]
    prices: tuple[float, ...]  # of the first asset
    entry_price: float
    deposit: float
    hold: tuple[float, ...]
    pool: tuple[float, ...]
    hedged: tuple[float, ...]
    all_in: tuple[float, ...]
    impermanent_loss: tuple[float, ...]
    liquidation_prices: tuple[float | None, ...]
    assets: tuple[str, ...] = ()
    held_fixed: str = ""  # what the curves hold fixed, said on the plot
    pairs: tuple[PairGrid, ...] = ()
    with_options: tuple[float, ...] = ()  # hedged plus the option legs; empty without options


def payoff_grid(config: SimConfig, ratios=None) -> GridResult:
    """Evaluate the four payoff curves at ``ratios`` (default ``config.grid``),
    every asset moved by the same ratio; and, for each two-token pool, its
    P&L against the ratio of its two prices."""
    ratios = np.asarray(config.grid if ratios is None else ratios, dtype=np.float64)
    model = Model(config)
    v0 = config.deposit
    at = payoff_at(config, np.tile(ratios, (len(config.assets), 1)), model)
    p0 = float(model.entry_prices[0])
    several = len(config.assets) > 1
    return GridResult(
        ratios=_tup(ratios),
        prices=_tup(ratios * p0),
        entry_price=p0,
        deposit=v0,
        hold=_tup(at["hold"] / v0),
        pool=_tup(at["pool"] / v0),
        hedged=_tup(at["hedged"] / v0),
        all_in=_tup(at["all_in"] / v0),
        impermanent_loss=_tup(at["impermanent_loss"]),
        liquidation_prices=tuple(liquidation_price(p, model.perps[i].entry_price)
                                 for i, p in enumerate(config.perps)),
        assets=config.symbols,
        held_fixed=("every asset (" + ", ".join(config.symbols) + ") moved by the same ratio; "
                    "their ratios to each other held at entry") if several else "",
        pairs=tuple(_pair(config, model, j, ratios) for j, p in enumerate(config.pools) if p.quote is not None),
        with_options=_tup(at["with_options"] / v0) if config.options else (),
    )


def payoff_at(config: SimConfig, moves, model: Model | None = None) -> dict[str, np.ndarray]:
    """P&L at the horizon, in base, where each asset's price ends at ``moves``
    (assets x points: price over entry, rows in the order of ``config.assets``),
    having moved there steadily (geometrically); perps keep their entry size.
    Keys: hold, pool (with fees), hedged (+ perps with funding), with_options
    (+ option legs, premiums and fees included: simulation/options.py), all_in
    (- cover premiums and gas), impermanent_loss (pool value / hold value - 1)."""
    model = model or Model(config)
    moves = np.asarray(moves, dtype=np.float64)
    entry = model.entry_prices.reshape(-1, 1)
    prices = entry * moves
    years = config.years
    value = hold = fees = 0.0
    for pool in model.pools:
        value = value + pool.value(prices)
        held = np.array([pool.units_held(row) for row in range(len(entry))])
        hold = hold + pool.spec.value + held @ (prices - entry)
        fees = fees + pool.spec.fee_apr * years * _mean_fee_base(pool, entry, moves)
    perp_pnl = np.zeros(moves.shape[1])
    for perp in model.perps:
        perp_pnl += perp_pnl_at(perp.spec, perp.entry_price, prices[perp.row], years)
    pool_pnl = value - config.deposit + fees
    hedged = pool_pnl + perp_pnl
    for loan in config.loans:
        hedged = hedged + lending.pnl_at(loan, prices[model.symbols.index(loan.asset)], years, PATH_POINTS)
    with_options = hedged + options.grid_pnl(config.options, model.symbols, entry, prices, years)
    return {"hold": hold - config.deposit, "pool": pool_pnl, "hedged": hedged, "with_options": with_options,
            "all_in": with_options - config.premiums - config.gas_cost, "impermanent_loss": value / hold - 1.0}


def _pair(config: SimConfig, model: Model, j: int, ratios: np.ndarray) -> PairGrid:
    """Pool ``j``'s asset moved by ``ratios``, everything else held at entry."""
    pool = model.pools[j]
    moves = np.ones((len(model.symbols), ratios.size))
    moves[pool.asset] = ratios
    at = payoff_at(config, moves, model)
    v0 = config.deposit
    return PairGrid(pool.spec.name, pool.spec.asset, pool.spec.quote, _tup(ratios), _tup(at["pool"] / v0),
                    _tup(at["hedged"] / v0), _tup(at["impermanent_loss"]))


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


PATH_POINTS = 256  # midpoints along each geometric path, for the fee average


def _mean_fee_base(pool: PoolLeg, entry: np.ndarray, moves: np.ndarray) -> np.ndarray:
    """Mean pool value earning fees along a geometric path from entry to each
    point's prices (v3: zero while out of range), as the Monte Carlo accrues them."""
    t = (np.arange(PATH_POINTS) + 0.5) / PATH_POINTS
    path = (entry[:, :, None] * moves[:, :, None] ** t[None, None, :]).reshape(len(entry), -1)
    value = pool.value(path)
    if pool.spec.kind == "v3":
        price = pool.relative_price(path, np.empty(path.shape[1]))
        value = value * ((price >= pool.spec.low) & (price <= pool.spec.high))
    return value.reshape(moves.shape[1], PATH_POINTS).mean(axis=1)


def _log_mean(p0: float, prices: np.ndarray) -> np.ndarray:
    """Mean price along a geometric path from p0 to each price."""
    diff = np.log(prices / p0)
    safe = np.where(np.abs(diff) > 1e-12, diff, 1.0)
    return np.where(np.abs(diff) > 1e-12, (prices - p0) / safe, p0)


def _tup(values) -> tuple[float, ...]:
    return tuple(float(v) for v in np.asarray(values))
