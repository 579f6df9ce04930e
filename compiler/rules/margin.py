"""Leverage, margin and liquidation (H3xx), isolated margin per market with
the catalog's initial (IMF) and maintenance (MMF) margin fractions."""
from __future__ import annotations

from hedgec.numbers import days, lev, money, pct, qty

from .. import diagnostics as diag
from ..config import CHANCE, LEVERAGE
from ..registry import Pack
from .base import Context

GROUP = "margin"
PACK = Pack(GROUP)
PACK.threshold("liquidation-warn", 0.05, "chance of touching the liquidation price over the horizon above which H303 warns",
               CHANCE, at_most="liquidation-error")
PACK.threshold("liquidation-error", 0.25, "chance of touching the liquidation price over the horizon above which H304 fails",
               CHANCE)
PACK.threshold("advised-max-leverage", 3, "leverage above which a hedge gets the H305 advice", LEVERAGE)

PACK.rule("H301", "leverage-above-max", "error", "Leverage above the market's maximum.", """
Each market allows at most 1 / IMF leverage (IMF: initial margin fraction,
from the catalog): BTC-USD and ETH-USD on dydx 1 / 5% = 20x, AVAX-USD
1 / 10% = 10x. The exchange refuses a position whose collateral is below
notional x IMF, so the hint gives the collateral the notional needs:
collateral >= notional x IMF.
""", GROUP)
PACK.rule("H302", "collateral-below-initial-margin", "error", "Collateral below the initial margin.", """
When leverage follows from the hedge size, the collateral must cover the
initial margin of the required notional: collateral >= notional x IMF, i.e.
leverage = notional / collateral <= 1 / IMF. Otherwise the exchange refuses
to open the position.
""", GROUP)
_LIQUIDATION = """
Liquidation price (isolated margin; s size, E entry, C collateral, m MMF):
  long:  p = (s E - C) / (s (1 - m))      (0 when C >= s E: never liquidated)
  short: p = (C + s E) / (s (1 + m))
(dYdX: short 3 ETH at 3,000 with 1,000 of equity and m = 5% liquidates at
3,174.60.) The chance of touching p within the horizon T (in years) is that
of a geometric Brownian motion of annual volatility sigma (`vol.ASSET`) and
annual drift mu (`drift.ASSET`, default 0: the price is a martingale, as in
`hedgec simulate`). Its log drifts by nu = mu - sigma^2 / 2 a year; with
b = |ln(p / E)| and nu' = nu for a short (barrier above), -nu for a long:
  P = N((nu' T - b) / (sigma sqrt T)) + exp(2 nu' b / sigma^2) N((-nu' T - b) / (sigma sqrt T))
(the v2 example's short at 3,000, sigma 60%, 90 days, liquidated at 5,825.24:
1.845%). A martingale price drifts down in log, so a short's liquidation is
touched less often than a long's at the same log distance. Continuous
monitoring: a margin checked discretely touches a little less often.
"""
PACK.rule("H303", "liquidation-risk", "warning", "The hedge may be liquidated within the horizon.",
     _LIQUIDATION + "\nWarns above `liquidation-warn` (default 5%).", GROUP)
PACK.rule("H304", "liquidation-likely", "error", "The hedge is likely to be liquidated within the horizon.",
     _LIQUIDATION + "\nFails above `liquidation-error` (default 25%).", GROUP)
PACK.rule("H305", "leverage-above-advised", "info", "A hedge uses more leverage than advised.", """
A hedge is insurance: the less leverage, the farther the liquidation price
and the less the hedge can be lost just when it is needed. 1x or less is
advised for insurance-like hedging; hedgec advises when a perp that hedges a
pool uses more than `advised-max-leverage` (default 3x).
""", GROUP)


def _over_cap(f) -> bool:
    return f.leverage > f.max_leverage * (1 + 1e-9)


@PACK.check("H301", "H302")
def leverage_cap(ctx: Context):
    base = ctx.analysis.base
    for perp, f in ctx.blocks("perp"):
        if not _over_cap(f):
            continue
        data = {"leverage": f.leverage, "max_leverage": f.max_leverage, "imf": f.imf, "notional": f.notional,
                "initial_margin": f.initial_margin, "collateral": f.collateral}
        cap = f"{lev(f.max_leverage)} maximum for {f.market} on {f.venue} (initial margin {pct(f.imf)})"
        if f.leverage_derived:
            yield diag.make("H302", f"collateral {money(f.collateral, base)} is below the initial margin: "
                                    f"{qty(f.size, f.asset)} ({money(f.notional, base)}) needs "
                                    f"{money(f.initial_margin, base)}; this is {lev(f.leverage)}, over the {cap}",
                            ctx.where(perp, "collateral"),
                            hint=f"post at least {money(f.initial_margin, base)} of collateral, or lower `ratio`",
                            data=data)
        else:
            yield diag.make("H301", f"leverage {lev(f.leverage)} exceeds the {cap}", ctx.where(perp, "leverage"),
                            hint=f"lower leverage to {lev(f.max_leverage)} or less, or add collateral: "
                                 f"{money(f.notional, base)} of notional needs at least "
                                 f"{money(f.initial_margin, base)}", data=data)


@PACK.check("H303", "H304", thresholds=("liquidation-error", "liquidation-warn"))
def liquidation_risk(ctx: Context):
    warn, fail = ctx.threshold("liquidation-warn"), ctx.threshold("liquidation-error")
    base, horizon = ctx.analysis.base, ctx.analysis.horizon_days
    for perp, f in ctx.blocks("perp"):
        p = f.liquidation_probability
        if p <= warn:
            continue
        code, limit = ("H304", fail) if p > fail else ("H303", warn)
        move = "rise" if f.side == "short" else "fall"
        yield diag.make(
            code,
            f"a {pct(abs(f.liquidation_distance))} {move} to {money(f.liquidation_price, base)} liquidates this "
            f"{f.side}; over {days(horizon)} at {pct(f.vol)} volatility the chance of touching it is {pct(p)}",
            ctx.where(perp),
            hint="lower leverage or add collateral to move the liquidation price away",
            notes=(f"{f.side} {qty(f.size, f.asset)} at {money(f.entry_price, base)} with "
                   f"{money(f.collateral, base)} of collateral, maintenance margin {pct(f.mmf)}; "
                   f"above the {pct(limit)} threshold",),
            data={"liquidation_price": f.liquidation_price, "distance": f.liquidation_distance,
                  "probability": p, "vol": f.vol, "horizon_days": horizon, "threshold": limit})


@PACK.check("H305", thresholds=("advised-max-leverage",))
def advised_leverage(ctx: Context):
    advised = ctx.threshold("advised-max-leverage")
    for perp, f in ctx.blocks("perp"):
        if f.hedges and f.leverage > advised * (1 + 1e-9):
            yield diag.make("H305", f"a hedge at {lev(f.leverage)} is more leverage than the {lev(advised)} "
                                    f"advised for insurance-like hedging",
                            ctx.where(perp, "leverage" if not f.leverage_derived else "collateral"),
                            hint="1x or less keeps the liquidation price far from entry",
                            data={"leverage": f.leverage, "advised": advised})
