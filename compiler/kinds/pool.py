"""`pool`: liquidity in an AMM (Uniswap v2 or v3), long its volatile asset."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from hedgec import finance
from hedgec.numbers import money_cents as money, tokens

from .. import ir
from ..schema import Key
from ..source import Span
from ..units import Amount, price_symbol
from ..ir import _span, _spans
from .base import FROM, Checklist, Drawing, Kind

RANGE_ALERT = 0.05  # alert when the price is within 5% of a v3 range edge


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class PoolFigures:
    name: str
    venue: str
    model: str  # constant_product | concentrated
    asset: str  # the volatile asset, e.g. ETH
    quote: str
    entry_price: float  # in the quote asset
    deposit: float  # in the base currency
    volatile_amount: float  # units of the asset held at entry
    quote_amount: float
    exposure: float  # volatile_amount * entry_price, in base
    liquidity: float | None  # v3 L
    range_low: float | None
    range_high: float | None
    fee_apr: float
    fees: float  # expected over the horizon, in base
    quote_rate: float  # base per unit of the quote asset

    def amount_at(self, price):
        """Units of the volatile asset held at `price` (float or array): the pool's delta."""
        if self.liquidity is not None:
            return finance.v3_amounts(self.liquidity, price, self.range_low, self.range_high)[0]
        return finance.v2_amount(self.volatile_amount * 2 * self.entry_price, self.entry_price, price)

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
    return PoolFigures(pool.name, pool.venue, venue.model or "constant_product", asset, quote, price,
                       deposit, volatile, quote_amount * to_base, volatile * price * to_base, liquidity,
                       low, high, fee_apr, finance.pool_fees(deposit, fee_apr, ctx.days), to_base)


def exposure(f: PoolFigures) -> dict[str, float]:
    return {price_symbol(f.asset): f.volatile_amount}


def value(f: PoolFigures, prices: Mapping, years: float):
    """Value in base, before fees, at its asset's prices in base (float or array)."""
    return f.value_at(prices[price_symbol(f.asset)] / f.quote_rate) * f.quote_rate


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
    symbol = price_symbol(p.asset)
    short = -sum(b.exposure(h).get(symbol, 0.0) for h in hedgers)
    net = p.volatile_amount - short
    b.add("verify", "net_delta", f"Check net {p.asset} delta of `{name}` is near zero", name,
          venue=p.venue, amounts=(b.qty(net, p.asset),),
          details=(f"Pool holds {tokens(p.volatile_amount, p.asset)}; hedges total {tokens(short, p.asset)} short.",
                   f"Net delta {tokens(net, p.asset)} ({_share(net, p.volatile_amount)} of the pool's "
                   f"{p.asset})."))


def _share(part: float, whole: float) -> str:
    return f"{part / whole:+.1%}" if whole else "n/a"


def _monitor(b, name: str) -> None:
    p = b.figures(name)
    if p.range_low is None:
        return
    low, high = p.range_low * (1 + RANGE_ALERT), p.range_high * (1 - RANGE_ALERT)
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
    doc="liquidity in an AMM, long its volatile asset",
    ir_class=Pool,
    keys={
        "venue": Key("name", "The AMM: `uniswap_v2` or `uniswap_v3`.", required=True),
        "pair": Key("pair", "Volatile asset / quote asset, e.g. `ETH/USDC`.", required=True),
        "deposit": Key("amount", "The value deposited, in the quote asset.", required=True),
        "fee_apr": Key("percent_or_rate", "Expected fee income per year, e.g. `15%`."),
        "range": Key("range", "The price range of a concentrated (v3) position."),
        "from": Key("ref", "The wallet (or leg) that funds the deposit.", required=True),
    },
    references=(FROM,),
    venue_key="venue",
    venue_kind="amm",
    section="pools",
    problem_key="pair",
    analyse=analyse,
    funds_held=lambda f: f.deposit,
    carry=lambda f: {"fees": f.fees},
    setup=("approve", "approve", "add_liquidity"),  # one approval per token
    unwind=("remove_liquidity",),
    drawing=Drawing("box", ("[", "]"), label),
    plan=plan,
    checklist=Checklist(needs=_needs, open=_open, verify=_verify, monitor=_monitor, close=_close),
    review=(("deposit", "deposit", "money"), ("exposure", "exposure", "money"), ("fees", "expected fees", "money")),
    exposure=exposure,
    value=value,
)
