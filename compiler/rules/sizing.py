"""Hedge sizing (H2xx): is each short the size, asset and side of the pool
exposure it hedges, and do the hedges add up, per pool and per asset?

Every leg reports its delta per asset at entry (its kind's `exposure`); the
checks here compare those figures, so a two-asset pool (WBTC/ETH) is hedged
by one short per token, and two shorts on one pool add up."""
from __future__ import annotations

from hedgec.numbers import lev, money, pct, qty

from .. import diagnostics as diag
from ..config import FRACTION
from ..kinds import KINDS
from ..registry import Pack
from ..units import price_symbol
from .base import Context

GROUP = "sizing"
PACK = Pack(GROUP)
PACK.threshold("size-tolerance", 0.05, "relative gap between a hedge and its required size before H201 warns",
               FRACTION)

PACK.rule("H201", "hedge-size-off", "warning", "A hedge is off the size its pool needs.", """
A perp's size is its notional over the entry price: size = collateral x
leverage / price. The size a pool needs is its volatile-asset amount at
entry times `ratio` (default 100%):
  Uniswap v2:  x = deposit / (2 p)                   (half the deposit)
  Uniswap v3:  L = V / (2 sqrt(p) - sqrt(a) - p / sqrt(b)),
               x = L (sqrt(b) - sqrt(p)) / (sqrt(p) sqrt(b))   for range a .. b
Warns when |size / required - 1| > `size-tolerance` (default 5%). A short
that is too small leaves the pool's price risk open; one that is too large
is a directional bet.
""", GROUP)
PACK.rule("H202", "naked-above-range", "warning", "Above a v3 range top the short hedges nothing.", """
A concentrated (Uniswap v3) position above its range top b is all quote
asset: it holds none of the volatile asset (amount0 = 0), while a short sized
at entry keeps its full size. From price b upward the short is naked and
loses as the price rises. The warning names b; re-size (`rebalance`) or close
the short when the price leaves the range.
""", GROUP)
PACK.rule("H203", "leverage-from-size", "info", "Leverage follows from the size the hedge needs.", """
A perp that gives `collateral` and `hedges` but no `leverage` is sized to
the pool: notional = required size x entry price, and
leverage = notional / collateral. Both figures are reported. A perp with
neither `leverage` nor `hedges` is taken at 1x.
""", GROUP)
PACK.rule("H204", "hedge-wrong-side", "error", "A long perp cannot hedge a pool.", """
A liquidity pool is long its volatile asset (its delta is the volatile
amount, x > 0). Only a short offsets it; a long doubles the exposure.
""", GROUP)
PACK.rule("H205", "hedge-wrong-asset", "error", "A perp hedges a pool of another asset.", """
The perp market's base asset must be a token the pool holds (wrapped tokens
count as their underlying: WBTC hedges with BTC-USD; a WBTC/ETH pool is
hedged with BTC-USD and ETH-USD). A short in another asset leaves the
pool's exposure open and adds a second one.
""", GROUP)
PACK.rule("H206", "over-hedged", "error", "The hedges short more of an asset than is held.", """
Per pool, the shorts that name it (`hedges`) in one asset add up; per asset,
every leg's delta at entry adds up across the strategy (pools long their
tokens, shorts negative). Two shorts that each hedge 100% of one pool short
200% of it: the strategy is then net short as much as the pool holds, a
directional bet the other way. Fails when two or more shorts together exceed
what is held by more than `size-tolerance` (default 5%; one short alone off
its size is H201's); the message gives the percentage. Split one pool
between hedges with `ratio` (e.g. 50% and 50%).
""", GROUP)
PACK.rule("H207", "token-unhedged", "warning", "A pool's token is left unhedged while another is hedged.", """
A pool of two volatile tokens (WBTC/ETH) is long both: its delta in each is
the amount of it held. Hedged in one token only, the other's price risk
stays open. Add a short on the other token's market that `hedges` the pool.
""", GROUP)


def _hedging(ctx: Context):
    """(perp leg, perp figures, pool figures) for every perp that hedges a pool."""
    a = ctx.analysis
    pools = a.of_kind("pool")
    for perp in ctx.strategy.of_kind("perp"):
        figures = a.figures.get(perp.name)
        if figures and figures.hedges in pools:
            yield perp, figures, pools[figures.hedges]


def _held(ctx: Context, pool) -> dict[str, float]:
    """Units of each token the pool holds at entry, by price symbol."""
    return ctx.analysis.exposure_of(pool.name)


def _hedges_right_thing(perp, f, pool, ctx: Context) -> bool:
    return perp.side == "short" and price_symbol(f.asset) in _held(ctx, pool)


@PACK.check("H204", "H205")
def wrong_side_or_asset(ctx: Context):
    for perp, f, pool in _hedging(ctx):
        held = _held(ctx, pool)
        if price_symbol(f.asset) not in held:
            tokens = " and ".join(dict.fromkeys((pool.asset, pool.quote) if len(held) > 1 else (pool.asset,)))
            markets = ", ".join(f"{s}-USD" for s in held)
            yield diag.make("H205", f"{perp.market} does not hedge pool `{pool.name}`, which holds "
                                    f"{tokens}", ctx.where(perp, "market"),
                            hint=f"use a market of a token the pool holds, e.g. {markets}",
                            data={"market_asset": f.asset, "pool_assets": sorted(held)})
        elif perp.side != "short":
            yield diag.make("H204", f"a long does not hedge pool `{pool.name}`: the pool is already long "
                                    f"{pool.asset}, so this doubles the exposure",
                            ctx.where(perp, "side"), hint="set `side = short`")


@PACK.check("H201", thresholds=("size-tolerance",))
def size_off(ctx: Context):
    tolerance = ctx.threshold("size-tolerance")
    for perp, f, pool in _hedging(ctx):
        if not _hedges_right_thing(perp, f, pool, ctx) or f.coverage is None or abs(f.coverage - 1) <= tolerance:
            continue
        base = ctx.analysis.base
        needed = f.required_size * f.entry_price
        ratio = f" x ratio {pct(perp.ratio)}" if perp.ratio != 1 else ""
        token = _token(pool, f.asset)
        yield diag.make(
            "H201",
            f"the hedge is {qty(f.size, f.asset)} ({money(f.notional, base)}) but pool `{pool.name}` holds "
            f"{qty(_held(ctx, pool)[price_symbol(f.asset)], token)}{ratio} at entry: it covers {pct(f.coverage)} of the "
            f"exposure", ctx.where(perp, "hedges"),
            hint=f"hedge {qty(f.required_size, f.asset)} ({money(needed, base)} of notional): e.g. "
                 f"{money(needed, base)} of collateral at 1x, or drop `leverage` so it follows from `hedges`",
            notes=(f"size = collateral x leverage / price = {money(f.collateral, base)} x {lev(f.leverage)} / "
                   f"{money(f.entry_price, base)}; off by more than the {pct(tolerance)} `size-tolerance`",),
            data={"size": f.size, "required_size": f.required_size, "notional": f.notional,
                  "required_notional": needed, "coverage": f.coverage, "tolerance": tolerance})


@PACK.check("H202")
def naked_above_range(ctx: Context):
    for perp, f, pool in _hedging(ctx):
        if pool.model != "concentrated" or pool.range_high is None or pool.volatile_amount <= 0 \
                or not _hedges_right_thing(perp, f, pool, ctx) or perp.rebalance is not None \
                or price_symbol(f.asset) != price_symbol(pool.asset):
            continue  # naked from entry is H201's; a rebalanced short shrinks with the pool's holding
        top = money(pool.range_high, pool.quote)
        notes = ()
        if f.liquidation_price > pool.range_high:
            notes = (f"between {top} and the liquidation price {money(f.liquidation_price, ctx.analysis.base)} "
                     f"the short loses with nothing to offset it",)
        yield diag.make("H202", f"above {top} pool `{pool.name}` holds no {pool.asset}: the "
                                f"{qty(f.size, f.asset)} short is then naked", ctx.where(perp, "hedges"),
                        hint=f"close or re-size the short when {pool.asset} leaves the range "
                             f"(e.g. `rebalance = 10%`), or widen the range", notes=notes,
                        data={"range_high": pool.range_high, "size": f.size})


@PACK.check("H203")
def leverage_from_size(ctx: Context):
    base = ctx.analysis.base
    for perp in ctx.strategy.of_kind("perp"):
        f = ctx.analysis.figures.get(perp.name)
        if f is None or not f.leverage_derived:
            continue
        if f.required_size is None:
            message = "no `leverage` and no `hedges`: the position is taken at 1x"
        else:
            message = (f"leverage follows from the hedge size: {qty(f.size, f.asset)} "
                       f"({money(f.notional, base)}) on {money(f.collateral, base)} of collateral is "
                       f"{lev(f.leverage)}")
        yield diag.make("H203", message, ctx.where(perp, "collateral"),
                        data={"notional": f.notional, "leverage": f.leverage, "collateral": f.collateral})


def _token(pool, asset: str) -> str:
    """The pool's own name for the token a market trades (WBTC for BTC-USD)."""
    return pool.asset if price_symbol(asset) == price_symbol(pool.asset) else pool.quote


@PACK.check("H206", "H207", thresholds=("size-tolerance",))
def hedges_add_up(ctx: Context):
    """Per pool and asset, the shorts naming the pool against what it holds;
    per asset, the strategy's shorts against its longs."""
    tolerance = ctx.threshold("size-tolerance")
    over_pool = set()
    by_pool: dict[str, dict[str, list]] = {}  # pool -> price symbol -> its shorts; one pass over the perps
    for perp, f, pool in _hedging(ctx):
        if _hedges_right_thing(perp, f, pool, ctx):
            by_pool.setdefault(pool.name, {}).setdefault(price_symbol(f.asset), []).append((perp, f))
    for pool in ctx.analysis.of_kind("pool").values():
        shorts = by_pool.get(pool.name)
        if not shorts:
            continue
        for symbol, held in _held(ctx, pool).items():
            legs = shorts.get(symbol, [])
            if not legs:
                yield _unhedged(ctx, pool, symbol, held, shorts)
                continue
            total = sum(f.size for _, f in legs)
            if len(legs) > 1 and total > held * (1 + tolerance):  # one leg alone is H201's
                over_pool.add(symbol)
                yield _over(ctx, legs[-1][0], f"the shorts that hedge pool `{pool.name}`", legs, total, held,
                            _token(pool, legs[0][1].asset), tolerance)
    for symbol, net in ctx.analysis.exposure.items():
        if symbol in over_pool or not net.short > net.long * (1 + tolerance):
            continue
        legs = [(perp, f) for perp in ctx.strategy.of_kind("perp")
                if (f := ctx.analysis.figures.get(perp.name)) and f.side == "short" and price_symbol(f.asset) == symbol]
        if len(legs) > 1 and net.long > 0:
            yield _over(ctx, legs[-1][0], "the strategy's shorts", legs, net.short, net.long, symbol, tolerance)


def _over(ctx: Context, perp, whose: str, legs, short: float, held: float, token: str, tolerance: float):
    names = ", ".join(f"`{p.name}` {qty(f.size, f.asset)}" for p, f in legs)
    share = short / held if held else None
    of = f"{pct(share)} of the {qty(held, token)} held" if held else f"with no {token} held"
    return diag.make(
        "H206", f"over-hedged: {whose} in {price_symbol(token)} total {qty(short, price_symbol(token))}, {of}: "
                f"the strategy is net short {qty(short - held, price_symbol(token))}",
        ctx.where(perp, "hedges" if perp.hedges else "side"),
        hint="split the pool between its hedges with `ratio` (e.g. 50% each), or drop one of them",
        notes=(f"shorts: {names}; more than the {pct(tolerance)} `size-tolerance` over",),
        data={"asset": price_symbol(token), "short": short, "long": held, "share": share, "tolerance": tolerance})


def _unhedged(ctx: Context, pool, symbol: str, held: float, shorts: dict):
    token = pool.quote if symbol != price_symbol(pool.asset) else pool.asset
    perp = next(iter(shorts.values()))[-1][0]
    return diag.make("H207", f"pool `{pool.name}` holds {qty(held, token)} that no hedge covers: only its "
                             + " and ".join(sorted(shorts)) + " is hedged", ctx.where(ctx.strategy.block(pool.name)),
                     hint=f"add a short on {symbol}-USD with `hedges = {pool.name}`", notes=(
                         f"hedged by `{perp.name}`",), data={"asset": symbol, "held": held})


@PACK.check("H201", thresholds=("size-tolerance",))
def net_hedge_off(ctx: Context):
    """A pool hedged by other legs than perps (a loan): the hedges' deltas summed
    (each kind's `exposure`) against the pool's. Perp-only pools are `size_off`'s."""
    tolerance = ctx.threshold("size-tolerance")
    a = ctx.analysis
    for name, pool in a.of_kind("pool").items():
        hedgers = [h for h in ctx.graph.hedgers(name) if h in a.figures]
        if all(a.kinds[h] == "perp" for h in hedgers) or pool.volatile_amount <= 0:
            continue
        symbol = price_symbol(pool.asset)
        short = -sum(KINDS[a.kinds[h]].exposure(a.figures[h]).get(symbol, 0.0) for h in hedgers)
        coverage = short / pool.volatile_amount
        if abs(coverage - 1) <= tolerance:
            continue
        legs = ", ".join(f"`{h}`" for h in hedgers)
        first = next(h for h in hedgers if a.kinds[h] != "perp")
        yield diag.make("H201", f"the hedges of pool `{name}` ({legs}) are {qty(short, pool.asset)} short but it "
                                f"holds {qty(pool.volatile_amount, pool.asset)} at entry: they cover {pct(coverage)} "
                                f"of the exposure", ctx.where(ctx.strategy.block(first), "hedges"),
                        hint=f"size the hedges to {qty(pool.volatile_amount, pool.asset)} short in all",
                        notes=(f"off by more than the {pct(tolerance)} `size-tolerance`",),
                        data={"size": short, "required_size": pool.volatile_amount, "coverage": coverage,
                              "tolerance": tolerance})
