"""`pool`: liquidity in an AMM (Uniswap v2 or v3), long the tokens it holds.

A pair's quote may be a stablecoin (ETH/USDC: long ETH only) or a second
volatile asset (WBTC/ETH: long both). Every token's delta in base is the
amount of it held, so the pool's exposure lists each volatile token held.
"""
from __future__ import annotations

from typing import Mapping

from hedgec import finance
from hedgec.numbers import money_cents as money, tokens
from hedgec.record import record

from .. import diagnostics as diag
from .. import ir
from ..ir import _span, _spans
from ..registry import Threshold
from ..schema import POSITIVE, Domain, Key
from ..source import Span
from ..units import Amount, price_symbol
from .base import FROM, Checklist, Drawing, Kind

RANGE_ALERT = Threshold("range-alert", 0.05, "how near a v3 range's edge, as a share of it, the checklist's range "
                        "alerts fire", Domain(low=0.0, high=0.5, high_open=True))


@record
class Pool(ir.Block):
    name: str
    venue: str
    pair: ir.Pair
    deposit: Amount
    source: ir.Ref  # `from`
    fee_apr: float | None = None
    range: ir.PriceRange | None = None
    span: Span = _span()
    spans: Mapping[str, Span] = _spans()

    kind = "pool"


@record
class PoolFigures:
    name: str
    venue: str
    model: str  # constant_product | concentrated
    asset: str  # the volatile asset, e.g. ETH (WBTC in WBTC/ETH)
    quote: str  # USDC, or a second volatile asset (ETH in WBTC/ETH)
    entry_price: float  # in the quote asset
    deposit: float  # in the base currency
    volatile_amount: float  # units of the asset held at entry
    quote_amount: float  # value of the quote side at entry, in base
    exposure: float  # value of the volatile tokens held at entry, in base (both sides of WBTC/ETH)
    liquidity: float | None  # v3 L
    range_low: float | None
    range_high: float | None
    fee_apr: float
    fees: float  # expected over the horizon, in base
    quote_rate: float  # base per unit of the quote asset
    quote_units: float = 0.0  # units of the quote asset held at entry
    quote_volatile: bool = False  # the quote is priced apart from base (ETH in WBTC/ETH)

    def amount_at(self, price):
        """Units of the volatile asset held at `price` (float or array): the pool's delta."""
        if self.liquidity is not None:
            return finance.v3_amounts(self.liquidity, price, self.range_low, self.range_high)[0]
        return finance.v2_amount(self.volatile_amount * 2 * self.entry_price, self.entry_price, price)

    def units_at(self, symbol: str, price):
        """Units of token `symbol` (a price symbol) held at `price` (asset in quote): the
        volatile asset's amount, or the quote's (value in quote less the asset's worth)."""
        if symbol == price_symbol(self.asset):
            return self.amount_at(price)
        return self.value_at(price) - self.amount_at(price) * price

    def value_at(self, price):
        """Value at `price` (float or array), in the quote asset, before fees."""
        if self.liquidity is not None:
            return finance.v3_value(self.liquidity, price, self.range_low, self.range_high)
        return finance.v2_value(self.volatile_amount * 2 * self.entry_price, price / self.entry_price)


def analyse(pool: Pool, ctx) -> PoolFigures:
    venue = ctx.catalog.venue(pool.venue)
    asset, quote = pool.pair.base, pool.pair.quote
    prices = ctx.prices
    price = prices.rate(asset, quote)  # entry price of the asset in the quote
    deposit_quote = pool.deposit.to(quote, prices).value
    liquidity = low = high = None
    if venue.model == "concentrated" and pool.range is not None:
        low, high = pool.range.low, pool.range.high
        liquidity = finance.v3_liquidity(deposit_quote, price, low, high)
        volatile, quote_amount = finance.v3_amounts(liquidity, price, low, high)
    else:
        volatile = finance.v2_volatile_amount(deposit_quote, price)
        quote_amount = deposit_quote / 2
    to_base = prices.rate(quote, prices.base)
    fee_apr = pool.fee_apr or 0.0
    deposit = deposit_quote * to_base
    quote_volatile = price_symbol(quote) != price_symbol(prices.base)
    held = volatile * price * to_base + (quote_amount * to_base if quote_volatile else 0.0)
    return PoolFigures(pool.name, pool.venue, venue.model or "constant_product", asset, quote, price,
                       deposit, volatile, quote_amount * to_base, held, liquidity,
                       low, high, fee_apr, finance.pool_fees(deposit, fee_apr, ctx.days), to_base,
                       quote_amount, quote_volatile)


def resolve(pool: Pool, strategy, catalog):
    """A range where the venue has ranges, inside which the entry price lies."""
    concentrated = catalog.venue(pool.venue).model == "concentrated"
    if pool.range is not None and not concentrated:
        yield diag.make("H119", f"`range` applies to concentrated liquidity; {pool.venue} spreads the deposit "
                                "over every price", pool.at("range"),
                        hint="remove `range`, or use a concentrated venue such as `uniswap_v3`")
    elif pool.range is None and concentrated:
        yield diag.make("H119", f"a {pool.venue} position needs `range`", pool.span,
                        hint="add `range = LOW .. HIGH QUOTE` around the entry price")
    elif pool.range is not None:
        price = strategy.assume.prices.get(pool.pair.base) or strategy.assume.prices.get(price_symbol(pool.pair.base))
        low, high = pool.range.low, pool.range.high
        if price is not None and price.asset == pool.range.asset and not low < price.value < high:
            side = f"all {pool.pair.base}" if price.value <= low else f"all {pool.pair.quote}"
            yield diag.make("H119", f"the range {low:g} .. {high:g} {pool.range.asset} does not contain the entry "
                                    f"price {price.value:g}: the position would be {side} and earn no fees "
                                    "until the price enters the range", pool.at("range"),
                            hint="set the range around the entry price")


def exposure(f: PoolFigures) -> dict[str, float]:
    """Units of each volatile token held at entry, by price symbol."""
    out = {price_symbol(f.asset): f.volatile_amount}
    if f.quote_volatile:
        out[price_symbol(f.quote)] = out.get(price_symbol(f.quote), 0.0) + f.quote_units
    return out


def value(f: PoolFigures, prices: Mapping, years: float):
    """Value in base, before fees, at its tokens' prices in base (float or array):
    the pool's value in its quote at the relative price, times the quote's price."""
    quote_price = prices[price_symbol(f.quote)] if f.quote_volatile else f.quote_rate
    return f.value_at(prices[price_symbol(f.asset)] / quote_price) * quote_price


def label(f: PoolFigures, base: str) -> list[str]:
    lines = [f"{f.venue} {f.asset}/{f.quote}", f"deposit {money(f.deposit, base)}"]
    if f.range_low is not None:
        lines.append(f"range {f.range_low:,.0f} .. {f.range_high:,.0f}")
    return lines + [f"{tokens(f.volatile_amount, f.asset)}, fees {f.fee_apr:.0%} apr"]


def plan(c, leg: Pool) -> dict:
    p = c.analysis.figures[leg.name]
    return {
        "name": p.name, "venue": p.venue, "model": "v3" if p.model == "concentrated" else "v2",
        "asset": p.asset, "price_symbol": price_symbol(p.asset), "quote": p.quote,
        "entry_price": p.entry_price * c.prices.rate(p.quote, c.strategy.base), "deposit": p.deposit,
        "volatile_amount": p.volatile_amount, "quote_amount": p.quote_amount,
        "quote_price_symbol": price_symbol(p.quote) if p.quote_volatile else None, "quote_units": p.quote_units,
        "range_low": p.range_low, "range_high": p.range_high, "liquidity": p.liquidity,
        "fee_apr": p.fee_apr, "hedged_by": c.graph.hedgers(leg.name),
        "protected_by": c.graph.protectors(leg.name),
    }


# ---- checklist ---------------------------------------------------------------
def _needs(b, name: str):
    p = b.figures(name)
    return [(b.qty(p.volatile_amount, p.asset), f"the {p.asset} side of the {p.venue} deposit."),
            (b.qty(b.in_asset(p.quote_amount, p.quote), p.quote), f"the {p.quote} side of the {p.venue} deposit.")]


def _open(b, name: str) -> None:
    p = b.figures(name)
    quote = b.in_asset(p.quote_amount, p.quote)
    native = b.native_of(name)
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
    order = b.c.graph.order()
    hedgers = [h for h in b.c.graph.hedgers(name) if order.index(h) > order.index(name)]  # a loan comes before
    if hedgers:
        details.append("Open the hedge (" + ", ".join(f"`{h}`" for h in hedgers) + ") immediately after this "
                       "transaction confirms: until then the position is unhedged.")
    b.add("put_on", "add_liquidity", f"Add liquidity to {p.venue}: {tokens(p.volatile_amount, p.asset)} "
          f"+ {b.amount(quote, p.quote)}", name, venue=p.venue,
          amounts=(b.qty(p.volatile_amount, p.asset), b.qty(quote, p.quote)), gas=b.gas(name, "add_liquidity"),
          details=tuple(details))


def _verify(b, name: str) -> None:
    p, hedgers = b.figures(name), b.c.graph.hedgers(name)
    if not hedgers:
        return
    for symbol, held in exposure(p).items():
        token = p.asset if symbol == price_symbol(p.asset) else p.quote
        short = -sum(b.exposure(h).get(symbol, 0.0) for h in hedgers)
        net = held - short if abs(held - short) > 1e-12 * held else 0.0
        suffix = "" if len(exposure(p)) == 1 else token
        b.add("verify", "net_delta", f"Check net {token} delta of `{name}` is near zero", name,
              venue=p.venue, amounts=(b.qty(net, token),), suffix=suffix,
              details=(f"Pool holds {tokens(held, token)}; hedges total {tokens(short, token)} short.",
                       f"Net delta {tokens(net, token)} ({_share(net, held)} of the pool's {token})."))


def _share(part: float, whole: float) -> str:
    return f"{part / whole:+.1%}" if whole else "n/a"


def _monitor(b, name: str) -> None:
    p = b.figures(name)
    if p.range_low is None:
        return
    # In a range narrower than the setting, the alerts would cross: they move to a
    # quarter of the range's relative width inside each edge.
    near = min(b.threshold(RANGE_ALERT.name), 0.5 * (p.range_high - p.range_low) / (p.range_high + p.range_low))
    low, high = p.range_low * (1 + near), p.range_high * (1 - near)
    b.add("monitor", "range_alert", f"Set range alerts at {money(low, p.quote)} and {money(high, p.quote)}",
          name, venue=p.venue, amounts=(b.qty(low, p.quote), b.qty(high, p.quote)),
          details=(f"The range is {money(p.range_low, p.quote)} .. {money(p.range_high, p.quote)}: outside "
                   "it the position earns no fees.",
                   f"Below the range it is all {p.asset} (hedge too small); above it, all {p.quote} "
                   "(the short is then naked: close it)."))


def _close(b, name: str) -> None:
    p = b.figures(name)
    b.add("unwind", "remove_liquidity", f"Remove all liquidity from {p.venue} (`{name}`)", name,
          venue=p.venue, gas=b.gas(name, "remove_liquidity"),
          details=(f"You receive {p.asset} and {p.quote} in the ratio of the price at that time."
                   + (" Collect the fees as well." if p.liquidity is not None else ""),))


KIND = Kind(
    name="pool",
    doc="liquidity in an AMM, long the volatile tokens it holds",
    ir_class=Pool,
    keys={
        "venue": Key("name", "The AMM: `uniswap_v2` or `uniswap_v3`.", required=True),
        "pair": Key("pair", "Volatile asset / quote asset, e.g. `ETH/USDC`, or two volatile assets, "
                            "e.g. `WBTC/ETH`.", required=True),
        "deposit": Key("amount", "The value deposited, in any asset with a price, e.g. `20000 USDC` or "
                                 "`6.6667 ETH`.", required=True, domain=POSITIVE),
        "fee_apr": Key("percent_or_rate", "Expected fee income per year, e.g. `15%`.",
                       domain=Domain(low=0.0, high=10.0, plausible=1.0)),
        "range": Key("range", "The price range of a concentrated (v3) position."),
        "from": Key("ref", "The wallet (or leg) that funds the deposit.", required=True),
    },
    references=(FROM,),
    venue_key="venue",
    venue_kind="amm",
    section="pools",
    problem_key="pair",
    resolve=resolve,
    analyse=analyse,
    funds_held=lambda f: f.deposit,
    carry=lambda f: {"fees": f.fees},
    setup=("approve", "approve", "add_liquidity"),  # one approval per token
    unwind=("remove_liquidity",),
    drawing=Drawing("box", ("[", "]"), label),
    plan=plan,
    checklist=Checklist(needs=_needs, open=_open, verify=_verify, monitor=_monitor, close=_close,
                        thresholds=(RANGE_ALERT,)),
    review=(("deposit", "deposit", "money"), ("exposure", "exposure", "money"), ("fees", "expected fees", "money")),
    exposure=exposure,
    value=value,
)
