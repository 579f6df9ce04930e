"""`option`: a European option on an options venue (Deribit, Derive), usually
the long options that give a pool back the convexity a perp cannot.

Priced with Black-76 at zero rate (hedgec/options.py) at the implied
volatility `iv.ASSET` of `assume`, or `vol.ASSET` when none is stated.
Straddles, strangles, spreads and collars are several `option` blocks.
`size = bounds Kx` sizes a leg from the pool it `hedges`: its payoff at the
band edge (1/K for a put, K for a call) equals what the pool loses there
against holding its entry tokens, the loss a full perp hedge leaves.
"""
from __future__ import annotations

from typing import Mapping

from hedgec import options
from hedgec.numbers import money_cents as money, tokens
from hedgec.record import record

from .. import diagnostics as diag
from .. import ir
from ..ir import _span, _spans
from ..schema import HORIZON, Key
from ..source import Span
from ..units import Amount, price_symbol
from .base import FROM, Checklist, Drawing, Kind, Reference

# Deribit's standard margin for a short option, per unit of the underlying:
# max(0.15 - out-of-the-money amount / index, 0.10) x index + mark price
# (deribit.com "Margin" documentation; not re-read against the live page: unverified).
SHORT_MARGIN_RATE, SHORT_MARGIN_FLOOR = 0.15, 0.10
DELTA_DRIFT = 0.10  # review when the position's delta moves this share of the hedged pool's holding


@record
class OptionLeg(ir.Block):
    name: str
    venue: str
    type: str  # put | call
    side: str  # long | short
    strike: Amount
    expiry: ir.Duration
    size: Amount | ir.Sizing
    source: ir.Ref
    hedges: ir.Ref | None = None
    order: ir.Order = ir.Order("market")
    span: Span = _span()
    spans: Mapping[str, Span] = _spans()

    kind = "option"

    @property
    def sign(self) -> float:
        return 1.0 if self.side == "long" else -1.0


@record
class OptionFigures:
    name: str
    venue: str
    type: str
    side: str
    asset: str  # the underlying's price symbol, e.g. ETH
    settlement: str  # inverse (premium, margin and settlement in the coin) | linear
    settle_asset: str
    custodial: bool
    spot: float  # entry price of the underlying, in base
    strike: float  # in base
    expiry_days: float
    horizon_days: float
    iv: float
    iv_key: str  # the `assume` key the volatility came from: iv.X, or vol.X
    size: float  # units of the underlying
    sizing: str | None  # the rule that gave the size, e.g. "bounds 2x"
    unit_price: float  # premium per unit of the underlying, in base
    premium: float  # size x unit_price, in base: paid (long) or received (short)
    settle_premium: float  # the premium in the settle asset (coin for an inverse option)
    fee: float  # trade fee to open, in base
    fee_rate: float
    fee_cap: float | None
    unit_delta: float
    delta: float  # of the position (signed, units of the underlying)
    gamma: float  # per unit of price
    vega: float  # per volatility point (1%)
    theta_day: float  # per calendar day, in base
    margin: float  # a short's initial margin, in base (0 for a long)
    deposit: float  # what goes to the venue, in base: premium + fee (long) or margin (short)
    cash: float  # base held beside the option after the trade (linear venues)
    coin: float  # units of the underlying held beside the option (inverse venues)
    horizon_value: float  # the position's value at the horizon at the entry price, in base
    min_size: float | None
    hedges: str | None
    limit_price: float | None

    @property
    def exposure_delta(self) -> float:
        """Delta in units of the underlying, the coin held on an inverse venue included."""
        return self.delta + self.coin

    @property
    def expires_before_horizon(self) -> bool:
        return self.expiry_days < self.horizon_days


def analyse(leg: OptionLeg, ctx) -> OptionFigures | None:
    venue = ctx.catalog.venue(leg.venue)
    pool = ctx.figures(leg.hedges.name) if leg.hedges is not None else None
    if isinstance(leg.size, ir.Sizing) and pool is None:
        return None  # `bounds` without a pool to size from: reported by resolve
    asset = price_symbol(leg.size.asset if isinstance(leg.size, Amount) else pool.asset)
    market = ctx.catalog.option_market(leg.venue, asset)
    if market is None:
        listed = ", ".join(sorted(venue.option_markets)) or "none"
        raise ValueError(f"{leg.venue} lists no options on {asset} (listed: {listed})")
    spot = ctx.prices.price(asset)
    strike = ctx.base_value(leg.strike)
    years = leg.expiry.days / options.DAYS_PER_YEAR
    iv, iv_key = implied_vol(ctx, asset)
    unit = options.black76(leg.type, spot, strike, years, iv)
    size = leg.size.value if isinstance(leg.size, Amount) else bounds_size(leg, pool, spot, strike)
    premium = size * unit.price
    fee = option_fee(venue, size, spot, unit.price)
    inverse = market.inverse
    margin = 0.0 if leg.side == "long" else size * short_margin(leg.type, spot, strike, unit.price)
    deposit = premium + fee if leg.side == "long" else margin
    held = deposit - fee + (premium if leg.side == "short" else -premium)  # beside the option, in base
    cash, coin = (0.0, held / spot) if inverse else (held, 0.0)
    sign = leg.sign
    horizon_years = max(leg.expiry.days - ctx.days, 0.0) / options.DAYS_PER_YEAR
    left = options.black76_price(leg.type, spot, strike, horizon_years, iv)
    limit = ctx.base_value(leg.order.limit) if leg.order.limit is not None else None
    return OptionFigures(
        leg.name, leg.venue, leg.type, leg.side, asset, market.settlement, market.settle_asset,
        venue.custodial, spot, strike, leg.expiry.days, ctx.days, iv, iv_key, size,
        str(leg.size) if isinstance(leg.size, ir.Sizing) else None, unit.price, premium,
        premium / spot if inverse else premium / ctx.prices.price(market.settle_asset), fee,
        venue.taker_fee, venue.premium_cap, unit.delta, sign * size * unit.delta, sign * size * unit.gamma,
        sign * size * unit.vega / 100, sign * size * unit.theta_per_day, margin, deposit, cash, coin,
        cash + coin * spot + sign * size * left, market.min_size,
        leg.hedges.name if leg.hedges else None, limit)


def implied_vol(ctx, asset: str) -> tuple[float, str]:
    """`iv.ASSET` from `assume`, else the asset's volatility (`vol.ASSET` or its catalog default)."""
    ivs = ctx.strategy.assume.ivs
    if asset in ivs:
        return ivs[asset], f"iv.{asset}"
    return ctx.assumed.vol(asset), f"vol.{asset}"


def option_fee(venue, size: float, spot: float, unit_price: float) -> float:
    """The venue's taker fee on the underlying, capped at its share of the premium where it caps it."""
    if venue.premium_cap is None:
        return size * venue.taker_fee * spot
    return options.option_fee(size, spot, unit_price, venue.taker_fee, venue.premium_cap)


def short_margin(kind: str, spot: float, strike: float, unit_price: float) -> float:
    """Initial margin of a short option per unit of the underlying (SHORT_MARGIN_*)."""
    out_of_money = max(strike - spot, 0.0) if kind == "call" else max(spot - strike, 0.0)
    return max(SHORT_MARGIN_RATE - out_of_money / spot, SHORT_MARGIN_FLOOR) * spot + unit_price


def bounds_size(leg: OptionLeg, pool, spot: float, strike: float) -> float:
    """Units whose payoff at the band edge (spot / K for a put, spot x K for a call) equals
    the pool's loss there against holding its entry tokens: hold(p) - pool(p)."""
    k = leg.size.value
    edge = spot / k if leg.type == "put" else spot * k
    payoff = options.intrinsic(leg.type, edge, strike)
    if payoff <= 0:
        raise ValueError(f"a {leg.type} struck at {strike:,.2f} pays nothing at the band edge {edge:,.2f}: "
                         f"`size = {leg.size}` cannot size it")
    return pool_loss(pool, edge / spot) / payoff


def pool_loss(pool, ratio: float) -> float:
    """What the pool lost against holding its entry tokens when its price moved by `ratio`, in base."""
    price = pool.entry_price * ratio
    hold = pool.volatile_amount * price + pool.quote_amount / pool.quote_rate
    return (hold - pool.value_at(price)) * pool.quote_rate


def exposure(f: OptionFigures) -> dict[str, float]:
    return {f.asset: f.exposure_delta}


def value(f: OptionFigures, prices: Mapping, years: float):
    """The position's value in base at the underlying's price (float or array) `years` after entry:
    cash + coin x price + sign x size x option price. An option that expired before then is worth
    its intrinsic value at the price it expired at, taken on the geometric path from entry."""
    price = prices[f.asset]
    sign = 1.0 if f.side == "long" else -1.0
    left = f.expiry_days / options.DAYS_PER_YEAR - years
    if left < 0:
        at_expiry = f.spot * (price / f.spot) ** (f.expiry_days / options.DAYS_PER_YEAR / years)
        unit = options.intrinsic(f.type, at_expiry, f.strike)
    else:
        unit = options.black76_price(f.type, price, f.strike, left, f.iv)
    return f.cash + f.coin * price + sign * f.size * unit


def resolve(leg: OptionLeg, strategy, catalog):
    if isinstance(leg.size, ir.Sizing) and leg.hedges is None:
        yield diag.make("H103", f"`size = {leg.size}` sizes `option {leg.name}` from a pool: it needs `hedges`",
                        leg.at("size"), hint="add `hedges = POOL`, or write the size, e.g. `size = 0.5 ETH`")
    venue = catalog.venue(leg.venue)
    if isinstance(leg.size, Amount) and catalog.option_market(leg.venue, price_symbol(leg.size.asset)) is None:
        yield diag.make("H112", f"`{leg.venue}` lists no options on {leg.size.asset}", leg.at("size"),
                        hint="listed: " + (", ".join(sorted(venue.option_markets)) or "none"))


def contract(f: OptionFigures) -> str:
    """The listed instrument, Deribit style: ETH-90d-3000-P."""
    return f"{f.asset}-{f.expiry_days:g}d-{f.strike:g}-{f.type[0].upper()}"


def label(f: OptionFigures, base: str) -> list[str]:
    return [f"{f.side} {tokens(f.size, f.asset)} {f.type} {money(f.strike, base)}",
            f"expires {f.expiry_days:g}d, iv {f.iv:.0%}", f"premium {money(f.premium, base)}"]


def plan(c, leg: OptionLeg) -> dict:
    f = c.analysis.figures[leg.name]
    limit = leg.order.limit
    return {
        "name": f.name, "venue": f.venue, "type": f.type, "side": f.side, "asset": f.asset,
        "price_symbol": f.asset, "settlement": f.settlement, "settle_asset": f.settle_asset,
        "entry_price": f.spot, "strike": f.strike, "expiry_days": f.expiry_days, "size": f.size,
        "sizing": f.sizing, "iv": f.iv, "iv_key": f.iv_key, "rate": 0.0, "unit_price": f.unit_price,
        "premium": f.premium, "fee": f.fee, "fee_rate": f.fee_rate, "fee_cap": f.fee_cap,
        "greeks": {"delta": f.delta, "gamma": f.gamma, "vega": f.vega, "theta_per_day": f.theta_day},
        "margin": f.margin, "deposit": f.deposit, "cash": f.cash, "coin": f.coin,
        "horizon_value": f.horizon_value, "min_size": f.min_size, "hedges": f.hedges,
        "order": {"kind": leg.order.kind, "limit_price": limit.value if limit else None},
        "custodial": f.custodial, "deposit_required": c.catalog.venue(f.venue).deposit_required,
        "protected_by": c.graph.protectors(leg.name),
    }


# ---- checklist ---------------------------------------------------------------
def _deposit_qty(b, f: OptionFigures):
    """What to deposit, in the settle asset (the coin for an inverse option)."""
    asset = f.asset if f.settlement == "inverse" else f.settle_asset
    return b.qty(b.in_asset(f.deposit, asset), asset)


def _needs(b, name: str):
    f = b.figures(name)
    why = (f"premium {money(f.premium, b.base)} and fee {money(f.fee, b.base)}" if f.side == "long"
           else f"initial margin {money(f.margin, b.base)}")
    coin = " (an inverse option: paid in the coin)" if f.settlement == "inverse" else ""
    return [(_deposit_qty(b, f), f"{why} for the {f.type} on {f.venue}{coin}.")]


def _fund(b, name: str) -> None:
    f = b.figures(name)
    if not b.sends(name, "deposit"):
        return
    q = _deposit_qty(b, f)
    b.add("put_on", "deposit", f"Deposit {b.amount(q.value, q.asset)} on {f.venue} (`{name}`)", name,
          venue=f.venue, amounts=(q,), gas=b.gas(name, "deposit"),
          details=((f"{f.venue} settles {f.asset} options in {f.asset}: premium, margin and settlement are "
                    f"in the coin, and coin held there moves with {f.asset}." if f.settlement == "inverse"
                    else f"{f.venue} settles {f.asset} options in {f.settle_asset}."),
                   "Wait for the deposit to be credited before you add liquidity."))


def _open(b, name: str) -> None:
    f = b.figures(name)
    order = b.block(name).order
    how = (f"limit order at {tokens(order.limit.value, order.limit.asset)} a contract (it may not fill: check "
           "it did)" if order.kind == "limit" else "market order (fills at once, at the book's price)")
    verb = "Buy" if f.side == "long" else "Sell"
    settle = (f" ({tokens(f.settle_premium, f.settle_asset)})" if f.settle_asset != b.base else "")
    b.add("put_on", "open", f"{verb} {tokens(f.size, f.asset)} of the {money(f.strike, b.base)} {f.type} "
          f"expiring in {f.expiry_days:g} days on {f.venue}", name, venue=f.venue,
          amounts=(b.qty(f.size, f.asset), b.qty(f.premium, b.base)), gas=b.gas(name, "open"),
          details=(f"Choose the listed expiry nearest {f.expiry_days:g} days (expiries at 08:00 UTC) and the "
                   f"strike {money(f.strike, b.base)} ({contract(f)}).",
                   f"Order: {how}.",
                   f"Premium {money(f.premium, b.base)}{settle}: {money(f.unit_price, b.base)} a unit at "
                   f"{f.iv:.1%} implied volatility; fee {money(f.fee, b.base)}.")
          + ((f"Size {tokens(f.size, f.asset)} from `size = {f.sizing}` on `{f.hedges}`.",) if f.sizing else ()))


def _verify(b, name: str) -> None:
    f = b.figures(name)
    coin = (f" plus {tokens(f.coin, f.asset)} of coin held on {f.venue}" if f.coin else "")
    b.add("verify", "greeks", f"Check the Greeks of `{name}` on {f.venue}", name, venue=f.venue,
          amounts=(b.qty(f.delta, f.asset),),
          details=(f"Delta {tokens(f.delta, f.asset)}{coin}; gamma {f.gamma:+.6f} a {b.base}; "
                   f"vega {money(f.vega, b.base)} a volatility point; theta {money(f.theta_day, b.base)} a day.",
                   "The venue's figures differ where its implied volatility differs from the one assumed "
                   f"({f.iv:.1%})."))


def _monitor(b, name: str) -> None:
    f = b.figures(name)
    horizon = b.c.analysis.horizon_days
    b.add("monitor", "delta_drift", f"Watch the delta of `{name}` as {f.asset} moves", name, venue=f.venue,
          details=(f"At entry {tokens(f.delta, f.asset)}; an option's delta moves with the price (gamma "
                   f"{f.gamma:+.6f} a {b.base}).",
                   f"Re-balance the hedges when the strategy's net {f.asset} delta drifts by more than "
                   f"{DELTA_DRIFT:.0%} of the pool's holding."))
    if f.expires_before_horizon:
        roll = (f"It expires {horizon - f.expiry_days:g} days before the horizon ({horizon:g} days): roll it "
                "into a later expiry before then, or the rest of the horizon is unhedged.")
    elif f.expiry_days > horizon:
        roll = f"It outlives the horizon ({horizon:g} days): sell it at the horizon for its remaining time value."
    else:
        roll = "It expires at the horizon and settles in cash: nothing to roll."
    b.add("monitor", "option_expiry", f"Note the expiry of `{name}`: day {f.expiry_days:g} at 08:00 UTC", name,
          venue=f.venue, details=(roll,))


def _close(b, name: str) -> None:
    f = b.figures(name)
    if f.expires_before_horizon or f.expiry_days == f.horizon_days:
        b.add("unwind", "settle", f"Settlement of `{name}` at expiry (day {f.expiry_days:g}): automatic, in cash",
              name, venue=f.venue,
              details=(f"European, cash-settled in {f.settle_asset}: an in-the-money option pays "
                       f"{tokens(f.size, f.asset)} x its intrinsic value; nothing to send.",))
        return
    verb = "Sell" if f.side == "long" else "Buy back"
    b.add("unwind", "close", f"{verb} the {tokens(f.size, f.asset)} {f.type} on {f.venue} (`{name}`)", name,
          venue=f.venue, amounts=(b.qty(f.size, f.asset),), gas=b.gas(name, "close"),
          details=(f"Worth about {money(abs(f.horizon_value - f.cash - f.coin * f.spot), b.base)} at the horizon "
                   f"if {f.asset} is where it started (time value left).",))


def _withdraw(b, name: str) -> None:
    f = b.figures(name)
    if b.sends(name, "withdraw"):
        asset = f.asset if f.settlement == "inverse" else f.settle_asset
        b.add("unwind", "withdraw", f"Withdraw the {asset} balance from {f.venue} (`{name}`)", name,
              venue=f.venue, gas=b.gas(name, "withdraw"),
              details=("The settlement or sale proceeds" + (" and the margin" if f.side == "short" else "")
                       + f", in {asset}.",))


KIND = Kind(
    name="option",
    doc="a European option on an options venue",
    ir_class=OptionLeg,
    keys={
        "venue": Key("name", "The options venue: `deribit` or `derive`.", required=True),
        "type": Key("choice", "`put` or `call`.", required=True, choices=("put", "call")),
        "side": Key("choice", "`long` to buy the option, `short` to sell it.", required=True,
                    choices=("long", "short")),
        "strike": Key("price", "The strike price, e.g. `3000 USDC`.", required=True),
        "expiry": Key("duration", "Time from entry to expiry, e.g. `90d`.", required=True, domain=HORIZON),
        "size": Key("option_size", "Units of the underlying, or `bounds Kx`: the size whose payoff at the "
                                   "band edge (1/K for a put, K for a call) equals the hedged pool's loss there.",
                    required=True),
        "hedges": Key("ref", "The pool this option protects."),
        "order": Key("order", "`market`, or `limit PRICE` (a contract's price)."),
        "from": Key("ref", "The wallet that funds the premium or margin.", required=True),
    },
    references=(FROM, Reference("hedges", "hedges", ("pool",))),
    venue_key="venue",
    venue_kind="options",
    section="options",
    problem_key="size",
    analyse=analyse,
    funds_held=lambda f: f.deposit,
    carry=lambda f: {"option_premiums": f.premium if f.side == "long" else -f.premium, "option_fees": f.fee},
    setup=("deposit", "open"),
    unwind=("close", "withdraw"),
    adjust=("open",),
    skip=lambda venue: () if venue.deposit_required else ("deposit", "withdraw"),
    resolve=resolve,
    drawing=Drawing("box", ("[", "]"), label),
    plan=plan,
    checklist=Checklist(needs=_needs, fund=_fund, open=_open, verify=_verify, monitor=_monitor, close=_close,
                        withdraw=_withdraw),
    review=(("premium", "premium", "money"), ("size", "size", "asset"), ("delta", "delta", "asset"),
            ("fee", "fee", "money"), ("iv", "implied volatility", "percent")),
    exposure=exposure,
    value=value,
)
