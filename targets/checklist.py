"""The execution checklist: the steps a person follows to put a strategy on,
watch it and take it off, in an order derived from the dependency graph.

Phases, in order: prepare, cover (before any funds go in), put on (collateral
deposits, approvals, liquidity, and each short right after the liquidity it
hedges), verify, monitor, unwind, incident. Within a phase, legs follow the
graph's topological order (ties broken by name), so the same strategy always
gives the same steps.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

from hedgec import finance
from hedgec.compiler.analysis import prices_of

from . import Compiled

CHECKLIST_VERSION = 1

PHASES = (
    ("prepare", "Prepare the wallet"),
    ("cover", "Buy cover before any funds go in"),
    ("put_on", "Put the position on"),
    ("verify", "Verify the position"),
    ("monitor", "Monitor while the position is open"),
    ("unwind", "Unwind at the horizon"),
    ("incident", "If a venue is exploited"),
)

WALLET_ACTIONS = frozenset({"wallet", "fund_gas", "fund_tokens", "gas_alert"})  # their "venue" is a chain
ALERT_SHARE = 0.5  # price alert when half the distance to liquidation is gone
ACT_SHARE = 0.75  # add collateral or cut the short when three quarters is gone
RANGE_ALERT = 0.05  # alert when the price is within 5% of a v3 range edge
REVIEW_DRIFT = 0.10  # review a hedge with no `rebalance` when it drifts 10% off target
CLAIM_VOTE_DAYS = 3  # Nexus Mutual claim assessment vote (domain.md)


@dataclass(frozen=True)
class Qty:
    value: float
    asset: str


@dataclass(frozen=True)
class Gas:
    action: str
    units: int
    native: str
    cost: float  # native units
    cost_base: float | None


@dataclass(frozen=True)
class Step:
    id: str  # stable: phase, action and leg, e.g. "put_on.open.hedge"
    phase: str
    action: str
    title: str
    leg: str | None = None
    venue: str | None = None
    amounts: tuple[Qty, ...] = ()
    gas: Gas | None = None
    details: tuple[str, ...] = ()
    number: int = 0  # 1-based position in the checklist, set once all steps are known


@dataclass
class _Builder:
    """Collects steps and answers figure questions shared by the phases."""

    c: Compiled
    steps: list[Step] = field(default_factory=list)

    def add(self, phase: str, action: str, title: str, leg: str | None = None, **kw) -> None:
        key = ".".join(x for x in (phase, action, leg, kw.pop("suffix", None)) if x)
        self.steps.append(Step(key, phase, action, title, leg, **kw))

    @property
    def base(self) -> str:
        return self.c.strategy.base

    def gas(self, leg: str, action: str) -> Gas | None:
        """Gas of one of a leg's transactions, from the wallet that funds it."""
        wallet = self.c.graph.funding_wallet(leg)
        w = self.c.analysis.wallets.get(wallet) if wallet else None
        if w is None:
            return None
        units = next((g.units for g in w.actions if g.leg == leg and g.step == action), None)
        if units is None:
            block = self.c.strategy.block(leg)
            venue = self.c.catalog.venue(block.provider if block.kind == "cover" else block.venue)
            units = venue.gas_units(action) or 0
        return self.gas_of(w, action, units)

    @staticmethod
    def gas_of(w, action: str, units: int) -> Gas:
        cost = finance.gas_cost(units, w.gas_price_gwei)
        per_native = (w.cost_base / w.cost) if w.cost and w.cost_base is not None else None
        return Gas(action, units, w.native, cost, cost * per_native if per_native is not None else None)

    def in_asset(self, value_base: float, asset: str) -> float:
        """A base-currency value expressed in `asset` at the assumed prices."""
        return value_base * prices_of(self.c.strategy).rate(self.base, asset)


def build_steps(c: Compiled) -> list[Step]:
    b = _Builder(c)
    for phase in (_prepare, _covers, _put_on, _verify, _monitor, _unwind, _incident):
        phase(b)
    return [Step(**{**asdict_shallow(s), "number": i}) for i, s in enumerate(b.steps, 1)]


def asdict_shallow(step: Step) -> dict:
    return {f: getattr(step, f) for f in step.__dataclass_fields__}


def _legs(b: _Builder, kind: str) -> list:
    """Blocks of one kind in the graph's deterministic topological order."""
    return [b.c.strategy.block(n) for n in b.c.graph.order() if b.c.graph.kind(n) == kind]


# ---- 1. prepare ------------------------------------------------------------
def _prepare(b: _Builder) -> None:
    a = b.c.analysis
    for wallet in _legs(b, "wallet"):
        w = a.wallets[wallet.name]
        custody = ("self-custodial: you hold the keys" if w.custody == "self"
                   else f"{w.custody}: move the funds to a self-custodial wallet before you start")
        b.add("prepare", "wallet", f"Open the `{w.name}` wallet on {w.chain}", wallet.name, venue=w.chain,
              details=(f"Custody: {custody}.", f"Chain: {w.chain}; gas is paid in {w.native}."))
        setup = finance.gas_cost(w.setup_units, w.gas_price_gwei)
        reserve = finance.gas_cost(w.reserve_units, w.gas_price_gwei)
        details = [f"Setup and unwinding: {w.setup_units:,} gas units at {w.gas_price_gwei:g} gwei "
                   f"= {tokens(setup, w.native)}.",
                   f"Reserve for later adjustments: {w.reserve_units:,} units = {tokens(reserve, w.native)}."]
        if w.balance is not None:
            verdict = "enough" if w.balance >= w.cost else f"short by {tokens(w.cost - w.balance, w.native)}"
            details.append(f"The strategy sets aside {tokens(w.balance, w.native)}: {verdict}.")
        held = max(w.cost, w.balance or 0.0)
        b.add("prepare", "fund_gas", f"Hold {tokens(held, w.native)} for gas", wallet.name, venue=w.chain,
              amounts=(Qty(held, w.native),), details=tuple(details) + (_base_note(w.cost_base, b.base),))
        for asset, needs in _needs_by_asset(b, wallet.name).items():
            total = sum(qty.value for _, qty, _ in needs)
            b.add("prepare", "fund_tokens", f"Hold {_amount(total, asset, b.base)} in `{w.name}`", wallet.name,
                  venue=w.chain, amounts=(Qty(total, asset),), suffix=asset,
                  details=tuple(f"{_amount(q.value, asset, b.base)} for `{leg}`: {why}" for leg, q, why in needs))


def _base_note(value: float | None, base: str) -> str:
    return f"Gas estimate in {base}: {money(value, base)}." if value is not None else \
        "No price for the gas token: gas is not counted in the base currency."


def _amount(value: float, asset: str, base: str) -> str:
    """Money in the base currency to the cent, other tokens to 4 decimals."""
    return money(value, asset) if asset == base else tokens(value, asset)


def _needs_by_asset(b: _Builder, wallet: str) -> dict[str, list[tuple[str, Qty, str]]]:
    grouped: dict[str, list] = {}
    for leg, qty, why in _needs(b, wallet):
        grouped.setdefault(qty.asset, []).append((leg, qty, why))
    return grouped


def _needs(b: _Builder, wallet: str) -> list[tuple[str, Qty, str]]:
    """Tokens each leg funded by `wallet` needs, leg by leg in dependency order."""
    a, graph, out = b.c.analysis, b.c.graph, []
    for name in graph.order():
        if graph.kind(name) == "wallet" or graph.funding_wallet(name) != wallet:
            continue
        if name in a.covers and a.covers[name].premium is not None:
            k = a.covers[name]
            out.append((name, Qty(b.in_asset(k.premium, k.currency), k.currency),
                        f"premium for {money(k.amount, b.base)} of {k.provider} cover over {k.period_days:g} days."))
        elif name in a.pools:
            p = a.pools[name]
            out.append((name, Qty(p.volatile_amount, p.asset), f"the {p.asset} side of the {p.venue} deposit."))
            out.append((name, Qty(b.in_asset(p.quote_amount, p.quote), p.quote),
                        f"the {p.quote} side of the {p.venue} deposit."))
        elif name in a.perps:
            p = a.perps[name]
            leg = b.c.strategy.block(name)
            out.append((name, leg.collateral, f"margin collateral for the {p.market} {p.side} on {p.venue}."))
    return out


# ---- 2. cover --------------------------------------------------------------
def _covers(b: _Builder) -> None:
    for leg in _legs(b, "cover"):
        k = b.c.analysis.covers[leg.name]
        product = f"product {k.product_id} ({k.product})" if k.product_id is not None else "no catalog product"
        premium = money(k.premium, b.base) if k.premium is not None else "unknown (no catalog price)"
        b.add("cover", "approve", f"Approve {k.currency} for the {k.provider} cover purchase", leg.name,
              venue=k.provider, gas=b.gas(leg.name, "approve"))
        b.add("cover", "buy_cover", f"Buy {k.provider} cover for {k.venue} (protects `{k.protects}`)", leg.name,
              venue=k.provider, amounts=(Qty(k.amount, b.base),), gas=b.gas(leg.name, "buy_cover"),
              details=(f"Protocol: {k.venue}, {product}.",
                       f"Cover amount: {money(k.amount, b.base)}"
                       + (f" (in {k.currency})" if k.currency != b.base else "")
                       + f"; funds at risk there: {money(k.funds_at_risk, b.base)}.",
                       f"Period: {k.period_days:g} days; premium {premium}"
                       + (f" ({k.annual_price:.2%} a year, indicative: get a live quote)." if k.annual_price
                          else "."),
                       "Keep the cover id: a claim needs it."))


# ---- 3. put on -------------------------------------------------------------
def _put_on(b: _Builder) -> None:
    """Collateral in first, then each pool with its shorts opened right after it."""
    done: set[str] = set()
    for name in b.c.graph.order():
        kind = b.c.graph.kind(name)
        if kind == "pool":
            hedgers = [h for h in b.c.graph.hedgers(name) if h not in done]
            for perp in hedgers:
                _deposit(b, perp)
            _add_liquidity(b, name)
            for perp in hedgers:
                _open(b, perp)
            done.update(hedgers)
        elif kind == "perp" and name not in done:
            _deposit(b, name)
            _open(b, name)
            done.add(name)


def _deposit(b: _Builder, name: str) -> None:
    p = b.c.analysis.perps[name]
    collateral = b.c.strategy.block(name).collateral
    if not b.c.catalog.venue(p.venue).deposit_required:
        return
    b.add("put_on", "approve", f"Approve {collateral.asset} for the {p.venue} deposit", name, venue=p.venue,
          gas=b.gas(name, "approve"))
    b.add("put_on", "deposit", f"Deposit {_amount(collateral.value, collateral.asset, b.base)} collateral on {p.venue}",
          name, venue=p.venue, amounts=(Qty(collateral.value, collateral.asset),), gas=b.gas(name, "deposit"),
          details=(f"{p.venue} requires collateral on the exchange before an order can be placed.",
                   "Wait for the deposit to be credited before you add liquidity."))


def _add_liquidity(b: _Builder, name: str) -> None:
    p = b.c.analysis.pools[name]
    quote = b.in_asset(p.quote_amount, p.quote)
    native = _native_of(b, name)
    for token in (p.asset, p.quote):
        wrapped = (f"{token} is the chain's native currency: approve its wrapped token (W{token}), "
                   f"or skip this if you add liquidity with native {token}.",) if token == native else ()
        b.add("put_on", "approve", f"Approve {token} for {p.venue}", name, venue=p.venue,
              gas=b.gas(name, "approve"), suffix=token, details=wrapped)
    details = [f"Pair {p.asset}/{p.quote} at {money(p.entry_price, p.quote)} per {p.asset}; "
               f"deposit worth {money(p.deposit, b.base)}."]
    if p.range_low is not None:
        details.append(f"Range {money(p.range_low, p.quote)} .. {money(p.range_high, p.quote)}; "
                       f"liquidity L = {p.liquidity:,.4f}.")
    details.append(f"Expected fees {p.fee_apr:.2%} a year: {money(p.fees, b.base)} over the horizon.")
    hedgers = b.c.graph.hedgers(name)
    if hedgers:
        details.append("Open the hedge (" + ", ".join(f"`{h}`" for h in hedgers) + ") immediately after this "
                       "transaction confirms: until then the position is unhedged.")
    b.add("put_on", "add_liquidity", f"Add liquidity to {p.venue}: {tokens(p.volatile_amount, p.asset)} "
          f"+ {_amount(quote, p.quote, b.base)}", name, venue=p.venue,
          amounts=(Qty(p.volatile_amount, p.asset), Qty(quote, p.quote)), gas=b.gas(name, "add_liquidity"),
          details=tuple(details))


def _native_of(b: _Builder, leg: str) -> str | None:
    wallet = b.c.graph.funding_wallet(leg)
    return b.c.analysis.wallets[wallet].native if wallet in b.c.analysis.wallets else None


def _open(b: _Builder, name: str) -> None:
    p = b.c.analysis.perps[name]
    order = b.c.strategy.block(name).order
    how = (f"limit order at {tokens(order.limit.value, order.limit.asset)} (it may not fill: check it did)"
           if order.kind == "limit" else "market order (fills at once, at the book's price)")
    hedged = f" to hedge `{p.hedges}`" if p.hedges else ""
    coverage = f"; covers {p.coverage:.0%} of the pool's {p.asset}" if p.coverage is not None else ""
    b.add("put_on", "open", f"Open a {p.side} of {tokens(p.size, p.asset)} on {p.venue} {p.market}{hedged}",
          name, venue=p.venue, amounts=(Qty(p.size, p.asset), Qty(p.notional, b.base)),
          gas=b.gas(name, "open"),
          details=(f"Order: {how}.",
                   f"Size {tokens(p.size, p.asset)}{coverage}; notional {money(p.notional, b.base)}.",
                   f"Leverage {p.leverage:.2f}x on {money(p.collateral, b.base)} collateral "
                   f"(market maximum {p.max_leverage:g}x).",
                   f"Expected liquidation price: {money(p.liquidation_price, b.base)} "
                   f"({p.liquidation_distance:+.1%} from entry; {p.liquidation_probability:.2%} chance of "
                   f"touching it within the horizon).",
                   f"Taker fee about {money(p.trading_fees / 2, b.base)}."))


# ---- 4. verify -------------------------------------------------------------
def _verify(b: _Builder) -> None:
    a = b.c.analysis
    for pool in _legs(b, "pool"):
        p, hedgers = a.pools[pool.name], b.c.graph.hedgers(pool.name)
        if not hedgers:
            continue
        short = sum(a.perps[h].size * (1 if a.perps[h].side == "short" else -1) for h in hedgers)
        net = p.volatile_amount - short
        b.add("verify", "net_delta", f"Check net {p.asset} delta of `{pool.name}` is near zero", pool.name,
              venue=p.venue, amounts=(Qty(net, p.asset),),
              details=(f"Pool holds {tokens(p.volatile_amount, p.asset)}; shorts total {tokens(short, p.asset)}.",
                       f"Net delta {tokens(net, p.asset)} ({_share(net, p.volatile_amount)} of the pool's "
                       f"{p.asset}).",))
    for perp in _legs(b, "perp"):
        p = a.perps[perp.name]
        b.add("verify", "margin", f"Check the margin of `{p.name}` on {p.venue}", p.name, venue=p.venue,
              details=(f"Margin ratio (equity / notional) should read about {p.collateral / p.notional:.1%}.",
                       f"Initial margin {money(p.initial_margin, b.base)} ({p.imf:.0%}); maintenance "
                       f"{money(p.maintenance_margin, b.base)} ({p.mmf:.0%}): liquidation below that.",
                       f"Position size {tokens(p.size, p.asset)} {p.side}, entry about "
                       f"{money(p.entry_price, b.base)}."))
    for leg in _legs(b, "cover"):
        k = a.covers[leg.name]
        b.add("verify", "cover_active", f"Check cover `{k.name}` is active on {k.provider}", k.name,
              venue=k.provider, details=(f"{money(k.amount, b.base)} on {k.venue} for {k.period_days:g} days; "
                                         "note the cover id and its end date.",))


def _share(part: float, whole: float) -> str:
    return f"{part / whole:+.1%}" if whole else "n/a"


# ---- 5. monitor ------------------------------------------------------------
def _monitor(b: _Builder) -> None:
    a = b.c.analysis
    for perp in _legs(b, "perp"):
        p = a.perps[perp.name]
        alert = alert_price(p.entry_price, p.liquidation_price, ALERT_SHARE)
        act = alert_price(p.entry_price, p.liquidation_price, ACT_SHARE)
        way = "rises to" if p.side == "short" else "falls to"
        b.add("monitor", "liquidation_alert",
              f"Set a price alert on {p.asset} at {money(alert, b.base)} (`{p.name}` liquidates at "
              f"{money(p.liquidation_price, b.base)})",
              p.name, venue=p.venue, amounts=(Qty(alert, b.base),),
              details=(f"Liquidation at {money(p.liquidation_price, b.base)}; the alert fires at half the "
                       f"distance from entry {money(p.entry_price, b.base)}.",
                       f"If {p.asset} {way} {money(act, b.base)}, add collateral or cut the {p.side} before "
                       "it is liquidated (liquidation fee up to "
                       f"{b.c.catalog.venue(p.venue).liquidation_fee:.1%})."))
        _funding_alert(b, p)
        _rebalance(b, perp, p)
    for pool in _legs(b, "pool"):
        p = a.pools[pool.name]
        if p.range_low is None:
            continue
        low, high = p.range_low * (1 + RANGE_ALERT), p.range_high * (1 - RANGE_ALERT)
        b.add("monitor", "range_alert", f"Set range alerts at {money(low, p.quote)} and {money(high, p.quote)}",
              pool.name, venue=p.venue, amounts=(Qty(low, p.quote), Qty(high, p.quote)),
              details=(f"The range is {money(p.range_low, p.quote)} .. {money(p.range_high, p.quote)}: outside "
                       "it the position earns no fees.",
                       f"Below the range it is all {p.asset} (hedge too small); above it, all {p.quote} "
                       "(the short is then naked: close it)."))
    for wallet in _legs(b, "wallet"):
        w = a.wallets[wallet.name]
        reserve = finance.gas_cost(w.reserve_units, w.gas_price_gwei)
        b.add("monitor", "gas_alert", f"Keep at least {tokens(reserve, w.native)} in `{w.name}` for gas",
              w.name, venue=w.chain, amounts=(Qty(reserve, w.native),),
              details=("Running out of gas strands a hedge: top up before adjusting if the balance falls "
                       "below this.",))
    for leg in _legs(b, "cover"):
        k = a.covers[leg.name]
        b.add("monitor", "cover_expiry", f"Note when cover `{k.name}` ends: {k.period_days:g} days after purchase",
              k.name, venue=k.provider,
              details=(f"The strategy runs {a.horizon_days:g} days; renew the cover before it ends if you keep "
                       "the position longer.",))


def alert_price(entry: float, liquidation: float, share: float) -> float:
    """The price `share` of the way from entry to liquidation."""
    return entry + share * (liquidation - entry)


def _funding_alert(b: _Builder, p) -> None:
    """Alert at the funding rate where the strategy's expected carry turns negative.

    carry(f) = other + f * days / 365 * sum(sign * notional), sign +1 short, -1 long
    (a positive rate pays shorts), so the break-even rate is
    f* = -other * 365 / (days * sum(sign * notional)); net short books lose below it,
    net long books above it.
    """
    carry, days = b.c.analysis.carry, b.c.analysis.horizon_days
    other = carry["net"] - carry["funding"]  # everything but funding, over the horizon
    exposure = sum(q.notional * (1 if q.side == "short" else -1) for q in b.c.analysis.perps.values())
    if not exposure or not days:
        return
    breakeven = -other * 365.0 / (days * exposure)
    side = "below" if exposure > 0 else "above"
    pays = "shorts pay longs" if p.side == "short" else "longs pay shorts"
    expected = "nothing" if p.funding == 0 else \
        f"{money(abs(p.funding), b.base)} {'received' if p.funding > 0 else 'paid'}"
    b.add("monitor", "funding_alert", f"Watch {p.market} funding: alert {side} {breakeven:+.1%} a year",
          p.name, venue=p.venue,
          details=(f"Assumed {p.funding_apr:+.1%} a year: {expected} over the horizon.",
                   f"{side.capitalize()} {breakeven:+.1%} a year funding turns the strategy's expected carry "
                   f"negative; a negative rate means {pays}.")
          + (("At the assumed rate the expected carry is already negative.",) if carry["net"] < 0 else ()))


def _rebalance(b: _Builder, leg, p) -> None:
    if p.hedges is None:
        return
    pool = b.c.analysis.pools[p.hedges]
    threshold = leg.rebalance if leg.rebalance is not None else REVIEW_DRIFT
    low, high = drift_band(pool, p.size, threshold)
    set_by = "the `rebalance` threshold" if leg.rebalance is not None else \
        f"no `rebalance` is set, so review at the default {REVIEW_DRIFT:.0%}"
    b.add("monitor", "rebalance",
          f"Rebalance `{p.name}` when {p.asset} leaves {low:,.2f} .. {high:,.2f} {b.base}",
          p.name, venue=p.venue, amounts=(Qty(low, b.base), Qty(high, b.base)),
          details=(f"At those prices the short is {threshold:.0%} off the pool's {p.asset} amount ({set_by}).",
                   f"Resize the short to the pool's {p.asset} amount at the time (check the pool position)."))


def drift_band(pool, size: float, threshold: float) -> tuple[float, float]:
    """Prices where |size / pool asset amount - 1| reaches `threshold`.

    The pool's asset amount falls as the price rises, so the short's excess
    grows with price: a lower and an upper band edge, found by bisection on
    the pool's own amount function (v2: x0 sqrt(p0/p); v3: amount0(L, p)).
    """
    def amount(price: float) -> float:
        if pool.liquidity is not None:
            return finance.v3_amounts(pool.liquidity, price, pool.range_low, pool.range_high)[0]
        return pool.volatile_amount * math.sqrt(pool.entry_price / price)

    def drift(price: float) -> float:
        held = amount(price)
        return math.inf if held <= 0 else size / held - 1

    target = size / pool.volatile_amount - 1  # drift at entry (0 for a 1:1 hedge)
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


# ---- 6. unwind -------------------------------------------------------------
def _unwind(b: _Builder) -> None:
    """Shorts closed and liquidity removed pool by pool, then collateral out, then cover."""
    a, done = b.c.analysis, set()
    for pool in reversed(_legs(b, "pool")):
        p, hedgers = a.pools[pool.name], [h for h in b.c.graph.hedgers(pool.name) if h not in done]
        for perp in hedgers:
            _close(b, perp)
        b.add("unwind", "remove_liquidity", f"Remove all liquidity from {p.venue} (`{pool.name}`)", pool.name,
              venue=p.venue, gas=b.gas(pool.name, "remove_liquidity"),
              details=(f"You receive {p.asset} and {p.quote} in the ratio of the price at that time."
                       + (" Collect the fees as well." if p.liquidity is not None else ""),))
        done.update(hedgers)
    for perp in reversed(_legs(b, "perp")):
        if perp.name not in done:
            _close(b, perp.name)
    for perp in reversed(_legs(b, "perp")):
        p = a.perps[perp.name]
        if b.c.catalog.venue(p.venue).deposit_required:
            b.add("unwind", "withdraw", f"Withdraw the collateral from {p.venue} (`{p.name}`)", p.name,
                  venue=p.venue, amounts=(Qty(p.collateral, b.base),), gas=b.gas(p.name, "withdraw"),
                  details=(f"About {money(p.collateral, b.base)} plus PnL and funding.",))
    for leg in reversed(_legs(b, "cover")):
        k = a.covers[leg.name]
        grace = _grace(b, k)
        b.add("unwind", "cover_end", f"Let cover `{k.name}` run out, or renew it", k.name, venue=k.provider,
              details=(f"It ends {k.period_days:g} days after purchase; claims stay possible for {grace} more days.",
                       "Renew only if funds stay on " + k.venue + "."))


def _close(b: _Builder, name: str) -> None:
    p = b.c.analysis.perps[name]
    b.add("unwind", "close", f"Close the {p.side} of {tokens(p.size, p.asset)} on {p.venue} {p.market}", name,
          venue=p.venue, amounts=(Qty(p.size, p.asset),), gas=b.gas(name, "close"),
          details=("Market order, reduce-only: the whole size.",))


def _grace(b: _Builder, k) -> str:
    product = b.c.catalog.cover_product_for(k.provider, k.venue)
    return f"{product.grace_days}" if product else "the product's grace"


# ---- 7. incident -----------------------------------------------------------
def _incident(b: _Builder) -> None:
    a = b.c.analysis
    for leg in _legs(b, "cover"):
        k = a.covers[leg.name]
        product = b.c.catalog.cover_product_for(k.provider, k.venue)
        deposit = (f"{tokens(product.claim_deposit, product.claim_deposit_asset)} claim deposit"
                   if product else "the claim deposit")
        wallet = b.c.graph.funding_wallet(k.name)
        w = a.wallets.get(wallet) if wallet else None
        units = b.c.catalog.venue(k.provider).gas_units("claim") or 0
        b.add("incident", "claim", f"If {k.venue} is exploited: file a claim on cover `{k.name}`", k.name,
              venue=k.provider, amounts=(Qty(k.amount, b.base),),
              gas=b.gas_of(w, "claim", units) if w else None,
              details=(f"With {k.provider} for product {k.product_id} ({k.product}); claim up to "
                       f"{money(k.amount, b.base)}.",
                       f"File within the cover period plus {_grace(b, k)} days; pay {deposit}.",
                       "Evidence: the cover id; your address and the transactions that put the funds on "
                       f"{k.venue} (deposit or add-liquidity hashes); balances before and after the incident; "
                       "the public incident report or exploit transactions.",
                       f"Assessors vote for {CLAIM_VOTE_DAYS} days; redeem an approved payout within the "
                       "redemption period."))
    covered = {k.venue for k in a.covers.values()}
    held = sorted({p.venue for p in a.pools.values()} | {p.venue for p in a.perps.values()})
    for venue in held:
        if venue in covered:
            continue
        b.add("incident", "uncovered", f"If {venue} is exploited: no cover, withdraw what remains", None,
              venue=venue, details=("The strategy holds no cover for this venue: the loss is not insured.",
                                    "Close the hedges that lost their pool (or the pool whose hedge is gone)."))


# ---- rendering ---------------------------------------------------------------
def money(value: float | None, asset: str) -> str:
    """2 decimals with thousands separators: 20,000.00 USDC."""
    return "n/a" if value is None else f"{_zero(value):,.2f} {asset}"


def tokens(value: float, asset: str) -> str:
    """Token amounts to 4 decimals, or 3 significant digits below 0.01: 3.3333 ETH, 0.00092 ETH."""
    value = _zero(value)
    if value == 0:
        return f"0 {asset}"
    if abs(value) >= 0.01:
        text = f"{value:,.4f}".rstrip("0").rstrip(".")
    else:
        text = f"{value:.3g}"
        text = f"{float(text):.{max(0, -math.floor(math.log10(abs(value))) + 2)}f}".rstrip("0").rstrip(".")
    return f"{text} {asset}"


def _zero(value: float) -> float:
    return 0.0 if abs(value) < 1e-12 else value


def document(c: Compiled, steps: list[Step]) -> dict:
    """The checklist as data, for YAML and JSON (specs/schema/checklist.schema.json)."""
    from hedgec import __version__

    s = c.strategy
    return {
        "checklist_version": CHECKLIST_VERSION, "hedgec_version": __version__, "source": c.source,
        "strategy": {"name": s.name, "title": s.title, "base": s.base, "horizon_days": s.horizon.days},
        "phases": [{"id": pid, "title": title} for pid, title in PHASES],
        "steps": [_step_json(step) for step in steps],
    }


def _step_json(step: Step) -> dict:
    out = asdict(step)
    out["amounts"] = [asdict(q) for q in step.amounts]
    out["details"] = list(step.details)
    return out


def to_markdown(c: Compiled, steps: list[Step]) -> str:
    from hedgec.escape import markdown_code, markdown_text

    s, a = c.strategy, c.analysis
    prices = ", ".join(f"{sym} at {money(v, s.base)}" for sym, v in sorted(a.prices.items()))
    lines = [f"# Execution checklist: {markdown_text(s.title or s.name)}", "",
             f"Strategy {markdown_code(s.name)} from {markdown_code(c.source['file'])} "
             f"(sha256 {c.source['sha256'][:12]}), horizon {s.horizon.days:g} days, amounts in "
             + markdown_text(s.base + (f", {prices}." if prices else ".")), "",
             "Tick each box as you go. Do the steps in order: cover is bought before any funds go in, and "
             "each short is opened right after the liquidity it hedges.", ""]
    lines += _summary(c)
    for pid, title in PHASES:
        phase = [step for step in steps if step.phase == pid]
        if not phase:
            continue
        lines += [f"## {PHASES.index((pid, title)) + 1}. {title}", ""]
        for step in phase:
            lines += _step_markdown(step, s.base)
    return "\n".join(lines).rstrip("\n") + "\n"


def _summary(c: Compiled) -> list[str]:
    from hedgec.escape import markdown_text

    a, base = c.analysis, c.strategy.base
    rows = [("Expected pool fees", a.carry["fees"]), ("Expected funding", a.carry["funding"]),
            ("Cover premiums", -a.carry["premiums"]), ("Trading fees", -a.carry["trading_fees"]),
            ("Gas", -a.carry["gas"]), ("Net carry", a.carry["net"])]
    lines = ["| Over the horizon | Amount |", "|---|---:|"]
    lines += [f"| {label} | {markdown_text(money(value, base))} |" for label, value in rows]
    return lines + ["", "Before price moves and impermanent loss: run `hedgec plan` for the scenarios.", ""]


def _step_markdown(step: Step, base: str) -> list[str]:
    """One step; its sentences keep their code spans, and what came from the
    strategy or a catalog between them is escaped."""
    from hedgec.escape import markdown_code, markdown_prose, markdown_text

    lines = [f"- [ ] **{step.number}. {markdown_prose(step.title)}**"]
    where = [f"{'chain' if step.action in WALLET_ACTIONS else 'venue'} {markdown_text(step.venue)}"] \
        if step.venue else []
    if step.leg:
        where.append(f"leg {markdown_code(step.leg)}")
    if step.gas is not None:
        gas = f"gas ~{step.gas.units:,} units = {markdown_text(tokens(step.gas.cost, step.gas.native))}"
        if step.gas.cost_base is not None and step.gas.units:
            gas += f" (~{markdown_text(money(step.gas.cost_base, base))})"
        where.append(gas if step.gas.units else "no gas (off-chain order)")
    if where:
        lines.append("  - " + "; ".join(where))
    lines += [f"  - {markdown_prose(detail)}" for detail in step.details]
    return lines + [""]


def render(c: Compiled, fmt: str = "markdown") -> str:
    from .serialize import FORMATS

    steps = build_steps(c)
    if fmt == "markdown":
        return to_markdown(c, steps)
    return FORMATS[fmt](document(c, steps))
