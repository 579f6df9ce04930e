"""`cover`: protocol cover (Nexus Mutual) for the funds a leg holds at its venue."""
from __future__ import annotations

from typing import Mapping

from hedgec import finance
from hedgec.numbers import money_cents as money, tokens
from hedgec.record import record

from .. import ir
from ..ir import _span, _spans
from ..schema import HORIZON, POSITIVE, Key
from ..source import Span
from ..units import Amount
from .base import FROM, Checklist, Drawing, Kind, Reference

CLAIM_VOTE_DAYS = 3  # Nexus Mutual claim assessment vote


@record
class CoverLeg(ir.Block):
    name: str
    provider: str
    protects: ir.Ref
    amount: Amount
    period: ir.Duration
    source: ir.Ref
    span: Span = _span()
    spans: Mapping[str, Span] = _spans()

    kind = "cover"


@record
class CoverFigures:
    name: str
    provider: str
    product: str | None
    product_id: int | None
    protects: str
    venue: str  # the venue whose funds are covered
    amount: float  # in base
    currency: str
    period_days: float
    annual_price: float | None
    premium: float | None  # in base
    funds_at_risk: float  # what the protected leg holds at its venue, in base


def analyse(cover: CoverLeg, ctx) -> CoverFigures:
    protected = cover.protects.name
    venue = ctx.graph.venue_of(protected)
    product = ctx.catalog.cover_product_for(cover.provider, venue)
    amount = ctx.base_value(cover.amount)
    premium = finance.cover_premium(amount, product.annual_price, cover.period.days) if product else None
    return CoverFigures(cover.name, cover.provider, product.name if product else None,
                        product.product_id if product else None, protected, venue, amount,
                        cover.amount.asset, cover.period.days, product.annual_price if product else None,
                        premium, ctx.funds_held(protected))


def label(k: CoverFigures, base: str) -> list[str]:
    premium = f", premium {money(k.premium, base)}" if k.premium is not None else ""
    return [f"{k.provider} on {k.venue}", f"{money(k.amount, base)}, {k.period_days:g}d{premium}"]


def plan(c, leg: CoverLeg) -> dict:
    k = c.analysis.figures[leg.name]
    product = c.catalog.cover_product_for(k.provider, k.venue)
    return {
        "name": k.name, "provider": k.provider, "product": k.product, "product_id": k.product_id,
        "protects": k.protects, "venue": k.venue, "amount": k.amount, "currency": k.currency,
        "period_days": k.period_days, "annual_price": k.annual_price, "premium": k.premium,
        "grace_days": product.grace_days if product else None, "funds_at_risk": k.funds_at_risk,
    }


def catalog_figures(c, k: CoverFigures) -> dict:
    if not k.product:
        return {}
    p = c.catalog.cover_product_for(k.provider, k.venue)
    return {"cover_products": {f"{k.provider}/{k.product}": {
        "product_id": p.product_id, "title": p.title, "annual_price": p.annual_price,
        "min_period_days": p.min_period_days, "max_period_days": p.max_period_days,
        "grace_days": p.grace_days, "currencies": list(p.currencies),
        "claim_deposit": {"amount": p.claim_deposit, "asset": p.claim_deposit_asset},
        "source": c.source_of(p.source), "price_source": c.source_of(p.price_source)}}}


# ---- checklist ---------------------------------------------------------------
def _needs(b, name: str):
    k = b.figures(name)
    if k.premium is None:
        return []
    return [(b.qty(b.in_asset(k.premium, k.currency), k.currency),
             f"premium for {money(k.amount, b.base)} of {k.provider} cover over {k.period_days:g} days.")]


def _buy(b, name: str) -> None:
    k = b.figures(name)
    product = f"product {k.product_id} ({k.product})" if k.product_id is not None else "no catalog product"
    premium = money(k.premium, b.base) if k.premium is not None else "unknown (no catalog price)"
    b.add("cover", "approve", f"Approve {k.currency} for the {k.provider} cover purchase", name,
          venue=k.provider, gas=b.gas(name, "approve"))
    b.add("cover", "buy_cover", f"Buy {k.provider} cover for {k.venue} (protects `{k.protects}`)", name,
          venue=k.provider, amounts=(b.qty(k.amount, b.base),), gas=b.gas(name, "buy_cover"),
          details=(f"Protocol: {k.venue}, {product}.",
                   f"Cover amount: {money(k.amount, b.base)}"
                   + (f" (in {k.currency})" if k.currency != b.base else "")
                   + f"; funds at risk there: {money(k.funds_at_risk, b.base)}.",
                   f"Period: {k.period_days:g} days; premium {premium}"
                   + (f" ({k.annual_price:.2%} a year, indicative: get a live quote)." if k.annual_price
                      else "."),
                   "Keep the cover id: a claim needs it."))


def _verify(b, name: str) -> None:
    k = b.figures(name)
    b.add("verify", "cover_active", f"Check cover `{name}` is active on {k.provider}", name,
          venue=k.provider, details=(f"{money(k.amount, b.base)} on {k.venue} for {k.period_days:g} days; "
                                     "note the cover id and its end date.",))


def _monitor(b, name: str) -> None:
    k = b.figures(name)
    b.add("monitor", "cover_expiry", f"Note when cover `{name}` ends: {k.period_days:g} days after purchase",
          name, venue=k.provider,
          details=(f"The strategy runs {b.c.analysis.horizon_days:g} days; renew the cover before it ends if you "
                   "keep the position longer.",))


def _grace(b, k: CoverFigures) -> str:
    product = b.c.catalog.cover_product_for(k.provider, k.venue)
    return f"{product.grace_days}" if product else "the product's grace"


def _expire(b, name: str) -> None:
    k = b.figures(name)
    b.add("unwind", "cover_end", f"Let cover `{name}` run out, or renew it", name, venue=k.provider,
          details=(f"It ends {k.period_days:g} days after purchase; claims stay possible for {_grace(b, k)} more "
                   "days.", "Renew only if funds stay on " + k.venue + "."))


def _incident(b, name: str) -> None:
    k = b.figures(name)
    product = b.c.catalog.cover_product_for(k.provider, k.venue)
    deposit = (f"{tokens(product.claim_deposit, product.claim_deposit_asset)} claim deposit"
               if product else "the claim deposit")
    b.add("incident", "claim", f"If {k.venue} is exploited: file a claim on cover `{name}`", name,
          venue=k.provider, amounts=(b.qty(k.amount, b.base),), gas=b.gas(name, "claim"),
          details=(f"With {k.provider} for product {k.product_id} ({k.product}); claim up to "
                   f"{money(k.amount, b.base)}.",
                   f"File within the cover period plus {_grace(b, k)} days; pay {deposit}.",
                   "Evidence: the cover id; your address and the transactions that put the funds on "
                   f"{k.venue} (deposit or add-liquidity hashes); balances before and after the incident; "
                   "the public incident report or exploit transactions.",
                   f"Assessors vote for {CLAIM_VOTE_DAYS} days; redeem an approved payout within the "
                   "redemption period."))


KIND = Kind(
    name="cover",
    doc="protocol cover for the funds a leg holds at its venue",
    ir_class=CoverLeg,
    keys={
        "provider": Key("name", "The cover provider, e.g. `nexus_mutual`.", required=True),
        "protects": Key("ref", "The leg whose venue holds the funds covered.", required=True),
        "amount": Key("amount", "The cover amount.", required=True, domain=POSITIVE),
        "period": Key("duration", "How long the cover runs.", required=True, domain=HORIZON),
        "from": Key("ref", "The wallet that pays the premium.", required=True),
    },
    # Cover is bought before the funds it protects go in.
    references=(FROM, Reference("protects", "protects", ("funds",), before_target=True)),
    venue_key="provider",
    venue_kind="cover",
    section="covers",
    problem_key="amount",
    analyse=analyse,
    carry=lambda k: {"premiums": k.premium or 0.0},
    setup=("approve", "buy_cover"),
    drawing=Drawing("note", ("{{", "}}"), label),
    plan=plan,
    catalog_figures=catalog_figures,
    review=(("amount", "amount", "money"), ("premium", "premium", "money"),
            ("funds_at_risk", "funds at risk", "money")),
    checklist=Checklist(needs=_needs, cover=_buy, verify=_verify, monitor=_monitor, expire=_expire,
                        incident=_incident),
)
