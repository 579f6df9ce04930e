"""`perp`: an isolated-margin perpetual future (dYdX), usually the short that
hedges a pool."""
from __future__ import annotations

from typing import Mapping

from hedgec import finance
from hedgec.numbers import money_cents as money, share, tokens
from hedgec.record import record

from .. import diagnostics as diag
from .. import ir
from ..config import BETWEEN_ENDS
from ..ir import _span, _spans
from ..registry import Threshold
from ..schema import POSITIVE, Domain, Key
from ..source import Span
from ..units import Amount, price_symbol
from .base import FROM, Checklist, Drawing, Kind, Reference

# The checklist's price alerts, as shares of the way from entry to liquidation.
ALERT_AT = Threshold("perp-alert-share", 0.5, "share of the way from entry to liquidation at which the "
                     "checklist's price alert on a perp fires", BETWEEN_ENDS, at_most="perp-act-share")
ACT_AT = Threshold("perp-act-share", 0.75, "share of the way at which the checklist says to add collateral or "
                   "cut the position", BETWEEN_ENDS)
REVIEW_DRIFT = 0.10  # review a hedge with no `rebalance` when it drifts 10% off target


@record
class PerpLeg(ir.Block):
    name: str
    venue: str
    market: str
    side: str
    collateral: Amount
    source: ir.Ref
    hedges: ir.Ref | None = None
    ratio: float = 1.0
    leverage: ir.Leverage | None = None
    order: ir.Order = ir.Order("market")
    rebalance: float | None = None  # rebalance when the hedge drifts this fraction off its target
    span: Span = _span()
    spans: Mapping[str, Span] = _spans()

    kind = "perp"

    @property
    def sign(self) -> float:
        return -1.0 if self.side == "short" else 1.0


@record
class PerpFigures:
    name: str
    venue: str
    market: str
    asset: str  # the market's base asset
    side: str
    entry_price: float
    collateral: float  # in base
    leverage: float
    leverage_derived: bool  # True when leverage follows from `hedges`
    notional: float  # collateral * leverage, in base
    size: float  # units of the asset
    imf: float
    mmf: float
    max_leverage: float
    initial_margin: float
    maintenance_margin: float
    liquidation_price: float  # with the opening fee paid from the collateral
    liquidation_distance: float  # signed fraction from entry
    liquidation_probability: float  # over the horizon, first passage of a martingale price unless drift.X (H303)
    vol: float
    funding_apr: float
    funding: float  # expected over the horizon, + received / - paid, in base
    trading_fees: float  # taker fee to open and close, in base
    limit_price: float | None  # a limit order's price, in base
    limit_distance: float | None  # (limit - entry) / entry
    hedges: str | None
    required_size: float | None  # units the hedged pool needs, times ratio
    coverage: float | None  # size / required_size


def analyse(perp: PerpLeg, ctx) -> PerpFigures | None:
    venue = ctx.catalog.venue(perp.venue)
    market = ctx.catalog.market(perp.venue, perp.market)
    prices = ctx.prices
    entry = prices.rate(market.base, prices.base)
    collateral = ctx.base_value(perp.collateral)
    required = _required_size(perp, ctx, market.base)
    if perp.leverage is not None:
        leverage, derived = perp.leverage.value, False
    elif perp.hedges is not None:
        if required is None:
            return None  # the hedged pool has no figures: its own problem is reported
        if required <= 0:
            raise ValueError(f"`{perp.hedges.name}` holds no {market.base} at entry, so there is no size to "
                             f"follow: add `leverage` to size the position")
        leverage, derived = finance.leverage_for(required * entry, collateral), True
    else:
        leverage, derived = 1.0, True
    notional = finance.notional(collateral, leverage)
    size = notional / entry
    liq = finance.liquidation_price(perp.side, size, entry, collateral, market.mmf)
    vol = ctx.assumed.vol(market.base)
    probability = finance.touch_probability(entry, liq, vol, ctx.days / finance.DAYS_PER_YEAR,
                                            ctx.assumed.drift(market.base),
                                            direction="down" if perp.side == "long" else "up") if liq > 0 else 0.0
    funding_apr = ctx.assumed.funding(perp.market)
    limit = ctx.base_value(perp.order.limit) if perp.order.limit is not None else None
    return PerpFigures(
        perp.name, perp.venue, perp.market, market.base, perp.side, entry, collateral, leverage, derived,
        notional, size, market.imf, market.mmf, market.max_leverage,
        finance.initial_margin(notional, market.imf), finance.maintenance_margin(notional, market.mmf),
        liq, finance.liquidation_distance(entry, liq), probability, vol, funding_apr,
        finance.funding_pnl(perp.side, notional, funding_apr, ctx.days), 2 * notional * venue.taker_fee,
        limit, finance.liquidation_distance(entry, limit) if limit is not None else None,
        perp.hedges.name if perp.hedges else None, required,
        size / required if required else None)


def _required_size(perp: PerpLeg, ctx, asset: str) -> float | None:
    """Units of `asset` the hedged block holds at entry, times `ratio`."""
    if perp.hedges is None:
        return None
    hedged = ctx.exposure(perp.hedges.name)
    if hedged is None:
        return None
    return hedged.get(price_symbol(asset), 0.0) * perp.ratio


def exposure(f: PerpFigures) -> dict[str, float]:
    return {price_symbol(f.asset): f.size * (-1.0 if f.side == "short" else 1.0)}


def value(f: PerpFigures, prices: Mapping, years: float):
    """Equity in base at its asset's prices (float or array), before funding and
    fees, as long as it has not been liquidated."""
    sign = -1.0 if f.side == "short" else 1.0
    return f.collateral + sign * f.size * (prices[price_symbol(f.asset)] - f.entry_price)


def resolve(perp: PerpLeg, strategy, catalog):
    venue = catalog.venue(perp.venue)
    if catalog.market(perp.venue, perp.market) is None:
        yield diag.make("H112", f"`{perp.venue}` lists no market `{perp.market}`", perp.at("market"),
                        hint=diag.did_you_mean(perp.market, venue.markets)
                        or "listed: " + ", ".join(sorted(venue.markets)))


def label(f: PerpFigures, base: str) -> list[str]:
    return [f"{f.side} {tokens(f.size, f.asset)} {f.market}", f"{f.leverage:.2f}x on {money(f.collateral, base)}",
            f"liquidation {money(f.liquidation_price, base)}"]


def plan(c, leg: PerpLeg) -> dict:
    p = c.analysis.figures[leg.name]
    venue = c.catalog.venue(p.venue)
    limit = leg.order.limit
    return {
        "name": p.name, "venue": p.venue, "market": p.market, "asset": p.asset,
        "price_symbol": price_symbol(p.asset), "side": p.side, "entry_price": p.entry_price,
        "size": p.size, "notional": p.notional, "collateral": p.collateral, "leverage": p.leverage,
        "imf": p.imf, "mmf": p.mmf, "maker_fee": venue.maker_fee, "taker_fee": venue.taker_fee,
        "liquidation_fee": venue.liquidation_fee, "funding_apr": p.funding_apr,
        "liquidation_price": p.liquidation_price, "liquidation_probability": p.liquidation_probability,
        "hedges": p.hedges, "ratio": leg.ratio, "rebalance_threshold": leg.rebalance,
        "order": {"kind": leg.order.kind, "limit_price": limit.value if limit else None},
        "deposit_required": venue.deposit_required, "protected_by": c.graph.protectors(leg.name),
    }


def catalog_figures(c, f: PerpFigures) -> dict:
    m = c.catalog.market(f.venue, f.market)
    return {"markets": {f"{f.venue}/{f.market}": {"imf": m.imf, "mmf": m.mmf, "max_leverage": m.max_leverage,
                                                   "tier": m.tier, "source": c.source_of(m.source)}}}


# ---- checklist ---------------------------------------------------------------
def _needs(b, name: str):
    p, leg = b.figures(name), b.block(name)
    return [(b.qty(leg.collateral.value, leg.collateral.asset),
             f"margin collateral for the {p.market} {p.side} on {p.venue}.")]


def _fund(b, name: str) -> None:
    p = b.figures(name)
    collateral = b.block(name).collateral
    if not b.sends(name, "deposit"):
        return
    if b.sends(name, "approve"):
        b.add("put_on", "approve", f"Approve {collateral.asset} for the {p.venue} deposit", name, venue=p.venue,
              gas=b.gas(name, "approve"))
    b.add("put_on", "deposit", f"Deposit {b.amount(collateral.value, collateral.asset)} collateral on {p.venue}",
          name, venue=p.venue, amounts=(b.qty(collateral.value, collateral.asset),), gas=b.gas(name, "deposit"),
          details=(f"{p.venue} requires collateral on the exchange before an order can be placed.",
                   "Wait for the deposit to be credited before you add liquidity."))


def _open(b, name: str) -> None:
    p = b.figures(name)
    order = b.block(name).order
    how = (f"limit order at {tokens(order.limit.value, order.limit.asset)} (it may not fill: check it did)"
           if order.kind == "limit" else "market order (fills at once, at the book's price)")
    hedged = f" to hedge `{p.hedges}`" if p.hedges else ""
    coverage = f"; covers {p.coverage:.0%} of the pool's {p.asset}" if p.coverage is not None else ""
    b.add("put_on", "open", f"Open a {p.side} of {tokens(p.size, p.asset)} on {p.venue} {p.market}{hedged}",
          name, venue=p.venue, amounts=(b.qty(p.size, p.asset), b.qty(p.notional, b.base)),
          gas=b.gas(name, "open"),
          details=(f"Order: {how}.",
                   f"Size {tokens(p.size, p.asset)}{coverage}; notional {money(p.notional, b.base)}.",
                   f"Leverage {p.leverage:.2f}x on {money(p.collateral, b.base)} collateral "
                   f"(market maximum {p.max_leverage:g}x).",
                   f"Expected liquidation price: {money(p.liquidation_price, b.base)} "
                   f"({p.liquidation_distance:+.1%} from entry; {p.liquidation_probability:.2%} chance of "
                   f"touching it within the horizon).",
                   f"Taker fee about {money(p.trading_fees / 2, b.base)}."))


def _verify(b, name: str) -> None:
    p = b.figures(name)
    b.add("verify", "margin", f"Check the margin of `{name}` on {p.venue}", name, venue=p.venue,
          details=(f"Margin ratio (equity / notional) should read about {p.collateral / p.notional:.1%}.",
                   f"Initial margin {money(p.initial_margin, b.base)} ({share(p.imf)}); maintenance "
                   f"{money(p.maintenance_margin, b.base)} ({share(p.mmf)}): liquidation below that.",
                   f"Position size {tokens(p.size, p.asset)} {p.side}, entry about "
                   f"{money(p.entry_price, b.base)}."))


def alert_price(entry: float, liquidation: float, fraction: float) -> float:
    """The price `fraction` of the way from entry to liquidation."""
    return entry + fraction * (liquidation - entry)


def _monitor(b, name: str) -> None:
    p = b.figures(name)
    alert_at = b.threshold(ALERT_AT.name)
    alert = alert_price(p.entry_price, p.liquidation_price, alert_at)
    act = alert_price(p.entry_price, p.liquidation_price, b.threshold(ACT_AT.name))
    way = "rises to" if p.side == "short" else "falls to"
    b.add("monitor", "liquidation_alert",
          f"Set a price alert on {p.asset} at {money(alert, b.base)} (`{name}` liquidates at "
          f"{money(p.liquidation_price, b.base)})",
          name, venue=p.venue, amounts=(b.qty(alert, b.base),),
          details=(f"Liquidation at {money(p.liquidation_price, b.base)}; the alert fires at "
                   f"{'half' if alert_at == 0.5 else share(alert_at) + ' of'} the distance from entry "
                   f"{money(p.entry_price, b.base)}.",
                   f"If {p.asset} {way} {money(act, b.base)}, add collateral or cut the {p.side} before "
                   "it is liquidated (liquidation fee up to "
                   f"{b.c.catalog.venue(p.venue).liquidation_fee:.1%})."))
    _funding_alert(b, p)
    _rebalance(b, b.block(name), p)


def _funding_alert(b, p: PerpFigures) -> None:
    """Alert at the funding rate where the strategy's expected carry turns negative,
    once per market: every leg on the market sees the same rate.

    carry(f) = other + f * days / 365 * sum(sign * notional), sign +1 short, -1 long
    (a positive rate pays shorts), so the break-even rate is
    f* = -other * 365 / (days * sum(sign * notional)); net short books lose below it,
    net long books above it.
    """
    perps = [f for f in b.c.analysis.of_kind("perp").values() if f.market == p.market]
    if perps[0].name != p.name:
        return  # the market's first leg carries the alert for all of them
    carry, days = b.c.analysis.carry, b.c.analysis.horizon_days
    other = carry["net"] - carry["funding"]  # everything but funding, over the horizon
    exposure = sum(q.notional * (1 if q.side == "short" else -1) for q in b.c.analysis.of_kind("perp").values())
    if not exposure or not days:
        return
    breakeven = -other * finance.DAYS_PER_YEAR / (days * exposure)
    side = "below" if exposure > 0 else "above"
    pays = "shorts pay longs" if exposure > 0 else "longs pay shorts"
    funding = sum(q.funding for q in perps)
    expected = "nothing" if funding == 0 else \
        f"{money(abs(funding), b.base)} {'received' if funding > 0 else 'paid'}"
    legs = ", ".join(f"`{q.name}`" for q in perps)
    b.add("monitor", "funding_alert", f"Watch {p.market} funding: alert {side} {breakeven:+.1%} a year",
          p.name, venue=p.venue,
          details=(f"Assumed {p.funding_apr:+.1%} a year: {expected} over the horizon ({legs}).",
                   f"{side.capitalize()} {breakeven:+.1%} a year funding turns the strategy's expected carry "
                   f"negative; a negative rate means {pays}.")
          + (("At the assumed rate the expected carry is already negative.",) if carry["net"] < 0 else ()))


def _rebalance(b, leg: PerpLeg, p: PerpFigures) -> None:
    """Band of prices inside which the hedged block's exposure stays within the
    threshold of what the hedges on it hold; every hedge of one pool gets the
    same band, since each is a share of the same exposure."""
    if p.hedges is None or p.required_size is None:
        return
    pool = b.c.analysis.figures.get(p.hedges)
    if pool is None or not hasattr(pool, "amount_at"):
        return
    threshold = leg.rebalance if leg.rebalance is not None else REVIEW_DRIFT
    symbol = price_symbol(p.asset)
    low, high = drift_band(pool, p.coverage or 1.0, threshold, symbol)
    set_by = "the `rebalance` threshold" if leg.rebalance is not None else \
        f"no `rebalance` is set, so review at the default {REVIEW_DRIFT:.0%}"
    # a two-token pool's holdings follow the price of its asset in its quote token
    watched, unit = (f"{pool.asset}/{pool.quote}", pool.quote) if getattr(pool, "quote_volatile", False) \
        else (p.asset, b.base)
    b.add("monitor", "rebalance",
          f"Rebalance `{p.name}` when {watched} leaves {low:,.2f} .. {high:,.2f} {unit}",
          p.name, venue=p.venue, amounts=(b.qty(low, unit), b.qty(high, unit)),
          details=(f"At those prices the short is {threshold:.0%} off its share of the pool's {p.asset} "
                   f"({set_by}).",
                   f"Resize the short to {share(leg.ratio)} of the pool's {p.asset} amount at the time "
                   "(check the pool position)."))


def drift_band(pool, coverage: float, threshold: float, symbol: str | None = None) -> tuple[float, float]:
    """Prices where |coverage x amount(entry) / amount(p) - 1| reaches `threshold`.

    The pool's asset amount falls as the price rises, so a short sized at entry
    grows too large as the price rises: a lower and an upper band edge, found by
    bisection on the pool's own amount function. `symbol`: the token the short
    hedges (a two-token pool's quote token grows as the price rises instead).
    """
    symbol = symbol or price_symbol(pool.asset)
    start = pool.units_at(symbol, pool.entry_price)

    def drift(price: float) -> float:
        held = pool.units_at(symbol, price)
        gap = coverage * start / held - 1 if held > 0 else float("inf")
        return gap if symbol == price_symbol(pool.asset) else -gap  # keep f increasing for the bisection

    target = drift(pool.entry_price)  # at entry (0 for a hedge of its full share)
    high = _bisect(lambda x: drift(x) - (target + threshold), pool.entry_price, pool.entry_price * 100)
    low = _bisect(lambda x: drift(x) - (target - threshold), pool.entry_price / 100, pool.entry_price)
    return low, high


def _bisect(f, lo: float, hi: float, rounds: int = 100) -> float:
    """A root of increasing f on [lo, hi]; an edge when f keeps its sign there."""
    if f(lo) >= 0:
        return lo
    if f(hi) <= 0:
        return hi
    for _ in range(rounds):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if f(mid) < 0 else (lo, mid)
    return (lo + hi) / 2


def _close(b, name: str) -> None:
    p = b.figures(name)
    b.add("unwind", "close", f"Close the {p.side} of {tokens(p.size, p.asset)} on {p.venue} {p.market}", name,
          venue=p.venue, amounts=(b.qty(p.size, p.asset),), gas=b.gas(name, "close"),
          details=("Market order, reduce-only: the whole size.",))


def _withdraw(b, name: str) -> None:
    p = b.figures(name)
    if b.sends(name, "withdraw"):
        b.add("unwind", "withdraw", f"Withdraw the collateral from {p.venue} (`{name}`)", name,
              venue=p.venue, amounts=(b.qty(p.collateral, b.base),), gas=b.gas(name, "withdraw"),
              details=(f"About {money(p.collateral, b.base)} plus PnL and funding.",))


KIND = Kind(
    name="perp",
    doc="an isolated-margin perpetual future",
    ir_class=PerpLeg,
    keys={
        "venue": Key("name", "The perpetuals exchange: `dydx` or `dydx_v4`.", required=True),
        "market": Key("market", "The perp market, e.g. `ETH-USD`.", required=True),
        "side": Key("choice", "`short` to hedge a pool's long exposure.", required=True,
                    choices=("short", "long")),
        "hedges": Key("ref", "The pool whose exposure this leg offsets."),
        "ratio": Key("percent", "Share of the pool's exposure to hedge (default 100%).",
                     domain=Domain(low=0.0, low_open=True, plausible=1.0)),
        "collateral": Key("amount", "Margin deposited for this isolated position.", required=True,
                          domain=POSITIVE),
        "leverage": Key("leverage", "Notional / collateral; omitted, it follows from `hedges`."),
        "order": Key("order", "`market`, or `limit PRICE`."),
        "rebalance": Key("rebalance", "Re-size the hedge when it drifts this far off target.",
                         domain=Domain(low=0.0, low_open=True, plausible=1.0)),
        "from": Key("ref", "The wallet (or leg) that funds the collateral.", required=True),
    },
    references=(FROM, Reference("hedges", "hedges", ("pool",))),
    venue_key="venue",
    venue_kind="perp",
    section="perps",
    problem_key="market",
    analyse=analyse,
    funds_held=lambda f: f.collateral,
    carry=lambda f: {"funding": f.funding, "trading_fees": f.trading_fees},
    setup=("approve", "deposit", "open"),
    unwind=("close", "withdraw"),
    adjust=("adjust", "deposit"),  # one adjustment tops up margin and re-sizes the order
    skip=lambda venue: () if venue.deposit_required else ("deposit", "withdraw"),
    resolve=resolve,
    drawing=Drawing("box", ("[", "]"), label),
    plan=plan,
    catalog_figures=catalog_figures,
    checklist=Checklist(needs=_needs, fund=_fund, open=_open, verify=_verify, monitor=_monitor, close=_close,
                        withdraw=_withdraw, thresholds=(ALERT_AT, ACT_AT)),
    review=(("collateral", "collateral", "money"), ("leverage", "leverage", "leverage"),
            ("notional", "notional", "money"), ("size", "size", "asset"),
            ("liquidation_price", "liquidation price", "money"),
            ("liquidation_distance", "liquidation distance", "percent"),
            ("liquidation_probability", "liquidation probability", "percent"),
            ("coverage", "hedge coverage", "percent"), ("funding", "expected funding", "money")),
    exposure=exposure,
    value=value,
)
