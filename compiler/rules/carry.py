"""Funding, fees and carry (H4xx): what holding the strategy earns and pays."""
from __future__ import annotations

from hedgec.numbers import days, money, pct

from .. import diagnostics as diag
from ..config import FRACTION
from ..registry import Pack
from .base import Context

GROUP = "carry"
PACK = Pack(GROUP)
PACK.threshold("limit-tolerance", 0.02, "distance of a limit price from the assumed price before H403 warns",
               FRACTION)

PACK.rule("H401", "funding-paid", "warning", "The hedge pays funding over the horizon.", """
Expected funding over the horizon, from `funding.MARKET` (an annual rate r;
positive: longs pay shorts, so a short receives):
  funding = sign x notional x r x days / 365,   sign = +1 short, -1 long
A negative figure is paid. The warning gives the amount in the base
currency and as a share of the expected fees of the pool the perp hedges
(fees = deposit x fee_apr x days / 365).
""", GROUP)
PACK.rule("H402", "negative-carry", "warning", "The strategy is expected to lose money before price moves.", """
carry = pool fees + funding - cover premiums - trading fees - gas
        + supply income - borrow cost, over the horizon, in the base currency:
  pool fees     = deposit x fee_apr x days / 365
  funding       = as in H401 (+ received, - paid)
  premiums      = amount x annual price x period / 365, per cover leg
  trading fees  = 2 x notional x taker fee (open and close)
  gas           = gas units x gas price x native price
  supply income, borrow cost: of lending legs, as in H805
Warns when the carry is negative.
""", GROUP)
PACK.rule("H403", "limit-may-not-fill", "warning", "A limit order far from the price may never fill.", """
A limit order that is not marketable (a short's sell limit above the
assumed price, a long's buy limit below it) fills only if the price gets
there; until then the pool is unhedged. Warns when
  |limit - price| / price > `limit-tolerance` (default 2%).
A marketable limit (a sell below the price) fills at once and is not
reported.
""", GROUP)


@PACK.check("H401")
def funding_paid(ctx: Context):
    a = ctx.analysis
    all_pools = a.of_kind("pool")
    for perp in ctx.strategy.of_kind("perp"):
        f = a.figures.get(perp.name)
        if f is None or f.funding >= 0:
            continue
        paid = -f.funding
        pools = [all_pools[f.hedges]] if f.hedges in all_pools else list(all_pools.values())
        fees = sum(p.fees for p in pools)
        whose = f"pool `{pools[0].name}`'s" if len(pools) == 1 else "the pools'"
        share = f" ({pct(paid / fees)} of {whose} expected {money(fees, a.base)} of fees)" if fees > 0 else ""
        payer = "shorts pay longs" if f.funding_apr < 0 else "longs pay shorts"
        yield diag.make("H401", f"funding of {pct(f.funding_apr)} apr on {f.market} ({payer}) makes this {f.side} "
                                f"pay about {money(paid, a.base)} over {days(a.horizon_days)}{share}",
                        ctx.where(perp, "side"),
                        notes=(f"funding = {money(f.notional, a.base)} x {pct(abs(f.funding_apr))} x "
                               f"{days(a.horizon_days)} / 365",),
                        data={"funding": f.funding, "funding_apr": f.funding_apr, "pool_fees": fees,
                              "share_of_fees": paid / fees if fees > 0 else None})


@PACK.check("H402")
def negative_carry(ctx: Context):
    a, c = ctx.analysis, ctx.analysis.carry
    if c["net"] >= 0 or a.problems:  # a leg without figures would make the sum meaningless
        return
    base = a.base
    yield diag.make("H402", f"expected carry over {days(a.horizon_days)} is {money(c['net'], base)}: the strategy "
                            f"loses money even if the price does not move", ctx.where(ctx.strategy),
                    notes=(f"fees {money(c['fees'], base)} + funding {money(c['funding'], base)} - cover "
                           f"{money(c['premiums'], base)} - trading fees {money(c['trading_fees'], base)} - gas "
                           f"{money(c['gas'], base)}"
                           + (f" - option premiums {money(c['option_premiums'], base)} - option fees "
                              f"{money(c['option_fees'], base)}" if c["option_premiums"] or c["option_fees"] else "")
                           + (f" + supply income {money(c['supply_income'], base)} - borrow cost "
                              f"{money(c['borrow_cost'], base)}" if c["supply_income"] or c["borrow_cost"] else ""),),
                    hint="a larger deposit, a longer horizon or fewer transactions spread the fixed costs",
                    data=dict(c))


@PACK.check("H403", thresholds=("limit-tolerance",))
def limit_far(ctx: Context):
    tolerance = ctx.threshold("limit-tolerance")
    base = ctx.analysis.base
    for perp in ctx.strategy.of_kind("perp"):
        f = ctx.analysis.figures.get(perp.name)
        if f is None or f.limit_price is None:
            continue
        resting = f.limit_distance > 0 if f.side == "short" else f.limit_distance < 0
        if not resting or abs(f.limit_distance) <= tolerance:
            continue
        move = "rises" if f.side == "short" else "falls"
        yield diag.make("H403", f"the limit {money(f.limit_price, base)} is {pct(abs(f.limit_distance))} from the "
                                f"assumed {money(f.entry_price, base)}: it fills only if the price {move} there, "
                                f"and until then the pool is unhedged", ctx.where(perp, "order"),
                        hint=f"use `order = market`, or a limit within {pct(tolerance)} of the price",
                        data={"limit_price": f.limit_price, "distance": f.limit_distance, "tolerance": tolerance})
