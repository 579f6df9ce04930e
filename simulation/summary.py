"""Reducing per-path outcomes to summary statistics in constant memory.

Sums are formed per block of paths with numpy's pairwise summation over the
block's values, whose order of additions depends only on the block's length,
so a block sums to the same figure however the paths were batched; block sums
are merged in block order. The
distribution of net returns is kept as a fixed histogram of ``FINE_BINS``
bins spanning every possible outcome, from which quantiles are read.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from hedgec.record import record

if TYPE_CHECKING:
    from .engine import Model, PathOutcomes

BLOCK = 1024  # paths per random stream and per summed block (engine.BLOCK)
FINE_BINS = 1 << 17
PLOT_BINS = 60


@record
class LegResult:
    """Mean figures of one pool or perp per path, in quote. A pool's ``pnl`` is
    its value less its deposit plus its fees; a perp's, its equity less its
    collateral (price, funding, trading fees, liquidation and exploits)."""

    name: str
    kind: str  # pool | perp
    assets: str  # BTC, or BTC/ETH for a two-token pool
    mean_pnl: float
    mean_fees: float  # pool: fees earned; perp: trading fees paid
    mean_funding_paid: float  # perp (-: received)
    mean_impermanent_loss: float  # pool: value less the value of holding its entry tokens
    prob_liquidation: float  # perp


@record
class AssetResult:
    """Mean price P&L per path from one asset, in quote: the pools' entry
    tokens held to the horizon plus the perps on it (their P&L before funding
    and trading fees)."""

    symbol: str
    mean_price_pnl: float


@record
class Result:
    """Summary of a Monte Carlo run. Returns are fractions of the pool deposit;
    money amounts are means per path in quote. Quantiles come from a fixed
    histogram of ``FINE_BINS`` bins and are exact to ``quantile_resolution``."""

    paths: int
    steps: int
    horizon_days: float
    seed: int
    deposit: float
    mean_return: float
    std_return: float
    median_return: float
    q05_return: float
    q01_return: float
    min_return: float
    max_return: float
    prob_liquidation: float
    mean_liquidation_day: float | None
    median_liquidation_day: float | None
    mean_funding_paid: float
    mean_trade_fees: float
    premiums: float
    gas: float
    mean_fees_earned: float
    mean_cover_paid: float
    mean_exploit_loss: float
    prob_exploit: float
    mean_pool_pnl: float
    mean_perp_pnl: float
    mean_rebalances: float
    std_unhedged_return: float
    std_hedged_return: float
    hedge_effectiveness: float | None
    hist_edges: tuple[float, ...]
    hist_counts: tuple[int, ...]
    quantile_resolution: float
    legs: tuple[LegResult, ...] = ()
    assets: tuple[AssetResult, ...] = ()
    mean_option_pnl: float = 0.0  # option legs, premiums and fees included


SUMMED = ("net", "net2", "hedged", "hedged2", "unhedged", "unhedged2", "fees", "funding",
          "trade_fees", "cover_paid", "exploit_loss", "pool_pnl", "perp_pnl", "option_pnl")
COUNTED = ("rebalances", "liquidated", "liq_steps", "exploited")


class Histogram:
    """Fixed bins over the possible range of net returns."""

    def __init__(self, model: Model):
        self.lo = -(model.deposit + model.outlay) / model.deposit - 1e-9
        self.hi = self.lo + 2.0 * (model.deposit + model.outlay) / model.deposit + 4.0
        self.width = (self.hi - self.lo) / FINE_BINS

    def counts(self, returns: np.ndarray) -> np.ndarray:
        idx = np.floor((returns - self.lo) / self.width)
        np.clip(idx, 0, FINE_BINS - 1, out=idx)
        return np.bincount(idx.astype(np.int64), minlength=FINE_BINS)

    def quantile(self, counts: np.ndarray, q: float) -> float:
        cum = np.cumsum(counts)
        target = q * cum[-1]
        i = int(np.searchsorted(cum, target, side="left"))
        below = cum[i - 1] if i > 0 else 0
        frac = (target - below) / counts[i] if counts[i] else 0.0
        return float(self.lo + (i + frac) * self.width)


@dataclass
class ChunkStats:
    blocks: list[dict]
    hist_bins: np.ndarray  # occupied bins of the fine histogram ...
    hist_counts: np.ndarray  # ... and their counts
    liq_hist: np.ndarray
    lows: list[float]
    highs: list[float]


def block_stats(out: "PathOutcomes", deposit: float, bounds: list[tuple[int, int]]) -> list[dict]:
    """Sums over the paths lo:hi of each block, independent of how the blocks were batched.

    ``bounds`` are consecutive blocks from path 0, each of ``BLOCK`` paths but
    perhaps the last. Each sum reduces one block's contiguous values (numpy's
    pairwise sum, in an order fixed by the block's length), never a running
    total across blocks.
    """
    net, hedged, unhedged = out.net / deposit, out.hedged / deposit, out.unhedged / deposit
    summed = (net, net * net, hedged, hedged * hedged, unhedged, unhedged * unhedged, out.fees, out.funding,
              out.trade_fees, out.cover_paid, out.exploit_loss, out.pool_pnl, out.perp_pnl,
              np.broadcast_to(np.asarray(out.option_pnl, dtype=np.float64), net.shape))
    liquidated = out.liquidated
    counted = (out.rebalances, liquidated, np.where(liquidated, out.liq_step, 0), out.exploited)
    legs = breakdown(out)
    names = SUMMED + COUNTED + tuple(legs)
    columns = [_block_sums(values, bounds) for values in summed + counted + tuple(legs.values())]
    return [{"n": hi - lo, **dict(zip(names, row))} for (lo, hi), row in zip(bounds, zip(*columns))]


BREAKDOWN = {  # PathOutcomes rows summed per leg or asset: (prefix, item) -> attribute
    ("pool", "pnl"): "pool_pnls", ("pool", "fees"): "pool_fees", ("pool", "il"): "pool_il",
    ("perp", "pnl"): "perp_pnls", ("perp", "funding"): "perp_funding", ("perp", "fees"): "perp_trade_fees",
    ("perp", "liquidated"): "perp_liquidated", ("asset", "price"): "asset_price_pnl",
}


def breakdown(out: "PathOutcomes") -> dict[str, np.ndarray]:
    """Per-leg and per-asset columns, keyed "pool:0:pnl", "perp:1:funding", "asset:0:price"."""
    return {f"{prefix}:{i}:{item}": row for (prefix, item), attr in BREAKDOWN.items()
            for i, row in enumerate(getattr(out, attr))}


def _block_sums(values: np.ndarray, bounds: list[tuple[int, int]]) -> list:
    """One sum per block: whole blocks as the rows of a matrix, a short last block on its own."""
    whole = bounds[-1][1] // BLOCK
    sums = values[:whole * BLOCK].reshape(whole, BLOCK).sum(axis=1).tolist()
    if whole < len(bounds):
        sums.append(values[whole * BLOCK:bounds[-1][1]].sum().item())
    return sums


class Accumulator:
    """Merges chunk statistics in block order."""

    def __init__(self, model: Model):
        self.model = model
        self.n = 0
        self.sums: dict[str, float] = {}
        self.counts = dict.fromkeys(COUNTED, 0)
        self.hist = np.zeros(FINE_BINS, dtype=np.int64)
        self.liq_hist = np.zeros(model.steps + 1, dtype=np.int64)
        self.low, self.high = math.inf, -math.inf

    def add(self, chunk: ChunkStats) -> None:
        for block in chunk.blocks:
            self.n += block["n"]
            for key in block.keys() - COUNTED - {"n"}:
                self.sums[key] = self.sums.get(key, 0.0) + block[key]
            for key in COUNTED:
                self.counts[key] += block[key]
        self.hist[chunk.hist_bins] += chunk.hist_counts
        self.liq_hist += chunk.liq_hist
        self.low = min(self.low, *chunk.lows)
        self.high = max(self.high, *chunk.highs)

    def result(self) -> Result:
        model, cfg, n, s, c = self.model, self.model.config, self.n, self.sums, self.counts
        hist = Histogram(model)
        var_net = _variance(s["net"], s["net2"], n)
        var_hedged = _variance(s["hedged"], s["hedged2"], n)
        var_unhedged = _variance(s["unhedged"], s["unhedged2"], n)
        liquidated = c["liquidated"]
        day = model.dt * 365.0
        edges, coarse = _plot_histogram(hist, self.hist)
        return Result(
            paths=n, steps=model.steps, horizon_days=cfg.horizon_days, seed=cfg.seed,
            deposit=model.deposit,
            mean_return=s["net"] / n,
            std_return=math.sqrt(var_net),
            median_return=hist.quantile(self.hist, 0.5),
            q05_return=hist.quantile(self.hist, 0.05),
            q01_return=hist.quantile(self.hist, 0.01),
            min_return=self.low, max_return=self.high,
            prob_liquidation=liquidated / n,
            mean_liquidation_day=c["liq_steps"] / liquidated * day if liquidated else None,
            median_liquidation_day=_median_step(self.liq_hist) * day if liquidated else None,
            mean_funding_paid=s["funding"] / n,
            mean_trade_fees=s["trade_fees"] / n,
            premiums=cfg.premiums, gas=cfg.gas_cost,
            mean_fees_earned=s["fees"] / n,
            mean_cover_paid=s["cover_paid"] / n,
            mean_exploit_loss=s["exploit_loss"] / n,
            prob_exploit=c["exploited"] / n,
            mean_pool_pnl=s["pool_pnl"] / n,
            mean_perp_pnl=s["perp_pnl"] / n,
            mean_option_pnl=s["option_pnl"] / n,
            mean_rebalances=c["rebalances"] / n,
            std_unhedged_return=math.sqrt(var_unhedged),
            std_hedged_return=math.sqrt(var_hedged),
            hedge_effectiveness=1.0 - var_hedged / var_unhedged if var_unhedged > 0 else None,
            hist_edges=edges, hist_counts=coarse,
            quantile_resolution=hist.width,
            legs=self._legs(), assets=tuple(AssetResult(symbol, self.sums[f"asset:{i}:price"] / self.n)
                                            for i, symbol in enumerate(cfg.symbols)),
        )

    def _legs(self) -> tuple[LegResult, ...]:
        cfg, n, s = self.model.config, self.n, self.sums
        pools = tuple(LegResult(p.name, "pool", p.asset + (f"/{p.quote}" if p.quote else ""),
                                (s[f"pool:{j}:pnl"] + s[f"pool:{j}:fees"]) / n, s[f"pool:{j}:fees"] / n, 0.0,
                                s[f"pool:{j}:il"] / n, 0.0) for j, p in enumerate(cfg.pools))
        perps = tuple(LegResult(p.name, "perp", p.asset, s[f"perp:{i}:pnl"] / n, s[f"perp:{i}:fees"] / n,
                                s[f"perp:{i}:funding"] / n, 0.0, s[f"perp:{i}:liquidated"] / n)
                      for i, p in enumerate(cfg.perps))
        return pools + perps


def _variance(total: float, squares: float, n: int) -> float:
    if n < 2:
        return 0.0
    return max(squares - total * total / n, 0.0) / (n - 1)


def _median_step(liq_hist: np.ndarray) -> float:
    cum = np.cumsum(liq_hist)
    total = int(cum[-1])
    lower = int(np.searchsorted(cum, (total + 1) // 2, side="left"))
    upper = int(np.searchsorted(cum, total // 2 + 1, side="left"))
    return (lower + upper) / 2.0


def _plot_histogram(hist: Histogram, counts: np.ndarray) -> tuple[tuple[float, ...], tuple[int, ...]]:
    """Re-bin the fine histogram into PLOT_BINS bins over its 0.1%..99.9% range."""
    lo, hi = hist.quantile(counts, 0.001), hist.quantile(counts, 0.999)
    if not hi > lo:
        lo, hi = lo - 0.01, hi + 0.01
    edges = np.linspace(lo, hi, PLOT_BINS + 1)
    centres = hist.lo + (np.arange(FINE_BINS) + 0.5) * hist.width
    which = np.clip(np.searchsorted(edges, centres, side="right") - 1, 0, PLOT_BINS - 1)
    coarse = np.bincount(which, weights=counts, minlength=PLOT_BINS)
    return tuple(float(e) for e in edges), tuple(int(round(x)) for x in coarse)
