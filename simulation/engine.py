"""Monte Carlo engine: correlated GBM price paths, vectorised over paths, chunked.

One step of the strategy (``advance``) works on arrays holding a batch of
paths, one price row per asset; the Monte Carlo run, the replay of a real
price series and the tests all drive that same function. Within a step, in
this order:

1. each pool earns ``fee_apr`` on its current value (v3: only in range);
2. each open perp pays or receives funding on its notional size x price
   of its own asset (``funding_apr`` > 0: longs pay shorts);
3. isolated-margin check at its asset's price: a perp whose equity
   (collateral + unrealised P&L + funding + fees) is below mmf x notional is
   liquidated: it is closed for good and keeps only
   max(0, equity - liquidation_fee x notional), which is withdrawn;
4. perps with a rebalance threshold are re-sized to their share of the
   current amount of their asset in the pool they hedge, paying the taker fee
   on the traded notional;
5. venue exploits: each event strikes at most once per path, at a step drawn
   so that every step is a Bernoulli trial with probability
   1 - (1 - annual_probability) ** dt_years; the venue keeps ``loss_share``
   of the funds held there (pool values, perp equity, loan collateral, option
   legs' value) and covers on that venue pay up to their remaining amount.

Fees earned and cover payouts are taken out to the wallet as they arrive.
Everything is measured against the pool deposits: a path's net return is
(pool values + fees + perp equity + cover paid - premiums - gas
 - pool deposits - collateral) / pool deposits.

Prices: a pool of a volatile asset against a stablecoin is valued at its
asset's price; a pool of two volatile tokens (WBTC/ETH) at the ratio of their
prices, in its quote token, times the quote's price. Each step draws one
normal per asset and path, correlated by the Cholesky factor of the
correlation matrix.

Random streams: paths are grouped in blocks of ``BLOCK`` paths; block ``b``
draws its normals (path by path, one per asset) from
``SeedSequence(seed, spawn_key=(b, 0))`` and its exploit
times from ``(b, 1)``, and summary sums are formed per block (in an order fixed by the
block alone) and merged in block order, so results depend on the seed only, not
on the chunk size or the number of worker processes.
"""
from __future__ import annotations

import dataclasses
import math
import os
from collections import deque
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Callable

import numpy as np

from hedgec import finance

from . import lending, options
from .config import SimConfig
from .pools import PoolModel
from .summary import BLOCK, Accumulator, ChunkStats, Histogram, Result, block_stats

DEFAULT_CHUNK = 32768  # paths per chunk: long vectors keep numpy's per-call overhead small
CHUNKS_PER_WORKER = 2
NEVER = np.iinfo(np.int64).max

# Bounds that keep one run within minutes and its prices within floating point.
MAX_PATHS = 10_000_000
MAX_STEPS = 3650  # daily steps for ten years; a plan takes longer steps beyond (targets/plan.py)
MAX_LOG_MOVE = 500.0  # |drift term| + 10 sd of the log-price over the horizon; exp(500) ~ 1e217


class SimulationError(ValueError):
    """A configuration the simulator refuses to run, or a run gone out of range, in words."""


def check_bounds(config: SimConfig) -> None:
    """Refuse, in words, a run too long to finish in minutes or whose prices would overflow."""
    if config.paths > MAX_PATHS:
        raise SimulationError(f"{config.paths:,} paths is more than the simulator runs ({MAX_PATHS:,} at most)")
    if config.steps > MAX_STEPS:
        raise SimulationError(f"{config.steps:,} steps is more than the simulator runs ({MAX_STEPS:,} at most)")
    years = config.years
    for asset in config.assets:
        drift_move = abs(asset.drift - 0.5 * asset.vol ** 2) * years
        spread = 10.0 * asset.vol * math.sqrt(years)
        if not drift_move + spread < MAX_LOG_MOVE:
            named = "" if len(config.assets) == 1 else f" of {asset.symbol}"
            raise SimulationError(
                f"drift {100 * asset.drift:.4g}% and volatility {100 * asset.vol:.4g}% a year{named} over"
                f" {config.horizon_days:g} days move prices beyond floating-point range (log-price drift"
                f" {drift_move:.4g}, 10 standard deviations {spread:.4g}; the simulator needs their sum below"
                f" {MAX_LOG_MOVE:g})")


def check_finite(result: Result) -> None:
    bad = [f.name for f in dataclasses.fields(result)
           if isinstance(getattr(result, f.name), float) and not math.isfinite(getattr(result, f.name))]
    if bad:
        raise SimulationError(f"the run produced figures out of floating-point range ({', '.join(bad)})")


# --------------------------------------------------------------------- model
class PoolLeg:
    """Per-step constants of one pool: its position (``PoolModel``, valued in
    its quote token) and the rows of its asset and, if volatile, its quote."""

    def __init__(self, spec, symbols: tuple[str, ...], entry: dict[str, float], dt: float):
        self.spec = spec
        self.asset = symbols.index(spec.asset)
        self.quote = symbols.index(spec.quote) if spec.quote is not None else None
        quote_price = entry[spec.quote] if spec.quote is not None else 1.0
        # PoolModel values in the quote token: the deposit in quote units
        self.model = PoolModel(dataclasses.replace(spec, value=spec.value / quote_price))
        self.fee_step = spec.fee_apr * dt
        self.amount0 = float(self.model.amount0(spec.entry_price))
        self.amount1 = (spec.value / quote_price) - self.amount0 * spec.entry_price

    def units_held(self, row: int) -> float:
        """Units of asset ``row`` the pool holds at entry (0 when it holds none)."""
        return self.amount0 if row == self.asset else self.amount1 if row == self.quote else 0.0

    def relative_price(self, prices: np.ndarray, out: np.ndarray) -> np.ndarray:
        """The pool's own price (asset in quote tokens) per path."""
        if self.quote is None:
            return prices[self.asset]
        return np.divide(prices[self.asset], prices[self.quote], out=out)

    def value(self, prices: np.ndarray) -> np.ndarray:
        """Value in base per path (before fees), with hedgec.finance's formulas."""
        value = self.model.value(self.relative_price(prices, np.empty(prices.shape[1])))
        return value * prices[self.quote] if self.quote is not None else value

    def amount_of(self, row: int, prices: np.ndarray, out: np.ndarray, tmp: np.ndarray) -> np.ndarray:
        """Units of asset ``row`` the pool holds at ``prices`` (asset: amount0;
        quote: value in quote - amount0 x relative price)."""
        rel = self.relative_price(prices, tmp)
        if row == self.asset:
            return self.model.amount0_into(rel, out)
        amount0 = self.model.amount0(rel)
        return np.subtract(self.model.value(rel), amount0 * rel, out=out)


class PerpModel:
    """Per-step constants of one perp."""

    def __init__(self, spec, row: int, entry_price: float, hedged: tuple[int, float] | None, dt: float):
        self.spec = spec
        self.row = row  # its asset's price row
        self.entry_price = entry_price
        self.signed_size = spec.sign * spec.size
        self.open_fee = spec.taker_fee * spec.size * entry_price
        self.funding_step = spec.funding_apr * dt
        # (pool index, units of this asset it held at entry): what a rebalance follows
        self.hedged = hedged[0] if hedged else None
        delta0 = hedged[1] if hedged else 0.0
        self.target_ratio = self.signed_size / delta0 if delta0 > 0 else 0.0
        self.rebalances = spec.rebalance_threshold is not None and delta0 > 0
        self.band = (spec.rebalance_threshold or 0.0) * spec.size
        self.liquidation_factor = 1.0 - spec.sign * spec.mmf


class Model:
    """A ``SimConfig`` compiled into the constants the step function uses."""

    def __init__(self, config: SimConfig, steps: int | None = None, dt: float | None = None):
        self.config = config
        self.steps = config.steps if steps is None else steps
        self.dt = config.years / self.steps if dt is None else dt
        self.symbols = config.symbols
        entry = {a.symbol: a.entry_price for a in config.assets}
        self.entry_prices = np.array([a.entry_price for a in config.assets])
        self.pools = [PoolLeg(p, self.symbols, entry, self.dt) for p in config.pools]
        self.deposit = config.deposit
        self.perps = [PerpModel(p, self.symbols.index(p.asset), entry[p.asset], self._hedged(p), self.dt)
                      for p in config.perps]
        # what the valuations below read: deposits and entry units per pool, rows and collateral per perp
        self.deposits = np.array([[p.spec.value] for p in self.pools]).reshape(-1, 1)
        self.held = np.array([[p.units_held(row) for row in range(len(self.symbols))] for p in self.pools])
        self.perp_rows = [p.row for p in self.perps]
        self.collateral = np.array([[p.spec.collateral] for p in self.perps]).reshape(-1, 1)
        self.outlay = config.collateral + config.premiums + config.gas_cost + config.option_deposits
        self.outlay += sum(x.supplied for x in config.loans)
        self.event_step_probability = [
            1.0 - (1.0 - e.annual_probability) ** (self.dt) if e.annual_probability < 1 else 1.0
            for e in config.events
        ]
        vols = np.array([a.vol for a in config.assets])
        self.log_drift = (np.array([a.drift for a in config.assets]) - 0.5 * vols**2) * self.dt
        self.log_vol = vols * math.sqrt(self.dt)
        # Z = C e per path: with rows of e as paths, Z = e C^T, scaled per asset by its step vol
        factor = np.eye(len(self.symbols)) if config.correlation is None else \
            finance.correlation_factor(config.correlation)
        if factor is None:
            raise SimulationError("the correlation matrix is not positive definite")
        self.mixing = factor.T * self.log_vol  # e @ mixing = the step's log-price shocks
        self.event_pools = [[i for i, p in enumerate(config.pools) if p.venue == e.venue] for e in config.events]
        self.event_perps = [[i for i, p in enumerate(config.perps) if p.venue == e.venue] for e in config.events]
        self.event_covers = [[i for i, c in enumerate(config.covers) if c.venue == e.venue] for e in config.events]

    def _hedged(self, perp) -> tuple[int, float] | None:
        """(index, units of the perp's asset held at entry) of the pool a perp's rebalance follows."""
        names = [p.name for p in self.config.pools]
        if perp.hedges is not None:
            index = names.index(perp.hedges) if perp.hedges in names else None
        else:
            index = 0 if len(names) == 1 else None
        if index is None:
            return None
        return index, self.pools[index].units_held(self.symbols.index(perp.asset))

    def set_step_length(self, dt: float) -> None:
        """Change the step to ``dt`` years (a replay whose timestamps are unevenly spaced)."""
        self.dt = dt
        for pool in self.pools:
            pool.fee_step = pool.spec.fee_apr * dt
        for perp in self.perps:
            perp.funding_step = perp.spec.funding_apr * dt


# --------------------------------------------------------------------- state
class PathState:
    """Arrays describing a batch of ``n`` paths, plus scratch buffers.

    ``prices`` holds one row per asset; ``price`` is the first row (the only
    one of a single-asset strategy). Pool arrays have a row per pool, perp
    arrays a row per perp."""

    def __init__(self, model: Model, n: int, exploit_steps: np.ndarray | None = None):
        cfg = model.config
        k = len(model.perps)
        self.n = n
        self.prices = np.repeat(model.entry_prices.reshape(-1, 1), n, axis=1)
        self.price = self.prices[0]
        self.pool_scale = np.ones((len(model.pools), n))
        self.fees = np.zeros((len(model.pools), n))
        self.size = np.empty((k, n))
        self.cash = np.empty((k, n))
        for i, perp in enumerate(model.perps):
            self.size[i] = perp.signed_size
            self.cash[i] = perp.spec.collateral - perp.open_fee - perp.signed_size * perp.entry_price
        self.trade_fees = np.tile(np.array([[p.open_fee] for p in model.perps]).reshape(k, 1), (1, n))
        self.residual = np.zeros((k, n))
        self.live = np.ones((k, n), dtype=bool)
        self.pool_hit = False  # has any path's pool been exploited (pool_scale != 1)?
        self.funding = np.zeros((k, n))
        self.rebalances = np.zeros(n, dtype=np.int64)
        self.liq_step = np.full(n, -1, dtype=np.int64)
        self.cover_left = np.tile(np.array([c.amount for c in cfg.covers], dtype=np.float64).reshape(-1, 1), (1, n))
        self.cover_paid = np.zeros(n)
        self.options = options.Clock(cfg.options, model.symbols, n)  # option legs: time, prices at expiry
        self.exploit_loss = np.zeros(n)
        self.exploited = np.zeros(n, dtype=bool)
        self._tmp = [np.empty(n) for _ in range(4)]
        self._mask = np.empty(n, dtype=bool)
        self._mask2 = np.empty(n, dtype=bool)
        self._schedule = _exploit_schedule(model, n, exploit_steps)
        lending.init_state(model, self)  # loans: simulation/lending.py

    def exploits_at(self, event: int, step: int) -> np.ndarray:
        order, starts = self._schedule[event]
        return order[starts[step]:starts[step + 1]]


def _exploit_schedule(model: Model, n: int, exploit_steps):
    if not model.config.events:
        return []
    if exploit_steps is None:
        exploit_steps = np.full((len(model.config.events), n), NEVER, dtype=np.int64)
    schedule = []
    for row in np.asarray(exploit_steps, dtype=np.int64):
        struck = np.flatnonzero(row <= model.steps)  # few paths: sort only those
        order = struck[np.argsort(row[struck], kind="stable")]
        starts = np.searchsorted(row[order], np.arange(model.steps + 2), side="left")
        schedule.append((order, starts))
    return schedule


# ---------------------------------------------------------------------- step
def advance(model: Model, st: PathState, step: int, bar: tuple[np.ndarray, np.ndarray] | None = None) -> None:
    """Apply step ``step`` (1-based) at the prices already in ``st.prices``;
    ``bar``: a replay's (high, low) prices of the step, when known, shaped
    like ``st.prices`` (a row per asset), for liquidation within it."""
    for j, pool in enumerate(model.pools):
        accrue_pool_fees(pool, st, j)
    for i, perp in enumerate(model.perps):
        notional = np.multiply(st.size[i], st.prices[perp.row], out=st._tmp[2])
        accrue_funding(perp, st, i, notional)
        check_liquidation(perp, st, i, step, notional, bar)
        if perp.rebalances:
            rebalance(model, perp, st, i)
    if model.config.loans:
        lending.advance(model, st, step)
    st.options.tick(model.dt, st.prices)  # before exploits, which value the options at this step's time
    for e in range(len(model.config.events)):
        hit = st.exploits_at(e, step)
        if hit.size:
            apply_exploit(model, st, e, hit)


def accrue_pool_fees(pool: PoolLeg, st: PathState, j: int) -> None:
    """Fees for the step on pool ``j``'s value (v3: only where its price is in range)."""
    if pool.fee_step == 0.0:
        return
    price = pool.relative_price(st.prices, st._tmp[3])
    fee = pool.model.value_into(price, st._tmp[0], st._tmp[1], factor=pool.fee_step)
    if pool.quote is not None:
        fee *= st.prices[pool.quote]
    if st.pool_hit:
        fee *= st.pool_scale[j]
    if pool.model.kind == "v3":
        spec = pool.spec
        np.greater_equal(price, spec.low, out=st._mask)
        np.less_equal(price, spec.high, out=st._mask2)
        st._mask &= st._mask2
        fee *= st._mask
    st.fees[j] += fee


def accrue_funding(perp: PerpModel, st: PathState, i: int, notional: np.ndarray) -> None:
    """Funding on the signed notional S x p: the position pays S p rate dt."""
    if perp.funding_step == 0.0:
        return
    payment = np.multiply(notional, perp.funding_step, out=st._tmp[0])
    st.cash[i] -= payment
    st.funding[i] += payment


def check_liquidation(perp: PerpModel, st: PathState, i: int, step: int, notional: np.ndarray,
                      bar: tuple[np.ndarray, np.ndarray] | None = None) -> None:
    """Liquidate where equity Q + S p < mmf |S p|.

    S never changes sign, so this is Q + (1 - sign mmf) S p < 0; closed
    positions have Q = S = 0 and never match. With a bar's (high, low) of
    its asset, a short is tested at the high and a long at the low, and is closed at its
    liquidation price -Q / ((1 - sign mmf) S), where the bar crossed it
    (clipped to the bar); without, it is tested and closed at its asset's price.
    """
    if bar is not None:
        bar = (bar[0][perp.row], bar[1][perp.row])  # its own asset's
        extreme = bar[0] if perp.spec.sign < 0 else bar[1]
        notional = np.multiply(st.size[i], extreme, out=st._tmp[1])
    margin = np.multiply(notional, perp.liquidation_factor, out=st._tmp[0])
    margin += st.cash[i]
    below = np.less(margin, 0.0, out=st._mask)
    if not below.any():
        return
    idx = np.flatnonzero(below)
    size, cash = st.size[i, idx], st.cash[i, idx]
    if bar is None:
        price = st.prices[perp.row, idx]
    else:
        price = np.clip(-cash / (size * perp.liquidation_factor), bar[1][idx], bar[0][idx])
    equity = cash + size * price
    st.residual[i, idx] = np.maximum(equity - perp.spec.liquidation_fee * np.abs(size) * price, 0.0)
    st.size[i, idx] = 0.0
    st.cash[i, idx] = 0.0
    st.live[i, idx] = False
    first = idx[st.liq_step[idx] < 0]
    st.liq_step[first] = step


def rebalance(model: Model, perp: PerpModel, st: PathState, i: int) -> None:
    """Re-size live perps to their share of their pool's delta in their asset when drift > band."""
    target = model.pools[perp.hedged].amount_of(perp.row, st.prices, st._tmp[0], st._tmp[3])
    if st.pool_hit:
        target *= st.pool_scale[perp.hedged]
    target *= perp.target_ratio
    trade = np.subtract(target, st.size[i], out=st._tmp[0])
    drift = np.abs(trade, out=st._tmp[1])
    np.greater(drift, perp.band, out=st._mask)
    st._mask &= st.live[i]  # liquidated perps stay closed
    if not st._mask.any():
        return
    idx = np.flatnonzero(st._mask)
    d_size, price = trade[idx], st.prices[perp.row, idx]
    fee = perp.spec.taker_fee * np.abs(d_size) * price
    st.cash[i, idx] -= d_size * price + fee
    st.size[i, idx] += d_size
    st.trade_fees[i, idx] += fee
    st.rebalances[idx] += 1


def apply_exploit(model: Model, st: PathState, e: int, idx: np.ndarray) -> None:
    """Event ``e`` strikes paths ``idx``: its venue loses a share, covers pay."""
    share = model.config.events[e].loss_share
    prices = st.prices[:, idx]
    loss = np.zeros(idx.size)
    for j in model.event_pools[e]:
        loss += share * model.pools[j].value(prices) * st.pool_scale[j, idx]
        st.pool_scale[j, idx] *= 1.0 - share
        st.pool_hit = True
    for i in model.event_perps[e]:
        equity = st.cash[i, idx] + st.size[i, idx] * prices[model.perps[i].row]
        taken = share * np.maximum(equity, 0.0)
        st.cash[i, idx] -= taken
        loss += taken
    loss += lending.exploit(model, st, e, idx, share)
    loss += st.options.exploit(model.config.events[e].venue, idx, share, st.prices)
    st.exploit_loss[idx] += loss
    st.exploited[idx] = True
    for c in model.event_covers[e]:
        paid = np.minimum(loss, st.cover_left[c, idx])
        st.cover_left[c, idx] -= paid
        st.cover_paid[idx] += paid
        loss -= paid


# ------------------------------------------------------------------ outcomes
@dataclass
class PathOutcomes:
    """Per-path results of a batch, in quote; rows per pool, perp or asset
    where the name says so (``pool_*``: one row per pool, ``perp_*`` per perp,
    ``asset_price_pnl`` per asset)."""

    pool_pnl: np.ndarray
    fees: np.ndarray
    perp_pnl: np.ndarray
    funding: np.ndarray
    trade_fees: np.ndarray
    cover_paid: np.ndarray
    exploit_loss: np.ndarray
    liq_step: np.ndarray
    rebalances: np.ndarray
    exploited: np.ndarray
    costs: float
    pool_pnls: np.ndarray  # value at the horizon - deposit, exploits included, fees not
    pool_fees: np.ndarray
    pool_il: np.ndarray  # value - value of holding the entry tokens
    perp_pnls: np.ndarray  # equity - collateral: price, funding, fees, liquidation, exploits
    perp_funding: np.ndarray  # paid (+) or received (-)
    perp_trade_fees: np.ndarray
    perp_liquidated: np.ndarray
    asset_price_pnl: np.ndarray  # pools' entry tokens and perps' price P&L, by asset
    option_pnl: np.ndarray | float = 0.0  # option legs, premiums and fees included (simulation/options.py)
    loan_pnl: np.ndarray | float = 0.0  # loans (simulation/lending.py), accrual and liquidations included

    @property
    def unhedged(self) -> np.ndarray:
        return self.pool_pnl + self.fees

    @property
    def hedged(self) -> np.ndarray:
        return self.pool_pnl + self.fees + self.perp_pnl + self.option_pnl + self.loan_pnl

    @property
    def net(self) -> np.ndarray:
        return self.hedged + self.cover_paid - self.costs

    @property
    def liquidated(self) -> np.ndarray:
        return self.liq_step >= 0


# The valuations of a batch's state, each in one place: `outcomes` and the
# replay's running figures (simulation/replay.py) read them.

def pool_values(model: Model, st: PathState) -> np.ndarray:
    """Each pool's value at the current prices, before exploits and fees: (pools, paths)."""
    return np.array([pool.value(st.prices) for pool in model.pools])


def pool_pnls(model: Model, st: PathState, values: np.ndarray) -> np.ndarray:
    """Each pool's `values` less its deposit, exploits included, fees not: (pools, paths)."""
    return values * st.pool_scale - model.deposits


def hold_pnls(model: Model, moves: np.ndarray) -> np.ndarray:
    """What the tokens each pool was funded with gained with `moves` (price_moves): (pools, paths)."""
    return model.held @ moves


def price_moves(model: Model, st: PathState) -> np.ndarray:
    """Each asset's price change since entry: (assets, paths)."""
    return st.prices - model.entry_prices.reshape(-1, 1)


def perp_pnls(model: Model, st: PathState) -> np.ndarray:
    """Each perp's equity less its collateral (price, funding, fees, liquidation, exploits): (perps, paths)."""
    equity = st.cash + st.size * st.prices[model.perp_rows] + st.residual  # each at its asset's price
    return equity - model.collateral


def outcomes(model: Model, st: PathState) -> PathOutcomes:
    values, moves = pool_values(model, st), price_moves(model, st)
    perps = perp_pnls(model, st)
    asset_pnl = model.held.sum(axis=0).reshape(-1, 1) * moves  # the pools' entry tokens, by asset
    for i, perp in enumerate(model.perps):
        asset_pnl[perp.row] += perps[i] + st.funding[i] + st.trade_fees[i]
    cfg = model.config
    pools = pool_pnls(model, st, values)
    return PathOutcomes(
        pool_pnl=pools.sum(axis=0),
        fees=st.fees.sum(axis=0),
        perp_pnl=perps.sum(axis=0),
        funding=st.funding.sum(axis=0),
        trade_fees=st.trade_fees.sum(axis=0),
        cover_paid=st.cover_paid.copy(),
        exploit_loss=st.exploit_loss.copy(),
        liq_step=st.liq_step.copy(),
        rebalances=st.rebalances.copy(),
        exploited=st.exploited.copy(),
        costs=cfg.premiums + cfg.gas_cost,
        pool_pnls=pools, pool_fees=st.fees.copy(),
        pool_il=values - (model.deposits + hold_pnls(model, moves)),
        perp_pnls=perps, perp_funding=st.funding.copy(), perp_trade_fees=st.trade_fees.copy(),
        perp_liquidated=~st.live, asset_price_pnl=asset_pnl, option_pnl=st.options.pnl(st.prices),
        loan_pnl=lending.pnl(model, st),
    )


PriceFiller = Callable[[int, np.ndarray], None]


def run_batch(model: Model, n: int, fill_prices: PriceFiller, exploit_steps=None,
              on_step: Callable[[PathState, int], None] | None = None) -> PathState:
    """Drive ``advance`` over all steps; ``fill_prices(step, prices)`` moves the
    (assets, paths) prices in place."""
    st = PathState(model, n, exploit_steps)
    for step in range(1, model.steps + 1):
        fill_prices(step, st.prices)
        advance(model, st, step)
        if on_step is not None:
            on_step(st, step)
    return st


def simulate_prices(config: SimConfig, prices, exploit_steps=None) -> PathOutcomes:
    """Run the strategy over given price paths, shape (paths, steps + 1), or
    (assets, paths, steps + 1) in the order of ``config.assets``.

    Column 0 must be the entry prices. ``exploit_steps`` (events, paths) gives
    the step at which each event strikes each path (>= steps + 1: never).
    """
    prices = np.asarray(prices, dtype=np.float64)
    if prices.ndim == 2:
        prices = prices[None]
    if prices.ndim != 3 or prices.shape[0] != len(config.assets) or prices.shape[2] < 2:
        raise ValueError("prices must have shape (paths, steps + 1) or (assets, paths, steps + 1)")
    entry = np.array([a.entry_price for a in config.assets]).reshape(-1, 1)
    if not np.allclose(prices[:, :, 0], entry, rtol=1e-12, atol=0.0):
        raise ValueError("every path must start at the entry prices")
    model = Model(config, steps=prices.shape[2] - 1)

    def fill(step: int, now: np.ndarray) -> None:
        now[:] = prices[:, :, step]

    return outcomes(model, run_batch(model, prices.shape[1], fill, exploit_steps))


# ---------------------------------------------------------------- monte carlo
def block_streams(seed: int, block: int) -> tuple[np.random.Generator, np.random.Generator]:
    """(price generator, event generator) of one block of paths."""
    prices = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(block, 0)))
    events = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(block, 1)))
    return prices, events


def draw_exploit_steps(model: Model, gen: np.random.Generator, n: int) -> np.ndarray | None:
    """Step of the first exploit of each event on each path (NEVER if none)."""
    if not model.config.events:
        return None
    out = np.full((len(model.config.events), n), NEVER, dtype=np.int64)
    for e, p in enumerate(model.event_step_probability):
        if p > 0:
            out[e] = gen.geometric(p, size=n)
    return out


def gbm_filler(model: Model, gens: list[np.random.Generator], bounds: list[tuple[int, int]], n: int) -> PriceFiller:
    """Each step, every block draws one normal per path and asset (path by
    path, so a block's draws do not depend on the batch it runs in)."""
    if len(model.symbols) == 1:
        return _one_asset_filler(model, gens, bounds, n)
    m = len(model.symbols)
    draws, shocks = np.empty((n, m)), np.empty((n, m))
    mixing, drift = model.mixing, model.log_drift

    def fill(step: int, prices: np.ndarray) -> None:
        for gen, (lo, hi) in zip(gens, bounds):
            gen.standard_normal(out=draws[lo:hi])
        np.matmul(draws, mixing, out=shocks)
        np.add(shocks, drift, out=shocks)
        np.exp(shocks, out=shocks)
        np.multiply(prices, shocks.T, out=prices)

    return fill


def _one_asset_filler(model: Model, gens, bounds, n: int) -> PriceFiller:
    """The same draws for one asset, on flat arrays: the hot path of a single-asset run."""
    z = np.empty(n)
    drift, vol = float(model.log_drift[0]), float(model.log_vol[0])

    def fill(step: int, prices: np.ndarray) -> None:
        for gen, (lo, hi) in zip(gens, bounds):
            gen.standard_normal(out=z[lo:hi])
        np.multiply(z, vol, out=z)
        np.add(z, drift, out=z)
        np.exp(z, out=z)
        np.multiply(prices[0], z, out=prices[0])

    return fill


def run_chunk(model: Model, seed: int, blocks: list[tuple[int, int, int]]) -> ChunkStats:
    """Simulate the blocks (index, first path, end path) of one chunk."""
    base = blocks[0][1]
    n = blocks[-1][2] - base
    gens, bounds, exploit_rows = [], [], []
    for b, lo, hi in blocks:
        price_gen, event_gen = block_streams(seed, b)
        gens.append(price_gen)
        bounds.append((lo - base, hi - base))
        exploit_rows.append(draw_exploit_steps(model, event_gen, hi - lo))
    exploit_steps = None if exploit_rows[0] is None else np.concatenate(exploit_rows, axis=1)
    st = run_batch(model, n, gbm_filler(model, gens, bounds, n), exploit_steps)
    out = outcomes(model, st)
    net = out.net / model.deposit
    hist = Histogram(model).counts(net)
    occupied = np.flatnonzero(hist)
    liq_hist = np.bincount(out.liq_step[out.liquidated], minlength=model.steps + 1)
    return ChunkStats(
        blocks=block_stats(out, model.deposit, bounds),
        hist_bins=occupied,
        hist_counts=hist[occupied],
        liq_hist=liq_hist,
        lows=[float(net[lo:hi].min()) for lo, hi in bounds],
        highs=[float(net[lo:hi].max()) for lo, hi in bounds],
    )


def chunk_plan(paths: int, chunk_size: int) -> list[list[tuple[int, int, int]]]:
    """Blocks of BLOCK paths grouped into chunks of about ``chunk_size`` paths."""
    per_chunk = max(1, chunk_size // BLOCK)
    blocks = [(b, b * BLOCK, min(paths, (b + 1) * BLOCK)) for b in range(-(-paths // BLOCK))]
    return [blocks[i:i + per_chunk] for i in range(0, len(blocks), per_chunk)]


def simulate(config: SimConfig, chunk_size: int | None = None, workers: int | None = None,
             progress: Callable[[int, int], None] | None = None) -> Result:
    """Monte Carlo run of ``config.paths`` GBM paths of ``config.steps`` steps.

    Paths are simulated ``chunk_size`` at a time (rounded to whole blocks of
    ``BLOCK``; default ``DEFAULT_CHUNK``, smaller when that would leave a
    worker idle) in up to ``workers`` worker processes (default: the number
    of CPUs; 1 runs everything in this process); the result is the same for
    any chunk size or worker count.
    ``progress``: a callable(done_paths, total_paths), e.g. the CLI's progress bar.
    """
    check_bounds(config)
    model = Model(config)
    blocks = -(-config.paths // BLOCK)
    workers = max(1, min(blocks, workers or os.cpu_count() or 1))
    if chunk_size is None:
        # at least CHUNKS_PER_WORKER chunks each, so no worker waits long for the last one
        chunk_size = min(DEFAULT_CHUNK, BLOCK * -(-blocks // (CHUNKS_PER_WORKER * workers)))
    acc = Accumulator(model)
    for chunk in _run_ordered(model, config.seed, chunk_plan(config.paths, chunk_size), workers):
        acc.add(chunk)
        if progress:
            progress(acc.n, config.paths)
    result = acc.result()
    check_finite(result)
    return result


def _run_ordered(model: Model, seed: int, plan, workers: int):
    """Yield chunk statistics in plan order, at most 2 x workers chunks in flight."""
    if workers <= 1:
        for blocks in plan:
            yield run_chunk(model, seed, blocks)
        return
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        pending: deque = deque()
        for blocks in plan:
            pending.append(pool.submit(run_chunk, model, seed, blocks))
            if len(pending) >= 2 * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
