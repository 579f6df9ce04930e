"""Protocol cover (H5xx): is every venue holding funds covered, and can each
cover leg be bought as written?"""
from __future__ import annotations

from hedgec.numbers import days, money, pct

from .. import diagnostics as diag
from hedgec import finance
from ..kinds import KINDS
from ..registry import Pack
from .base import Context

GROUP = "cover"
PACK = Pack(GROUP)

PACK.rule("H501", "uncovered-funds", "warning", "A venue holds funds with no cover protecting them.", """
Every leg that leaves funds at a venue (a pool's deposit at the AMM, a
perp's collateral at the exchange) is exposed to that protocol failing. A
leg no `cover` block `protects` is reported with the amount at risk and,
where the catalog lists a product for the venue, the indicative premium:
amount x annual price x horizon / 365.
""", GROUP)
PACK.rule("H502", "cover-below-funds", "warning", "Cover smaller than the funds it protects.", """
A claim pays at most the cover amount. Warns when amount < funds held by
the protected leg (a pool's deposit, a perp's collateral), in the base
currency, and gives the share covered: amount / funds.
""", GROUP)
PACK.rule("H503", "cover-period-short", "warning", "Cover ends before the strategy does.", """
Warns when the cover period is shorter than the strategy's `horizon`: the
days from period to horizon are held without cover.
""", GROUP)
PACK.rule("H504", "cover-period-out-of-limits", "error", "A cover period the provider does not sell.", """
The provider sells cover for a period between its product's minimum and
maximum (Nexus Mutual Cover.sol: 28 to 365 days). A period outside these
limits cannot be bought.
""", GROUP)
PACK.rule("H505", "cover-protocol-not-covered", "error", "The provider does not cover the protected venue.", """
The provider must list a product covering the venue that holds the
protected funds. Nexus Mutual's dYdX product (id 28) covers the
Ethereum-settled dydx exchange, not the dydx_v4 chain; Uniswap v2 and v3
have products 71 and 72.
""", GROUP)
PACK.rule("H506", "cover-currency-not-accepted", "error", "Cover in a currency the provider does not accept.", """
Cover is bought in one of the product's cover assets (Nexus Mutual: ETH,
USDC, cbBTC); an amount in another asset cannot be bought.
""", GROUP)
PACK.rule("H507", "cover-premium", "info", "The premium a cover leg costs.", """
premium = amount x annual price x period / 365 (Nexus Mutual
StakingProducts.sol), in the base currency. The catalog's annual price is
indicative: the live price rises with the capacity used, so quote the
provider before buying.
""", GROUP)


@PACK.check("H501")
def uncovered(ctx: Context):
    a = ctx.analysis
    for leg in ctx.strategy.legs:
        if leg.name not in a.figures or ctx.graph.protectors(leg.name) or not KINDS[leg.kind].holds_funds:
            continue
        at_risk, venue = a.funds_held(leg.name), ctx.graph.venue_of(leg.name)
        products = [p for p in ctx.catalog.cover_products.values() if venue in p.covers]
        if products:
            product = products[0]
            premium = finance.cover_premium(at_risk, product.annual_price, a.horizon_days)
            hint = (f"add a `cover` with `protects = {leg.name}`: {product.provider} {product.title or product.name} "
                    f"cover (product {product.product_id}) costs about {money(premium, a.base)} for "
                    f"{days(a.horizon_days)}")
        else:
            hint = f"no provider in the catalog covers {venue}; size the position to a loss you can bear"
        yield diag.make("H501", f"{leg.kind} `{leg.name}` holds {money(at_risk, a.base)} on {venue} with no "
                                f"cover protecting it", ctx.where(leg), hint=hint,
                        data={"venue": venue, "at_risk": at_risk})


@PACK.check("H502", "H503", "H504", "H505", "H506", "H507")
def cover_legs(ctx: Context):
    a = ctx.analysis
    for cover in ctx.strategy.of_kind("cover"):
        f = a.figures.get(cover.name)
        if f is None:
            continue
        product = ctx.catalog.cover_product_for(cover.provider, f.venue)
        if product is None:
            covered = sorted({v for p in ctx.catalog.cover_products.values() if p.provider == cover.provider
                              for v in p.covers})
            yield diag.make("H505", f"{cover.provider} has no cover for {f.venue}, where `{f.protects}` holds its "
                                    f"funds", ctx.where(cover, "protects"),
                            hint=f"{cover.provider} covers {', '.join(covered)}" if covered else None,
                            notes=_venue_note(ctx, f.venue), data={"venue": f.venue})
            continue
        yield from _amount(ctx, cover, f, product)
        yield from _period(ctx, cover, f, product)
        yield _premium(ctx, cover, f, product)


def _venue_note(ctx: Context, venue: str) -> tuple[str, ...]:
    v = ctx.catalog.venue(venue)
    note = v.source.note if v is not None else None
    return (" ".join(note.split()),) if note else ()


def _amount(ctx: Context, cover, f, product):
    base = ctx.analysis.base
    if cover.amount.asset not in product.currencies:
        yield diag.make("H506", f"{cover.provider} does not sell cover in {cover.amount.asset}; "
                                f"{product.title or product.name} cover is bought in {', '.join(product.currencies)}",
                        ctx.where(cover, "amount"), data={"currency": cover.amount.asset,
                                                         "accepted": list(product.currencies)})
    if f.amount < f.funds_at_risk * (1 - 1e-9):
        yield diag.make("H502", f"cover of {money(f.amount, base)} protects only {pct(f.amount / f.funds_at_risk)} "
                                f"of the {money(f.funds_at_risk, base)} `{f.protects}` holds on {f.venue}",
                        ctx.where(cover, "amount"), hint=f"raise `amount` to {money(f.funds_at_risk, base)}",
                        data={"amount": f.amount, "at_risk": f.funds_at_risk})


def _period(ctx: Context, cover, f, product):
    horizon = ctx.analysis.horizon_days
    if not product.min_period_days <= f.period_days <= product.max_period_days:
        yield diag.make("H504", f"{cover.provider} sells {product.title or product.name} cover (product "
                                f"{product.product_id}) for {product.min_period_days} to {product.max_period_days} "
                                f"days; {days(f.period_days)} is outside", ctx.where(cover, "period"),
                        data={"period_days": f.period_days, "min_period_days": product.min_period_days,
                              "max_period_days": product.max_period_days})
    if f.period_days < horizon:
        yield diag.make("H503", f"cover runs {days(f.period_days)} but the strategy is held {days(horizon)}: the "
                                f"last {days(horizon - f.period_days)} are uncovered", ctx.where(cover, "period"),
                        hint=f"set `period = {days(horizon)}`",
                        data={"period_days": f.period_days, "horizon_days": horizon})


def _premium(ctx: Context, cover, f, product) -> diag.Diagnostic:
    base = ctx.analysis.base
    return diag.make("H507", f"cover `{cover.name}` costs about {money(f.premium, base)}: {money(f.amount, base)} x "
                             f"{pct(f.annual_price)}/yr x {days(f.period_days)} / 365",
                     ctx.where(cover), notes=("indicative price; quote the provider before buying",)
                     if not (product.price_source and product.price_source.verified) else (),
                     data={"premium": f.premium, "annual_price": f.annual_price, "product_id": f.product_id})
