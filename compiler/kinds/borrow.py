"""`borrow`: a loan on a lending venue (Aave v3): stablecoin collateral supplied,
the volatile asset borrowed and sold (a short), or put into the pool whose
`from` names the loan (delta-neutral liquidity). Formulas: hedgec/lending.py;
conventions: docs/lending.md."""
from __future__ import annotations

import math
from typing import Mapping

from hedgec import finance, lending
from hedgec.numbers import money_cents as money, share, tokens
from hedgec.record import record

from .. import diagnostics as diag
from .. import ir
from ..config import ABOVE_ONE
from ..ir import _span, _spans
from ..registry import Threshold
from ..schema import Domain, Key
from ..source import Span
from ..units import Amount, price_symbol
from .base import FROM, Checklist, Drawing, Kind, Reference

# The checklist's health factor alerts: look, then add collateral or repay.
HF_ALERT = Threshold("health-factor-alert", 1.25, "health factor at which the checklist's first alert on a loan "
                     "fires", ABOVE_ONE)
HF_ACT = Threshold("health-factor-act", 1.10, "health factor at which the checklist says to add collateral or "
                   "repay", ABOVE_ONE, at_most="health-factor-alert")


@record
class Borrow(ir.Block):
    name: str
    venue: str
    amount: Amount  # what is borrowed
    source: ir.Ref  # `from`: funds the collateral
    collateral: Amount | None = None  # what is supplied; or sized by target_hf
    target_hf: float | None = None
    resupply: str = "no"  # "yes": the sale proceeds are supplied as collateral too
    hedges: ir.Ref | None = None
    span: Span = _span()
    spans: Mapping[str, Span] = _spans()

    kind = "borrow"


@record
class BorrowFigures:
    name: str
    venue: str
    asset: str  # as written, e.g. ETH
    reserve: str  # the venue's reserve, e.g. WETH
    collateral_asset: str
    collateral_reserve: str
    amount: float  # units borrowed
    entry_price: float  # of the borrowed asset, in base
    debt_value: float  # amount x entry price, in base
    collateral: float  # supplied from the wallet, in base
    collateral_derived: bool  # True when sized by target_hf
    proceeds: float  # sale proceeds supplied too (resupply), in base
    supplied: float  # collateral + proceeds, in base: the funds held on the venue
    funds: str | None  # the pool the borrowed asset goes into, instead of being sold
    ltv: float
    liquidation_threshold: float
    liquidation_bonus: float  # of the collateral reserve
    max_borrow: float  # collateral x LTV, in base: the most the venue lends against it
    health_factor: float
    liquidation_price: float  # of the borrowed asset, where HF reaches 1
    liquidation_distance: float
    liquidation_probability: float  # first passage over the horizon, as perps (H803)
    vol: float
    borrow_apr: float
    supply_apr: float
    borrow_utilization: float  # where the curve was read when the rate is not assumed
    supply_utilization: float
    borrow_cost: float  # over the horizon, in base (positive)
    supply_income: float  # over the horizon, in base
    close_factor: float  # share of the debt the first liquidation at the liquidation price repays
    liquidation_repaid: float  # in base
    liquidation_cost: float  # bonus x repaid: what that liquidation costs, in base
    hedges: str | None
    required_size: float | None  # units the hedged pool holds
    coverage: float | None  # amount / required_size


def reserve_of(catalog, venue: str, asset: str):
    """The venue's reserve for `asset`: by name, else the one priced as it with the
    highest LTV (ETH -> WETH, USD -> USDC)."""
    v = catalog.venue(venue)
    if v is None:
        return None
    if asset in v.reserves:
        return v.reserves[asset]
    alike = [r for name, r in sorted(v.reserves.items()) if price_symbol(name) == price_symbol(asset)]
    return max(alike, key=lambda r: r.ltv, default=None)


def rates(ctx, venue: str, reserve, prefix: str) -> tuple[float, float]:
    """(annual rate, utilisation) of a reserve: assumed, else read on its curve."""
    curve = lending.RateCurve(reserve.rates.base, reserve.rates.slope1, reserve.rates.slope2,
                              reserve.rates.optimal, reserve.rates.reserve_factor)
    u = reserve.utilization
    on_curve = curve.borrow(u) if prefix == "borrow_rate" else curve.supply(u)
    note = (f"{venue} {reserve.asset} rate curve at the assumed {u:.0%} utilisation "
            f"(an assumption, not a protocol figure; utilisation moves daily)")
    return ctx.assumed.lending_rate(prefix, reserve.asset, on_curve, f"{venue}/{reserve.asset}", note), u


def analyse(b: Borrow, ctx) -> BorrowFigures | None:
    catalog = ctx.catalog
    debt_reserve = reserve_of(catalog, b.venue, b.amount.asset)
    collateral_asset = b.collateral.asset if b.collateral is not None else ctx.prices.base
    coll_reserve = reserve_of(catalog, b.venue, collateral_asset)
    if coll_reserve is None and b.collateral is None:
        raise ValueError(f"`{b.venue}` lists no reserve of the base {collateral_asset} to supply: "
                         "add `collateral = AMOUNT` in a listed asset")
    if debt_reserve is None or coll_reserve is None or (b.collateral is None) == (b.target_hf is None) \
            or b.amount.value <= 0:
        return None  # reported by resolve
    venue = catalog.venue(b.venue)
    price = ctx.prices.rate(b.amount.asset, ctx.prices.base)
    q = b.amount.value
    debt_value = q * price
    lt = coll_reserve.liquidation_threshold
    funds = funded_pool(ctx.strategy, b.name, b.amount.asset)
    proceeds = debt_value if b.resupply == "yes" and funds is None else 0.0
    if b.target_hf is not None:
        collateral = lending.collateral_for_health_factor(b.target_hf, q, price, lt, proceeds)
    else:
        collateral = ctx.base_value(b.collateral)
    supplied = collateral + proceeds
    hf = lending.short_health_factor(supplied, q, price, lt)
    liq = lending.short_liquidation_price(collateral, q, lt, proceeds)
    vol = ctx.assumed.vol(b.amount.asset)
    years = ctx.days / finance.DAYS_PER_YEAR
    probability = finance.touch_probability(price, liq, vol, years, ctx.assumed.drift(b.amount.asset),
                                            direction="up") if liq > 0 else 1.0
    borrow_apr, borrow_u = rates(ctx, b.venue, debt_reserve, "borrow_rate")
    supply_apr, supply_u = rates(ctx, b.venue, coll_reserve, "supply_rate")
    rules = close_factor_rules(venue)
    first = lending.liquidate(supplied, q, liq * (1 + 1e-9), lt, coll_reserve.liquidation_bonus, rules=rules) \
        if liq > 0 else None
    repaid = first.repaid * liq if first else 0.0
    required = _required_size(b, ctx)
    return BorrowFigures(
        b.name, b.venue, b.amount.asset, debt_reserve.asset, collateral_asset, coll_reserve.asset, q, price,
        debt_value, collateral, b.target_hf is not None, proceeds, supplied, funds, coll_reserve.ltv, lt,
        coll_reserve.liquidation_bonus, collateral * coll_reserve.ltv, hf, liq,
        finance.liquidation_distance(price, liq) if liq > 0 else -1.0, probability, vol,
        borrow_apr, supply_apr, borrow_u, supply_u,
        debt_value * _growth(borrow_apr, years), supplied * _growth(supply_apr, years),
        first.repaid / q if first else 1.0, repaid, first.penalty if first else 0.0,
        b.hedges.name if b.hedges else None, required, q / required if required else None)


def _growth(apr: float, years: float) -> float:
    """e^{apr t} - 1: what a balance accrues over t years (lending.accrue)."""
    return lending.accrue(1.0, apr, years) - 1.0


def close_factor_rules(venue) -> lending.CloseFactor:
    r = venue.liquidation
    if r is None:
        return lending.CloseFactor()
    return lending.CloseFactor(r.close_factor, r.hf_threshold, r.full_close_below_usd, r.min_leftover_usd)


def funded_pool(strategy, name: str, asset: str) -> str | None:
    """The first pool (in strategy order) of the borrowed asset whose `from` names this
    loan: it takes the borrowed asset (a pool of another asset is H807's)."""
    return next((pool.name for pool in strategy.of_kind("pool") if pool.source.name == name
                 and price_symbol(pool.pair.base) == price_symbol(asset)), None)


def _required_size(b: Borrow, ctx) -> float | None:
    if b.hedges is None:
        return None
    hedged = ctx.exposure(b.hedges.name)
    return hedged.get(price_symbol(b.amount.asset), 0.0) if hedged is not None else None


def exposure(f: BorrowFigures) -> dict[str, float]:
    return {price_symbol(f.asset): -f.amount}


def value(f: BorrowFigures, prices: Mapping, years: float):
    """Equity in base at the borrowed asset's prices (float or array), accrued at
    the assumed rates, before liquidation: the collateral (with any supplied
    proceeds) less the debt, plus the sale proceeds held in the wallet."""
    held = f.debt_value if f.funds is None and not f.proceeds else 0.0
    return (f.supplied * lending.accrue(1.0, f.supply_apr, years) + held
            - f.amount * lending.accrue(1.0, f.borrow_apr, years) * prices[price_symbol(f.asset)])


def resolve(b: Borrow, strategy, catalog):
    venue = catalog.venue(b.venue)
    listed = ", ".join(sorted(venue.reserves))
    for key, asset in (("amount", b.amount.asset), ("collateral", b.collateral.asset if b.collateral else None)):
        if asset is not None and reserve_of(catalog, b.venue, asset) is None:
            yield diag.make("H811", f"`{b.venue}` lists no {asset} reserve", b.at(key),
                            hint=diag.did_you_mean(asset, venue.reserves) or f"listed: {listed}")
            return
    if (b.collateral is None) == (b.target_hf is None):
        both = b.collateral is not None
        yield diag.make("H812", f"`borrow {b.name}` " + ("gives both `collateral` and `target_hf`" if both
                                                         else "needs `collateral` or `target_hf`"),
                        b.at("target_hf") if both else b.span,
                        hint="keep one: `collateral = AMOUNT` supplies that much, `target_hf = 1.5` sizes the "
                             "collateral to that health factor at entry")
    if b.amount.value <= 0:
        yield diag.make("H814", f"`borrow {b.name}` borrows nothing", b.at("amount"),
                        hint="borrow the units of the pool's asset to short, e.g. `amount = 3.3 ETH`")
    if b.collateral is not None and price_symbol(b.collateral.asset) == price_symbol(b.amount.asset):
        yield diag.make("H813", f"`borrow {b.name}` borrows {b.amount.asset} against {b.collateral.asset}: "
                                "a loan against the same asset hedges nothing", b.at("amount"),
                        hint="borrow the pool's volatile asset (e.g. `amount = 3.3 ETH`) against a stablecoin")


def label(f: BorrowFigures, base: str) -> list[str]:
    use = f"into `{f.funds}`" if f.funds else ("sold, proceeds supplied" if f.proceeds else "sold")
    return [f"borrow {tokens(f.amount, f.asset)} on {f.venue}, {use}",
            f"collateral {money(f.supplied, base)}, HF {f.health_factor:.2f}",
            f"liquidation {money(f.liquidation_price, base)}"]


def plan(c, b: Borrow) -> dict:
    f = c.analysis.figures[b.name]
    rules = close_factor_rules(c.catalog.venue(f.venue))
    return {
        "name": f.name, "venue": f.venue, "asset": f.asset, "reserve": f.reserve,
        "price_symbol": price_symbol(f.asset), "amount": f.amount, "entry_price": f.entry_price,
        "debt_value": f.debt_value, "collateral_asset": f.collateral_asset,
        "collateral_reserve": f.collateral_reserve, "collateral": f.collateral, "proceeds_supplied": f.proceeds,
        "supplied": f.supplied, "funds": f.funds, "ltv": f.ltv, "liquidation_threshold": f.liquidation_threshold,
        "liquidation_bonus": f.liquidation_bonus, "health_factor": f.health_factor,
        "liquidation_price": f.liquidation_price, "liquidation_probability": f.liquidation_probability,
        "borrow_apr": f.borrow_apr, "supply_apr": f.supply_apr,
        "close_factor": {"close_factor": rules.close_factor, "hf_threshold": rules.hf_threshold,
                         "full_close_below": rules.full_close_below, "min_leftover": rules.min_leftover},
        "hedges": f.hedges, "protected_by": c.graph.protectors(b.name),
    }


def catalog_figures(c, f: BorrowFigures) -> dict:
    out = {}
    for asset in (f.reserve, f.collateral_reserve):
        r = c.catalog.reserve(f.venue, asset)
        out[f"{f.venue}/{asset}"] = {
            "ltv": r.ltv, "liquidation_threshold": r.liquidation_threshold,
            "liquidation_bonus": r.liquidation_bonus, "base": r.rates.base, "slope1": r.rates.slope1,
            "slope2": r.rates.slope2, "optimal": r.rates.optimal, "reserve_factor": r.rates.reserve_factor,
            "utilization": r.utilization, "source": c.source_of(r.source),
            "rates_source": c.source_of(r.rates.source), "utilization_source": c.source_of(r.utilization_source)}
    return {"reserves": out}


# ---- checklist ---------------------------------------------------------------
def _collateral_units(b, f: BorrowFigures) -> float:
    return b.in_asset(f.collateral, f.collateral_asset)


def _needs(b, name: str):
    f = b.figures(name)
    out = [(b.qty(_collateral_units(b, f), f.collateral_asset),
            f"collateral supplied to {f.venue} for the {f.asset} loan.")]
    if f.funds:
        out.append((b.qty(-f.amount, f.asset), f"borrowed on {f.venue} and added to `{f.funds}`."))
    return out


def _fund(b, name: str) -> None:
    f = b.figures(name)
    coll = _collateral_units(b, f)
    b.add("put_on", "approve", f"Approve {f.collateral_asset} for {f.venue}", name, venue=f.venue,
          gas=b.gas(name, "approve"))
    sized = f" (sized for a health factor of {b.block(name).target_hf:g})" if f.collateral_derived else ""
    b.add("put_on", "deposit", f"Supply {b.amount(coll, f.collateral_asset)} to {f.venue} as collateral{sized}",
          name, venue=f.venue, amounts=(b.qty(coll, f.collateral_asset),), gas=b.gas(name, "deposit"),
          details=(f"Enable it as collateral. LTV {share(f.ltv)}: it lets you borrow up to "
                   f"{money(f.max_borrow, b.base)}; liquidation threshold {share(f.liquidation_threshold)}.",
                   f"Earns about {f.supply_apr:.2%} a year."))


def _open(b, name: str) -> None:
    f = b.figures(name)
    b.add("put_on", "borrow", f"Borrow {tokens(f.amount, f.asset)} ({f.reserve}) on {f.venue}", name,
          venue=f.venue, amounts=(b.qty(f.amount, f.asset), b.qty(f.debt_value, b.base)), gas=b.gas(name, "borrow"),
          details=(f"Variable rate, about {f.borrow_apr:.2%} a year: {money(f.borrow_cost, b.base)} over the horizon.",
                   f"Debt {money(f.debt_value, b.base)}, {share(f.debt_value / f.max_borrow) if f.max_borrow else 'n/a'}"
                   " of the borrowing limit."))
    if f.funds:
        b.add("put_on", "keep", f"Keep the {tokens(f.amount, f.asset)} for pool `{f.funds}`", name, venue=f.venue,
              details=(f"It is the {f.asset} side of `{f.funds}`'s deposit: do not sell it.",))
        return
    b.add("put_on", "swap", f"Sell the {tokens(f.amount, f.asset)} for {b.base}", name, venue=f.venue,
          amounts=(b.qty(f.amount, f.asset), b.qty(f.debt_value, b.base)), gas=b.gas(name, "swap"),
          details=(f"At about {money(f.entry_price, b.base)}: about {money(f.debt_value, b.base)}; this sale is "
                   "the short.",))
    if f.proceeds:
        b.add("put_on", "resupply", f"Supply the {money(f.proceeds, b.base)} of proceeds to {f.venue} too", name,
              venue=f.venue, amounts=(b.qty(f.proceeds, b.base),), gas=b.gas(name, "deposit"),
              details=("More collateral moves the liquidation price up: "
                       f"{money(f.liquidation_price, b.base)} with the proceeds supplied.",))


def _verify(b, name: str) -> None:
    f = b.figures(name)
    b.add("verify", "health_factor", f"Check the health factor of `{name}` on {f.venue} reads about "
          f"{f.health_factor:.2f}", name, venue=f.venue,
          details=(f"Collateral {money(f.supplied, b.base)} x {share(f.liquidation_threshold)} / debt "
                   f"{money(f.debt_value, b.base)}.",
                   f"Liquidation when {f.asset} reaches {money(f.liquidation_price, b.base)} "
                   f"({f.liquidation_distance:+.1%} from entry; {f.liquidation_probability:.2%} chance of "
                   "touching it within the horizon)."))


def price_at_hf(f: BorrowFigures, hf: float) -> float:
    """The borrowed asset's price at which the health factor falls to `hf` (prices at entry balances)."""
    return f.supplied * f.liquidation_threshold / (f.amount * hf)


def _monitor(b, name: str) -> None:
    f = b.figures(name)
    if f.amount <= 0 or f.liquidation_price <= 0:
        return
    hf_alert, hf_act = b.threshold(HF_ALERT.name), b.threshold(HF_ACT.name)
    alert, act = price_at_hf(f, hf_alert), price_at_hf(f, hf_act)
    b.add("monitor", "health_alert", f"Set health factor alerts on `{name}` at {hf_alert:g} and {hf_act:g}", name,
          venue=f.venue, details=(f"At {hf_alert:g} look; at {hf_act:g} add collateral or repay part of the debt.",
                                  "Interest moves it too: debt grows at the borrow rate."))
    b.add("monitor", "liquidation_alert",
          f"Set price alerts on {f.asset} at {money(alert, b.base)} and {money(act, b.base)} (`{name}` liquidates at "
          f"{money(f.liquidation_price, b.base)})", name, venue=f.venue,
          amounts=(b.qty(alert, b.base), b.qty(act, b.base)),
          details=(f"Health factor {hf_alert:g} at {money(alert, b.base)}, {hf_act:g} at {money(act, b.base)}.",
                   f"A liquidation repays up to {share(f.close_factor)} of the debt "
                   f"({money(f.liquidation_repaid, b.base)}) and costs the {share(f.liquidation_bonus)} bonus on "
                   f"it: {money(f.liquidation_cost, b.base)}."))
    breakeven = breakeven_borrow_rate(b.c.analysis, f)
    b.add("monitor", "rate_alert", f"Watch the {f.reserve} borrow rate on {f.venue}: assumed {f.borrow_apr:.2%} a year",
          name, venue=f.venue,
          details=(f"Borrow cost {money(f.borrow_cost, b.base)} and supply income {money(f.supply_income, b.base)} "
                   "over the horizon.",
                   f"Above {breakeven:.2%} a year the strategy's expected carry turns negative." if breakeven is not None
                   else "At any borrow rate the strategy's expected carry is negative."))


def breakeven_borrow_rate(analysis, f: BorrowFigures) -> float | None:
    """The borrow rate b at which the strategy's expected carry is zero, all else held:
    other - D (e^{b t} - 1) = 0, so b = ln(1 + other / D) / t; None when no rate reaches it."""
    years = analysis.horizon_days / finance.DAYS_PER_YEAR
    other = analysis.carry["net"] + f.borrow_cost
    if f.debt_value <= 0 or years <= 0 or other <= -f.debt_value:
        return None
    return math.log1p(other / f.debt_value) / years


def _withdraw(b, name: str) -> None:
    """Unwound after the liquidity: a loan that funds a pool needs its asset back first."""
    f = b.figures(name)
    source = (f"Use the {f.asset} removed from `{f.funds}`; buy only what is missing." if f.funds
              else f"Buy it with the proceeds of the sale{' (withdraw them from ' + f.venue + ' first)' if f.proceeds else ''}.")
    b.add("unwind", "buy_back", f"Buy back {tokens(f.amount, f.asset)} plus the interest owed", name, venue=f.venue,
          amounts=(b.qty(f.amount, f.asset),), gas=b.gas(name, "swap"),
          details=(source, f"Interest at the assumed rate: about {money(f.borrow_cost, b.base)}."))
    b.add("unwind", "repay", f"Repay the {f.reserve} debt on {f.venue} in full", name, venue=f.venue,
          gas=b.gas(name, "repay"), details=("Approve the repayment first; repay `max` so no dust of interest is left.",))
    b.add("unwind", "withdraw", f"Withdraw the collateral from {f.venue} (`{name}`)", name, venue=f.venue,
          amounts=(b.qty(f.supplied, b.base),), gas=b.gas(name, "withdraw"),
          details=(f"About {money(f.supplied, b.base)} plus {money(f.supply_income, b.base)} of supply income.",))


KIND = Kind(
    name="borrow",
    doc="a loan on a lending venue: collateral supplied, an asset borrowed and sold (a short)",
    ir_class=Borrow,
    keys={
        "venue": Key("name", "The lending venue: `aave_v3`.", required=True),
        "amount": Key("amount", "What is borrowed, e.g. `3.3333 ETH`.", required=True, domain=Domain(low=0.0)),
        "collateral": Key("amount", "What is supplied as collateral, e.g. `19230.77 USDC`.", domain=Domain(low=0.0)),
        "target_hf": Key("number", "Instead of `collateral`: size it to this health factor at entry, e.g. `1.5`."),
        "resupply": Key("choice", "`yes` also supplies the sale proceeds as collateral (default `no`).",
                        choices=("yes", "no")),
        "hedges": Key("ref", "The pool whose exposure this loan offsets."),
        "from": Key("ref", "The wallet (or leg) that funds the collateral.", required=True),
    },
    # A loan comes before the pool it hedges: that pool may take the borrowed asset (`from`).
    references=(FROM, Reference("hedges", "hedges", ("pool",), before_target=True)),
    venue_key="venue",
    venue_kind="lending",
    section="borrows",
    problem_key="amount",
    analyse=analyse,
    funds_held=lambda f: f.supplied,
    carry=lambda f: {"supply_income": f.supply_income, "borrow_cost": f.borrow_cost},
    setup=("approve", "deposit", "borrow", "swap"),
    more_setup=lambda f: ("deposit",) if f.proceeds else (),  # the sale proceeds supplied too
    unwind=("swap", "approve", "repay", "withdraw"),
    adjust=("deposit",),  # topping up collateral
    resolve=resolve,
    drawing=Drawing("box", ("[", "]"), label),
    plan=plan,
    catalog_figures=catalog_figures,
    checklist=Checklist(needs=_needs, fund=_fund, open=_open, verify=_verify, monitor=_monitor, withdraw=_withdraw,
                        thresholds=(HF_ALERT, HF_ACT)),
    review=(("supplied", "collateral", "money"), ("amount", "borrowed", "asset"),
            ("health_factor", "health factor", "number"), ("liquidation_price", "liquidation price", "money"),
            ("liquidation_probability", "liquidation probability", "percent"),
            ("borrow_cost", "borrow cost", "money"), ("supply_income", "supply income", "money")),
    exposure=exposure,
    value=value,
)
