"""The figures of a strategy: what each leg holds, owes and risks.

Computed once from the IR, graph, catalog and assumptions; rules judge these
figures, targets print and simulate them, `check --format json` publishes
them. Assumptions the strategy leaves out fall back to documented catalog
defaults, and each fallback is recorded so a rule can say so.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, fields, is_dataclass
from typing import Mapping

from hedgec import finance

from . import ir
from .units import Amount, Prices, UnitError, price_symbol

DAYS_PER_YEAR = 365.0


@dataclass(frozen=True)
class Fallback:
    """An assumption taken from the catalog because `assume` was silent."""

    key: str  # the assume key that was missing, e.g. "vol.ETH"
    value: float
    unit: str
    note: str


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


@dataclass(frozen=True)
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
    liquidation_price: float
    liquidation_distance: float  # signed fraction from entry
    liquidation_probability: float  # over the horizon, GBM first passage (martingale price unless drift.X)
    vol: float
    funding_apr: float
    funding: float  # expected over the horizon, + received / - paid, in base
    trading_fees: float  # taker fee to open and close, in base
    limit_price: float | None  # a limit order's price, in base
    limit_distance: float | None  # (limit - entry) / entry
    hedges: str | None
    required_size: float | None  # units the hedged pool needs, times ratio
    coverage: float | None  # size / required_size


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class GasAction:
    step: str  # e.g. "approve", "deposit", "add_liquidity"
    leg: str
    venue: str
    units: int


@dataclass(frozen=True)
class WalletFigures:
    name: str
    chain: str
    native: str
    custody: str
    balance: float | None  # units set aside for gas, in balance_asset
    balance_asset: str | None
    gas_price_gwei: float
    actions: tuple[GasAction, ...]
    setup_units: int
    reserve_units: int  # adjustments kept in reserve
    reserve_count: int  # how many adjustments the reserve pays for
    cost: float  # native units for actions + reserve
    cost_base: float | None  # the same in base currency, if a price is known


@dataclass(frozen=True)
class Analysis:
    base: str
    horizon_days: float
    prices: Mapping[str, float]  # price symbol -> price in base
    pools: Mapping[str, PoolFigures]
    perps: Mapping[str, PerpFigures]
    covers: Mapping[str, CoverFigures]
    wallets: Mapping[str, WalletFigures]
    carry: Mapping[str, float]  # fees, funding, premiums, trading_fees, gas, net (base)
    fallbacks: tuple[Fallback, ...] = ()
    problems: tuple[tuple[str, str, str], ...] = field(default=())  # (block, key, message): figures that could not be computed

    def to_json(self) -> dict:
        return _rounded(self)


def _rounded(value):
    """Plain data with floats to 10 significant digits, so output is stable
    across platforms (dataclasses.asdict deep-copies, which cost more than
    the whole check)."""
    if isinstance(value, float):  # a non-finite figure is H117, and null in JSON
        return float(f"{value:.10g}") if math.isfinite(value) else None
    if is_dataclass(value):
        return {f.name: _rounded(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, dict):
        return {str(k): _rounded(v) for k, v in sorted(value.items())}
    if isinstance(value, list | tuple):
        return [_rounded(v) for v in value]
    return value


class _Assumed:
    """Assumption lookup that records catalog fallbacks."""

    def __init__(self, strategy: ir.Strategy, catalog):
        self.strategy, self.catalog = strategy, catalog
        self.fallbacks: dict[str, Fallback] = {}

    def _fallback(self, key: str, default: str, sub: str | None, unit: str) -> float:
        value = self.catalog.default(default, sub)
        if key not in self.fallbacks:
            self.fallbacks[key] = Fallback(key, value, unit, self.catalog.defaults[default].note)
        return value

    def vol(self, asset: str) -> float:
        symbol = price_symbol(asset)
        a = self.strategy.assume
        if symbol in a.vols:
            return a.vols[symbol]
        if asset in a.vols:
            return a.vols[asset]
        return self._fallback(f"vol.{symbol}", "vol", symbol, "annual volatility")

    def drift(self, asset: str) -> float:
        """`drift.X`, or 0: unless stated, a price is a martingale (as in the simulator)."""
        drifts = self.strategy.assume.drift
        return drifts.get(price_symbol(asset), drifts.get(asset, 0.0))

    def funding(self, market: str) -> float:
        if market in self.strategy.assume.funding:
            return self.strategy.assume.funding[market]
        return self._fallback(f"funding.{market}", "funding_apr", None, "apr")

    def native_price(self, native: str, prices: Prices) -> float:
        if prices.has(native):
            return prices.price(native)
        return self._fallback(f"price.{price_symbol(native)}", "native_price", native, f"{prices.base} per {native}")

    def gas_price(self, chain: str) -> float:
        if self.strategy.assume.gas_price is not None:
            return self.strategy.assume.gas_price.gwei
        return self._fallback("gas_price", "gas_price_gwei", chain, "gwei")


def prices_of(strategy: ir.Strategy) -> Prices:
    """Prices in the base currency: stated in it, or in an asset itself priced in it
    (`price.ETH = 0.05 BTC` with `price.BTC = 60000 USDC`). Any other is left out
    (rules report it: H115 at the `price.X`)."""
    base = price_symbol(strategy.base)
    stated = {price_symbol(symbol): amount for symbol, amount in strategy.assume.prices.items()}
    quotes = {}
    for symbol, amount in stated.items():
        unit = price_symbol(amount.asset)
        if unit == base:
            quotes[symbol] = amount.value
        elif unit != symbol and unit in stated and price_symbol(stated[unit].asset) == base:
            quotes[symbol] = amount.value * stated[unit].value
    return Prices(strategy.base, quotes)


def analyse(strategy: ir.Strategy, graph, catalog, adjustments: int | None = None) -> Analysis:
    """Figures of every leg. `adjustments`: hedge adjustments to keep gas for
    (default: the catalog's `adjustments_reserve`). A leg whose figures need a
    price `assume` does not give is left out and recorded in `problems`."""
    if adjustments is None:
        adjustments = int(catalog.default("adjustments_reserve"))
    assumed = _Assumed(strategy, catalog)
    prices = prices_of(strategy)
    problems: list[tuple[str, str, str]] = []
    days = strategy.horizon.days
    pools = {}
    for pool in strategy.pools:
        try:
            pools[pool.name] = _pool(pool, prices, catalog, days)
        except (UnitError, ValueError) as err:
            problems.append((pool.name, "pair", str(err)))
    perps = {}
    for perp in strategy.perps:
        hedged = pools.get(perp.hedges.name) if perp.hedges else None
        if perp.leverage is None and perp.hedges and (hedged is None or hedged.volatile_amount <= 0):
            continue  # no size to follow: the pool's figures are missing, or it holds none of the asset
        try:
            perps[perp.name] = _perp(perp, pools, prices, catalog, assumed, days)
        except (UnitError, ValueError) as err:
            problems.append((perp.name, "market", str(err)))
    covers = {}
    for cover in strategy.covers:
        try:
            covers[cover.name] = _cover(cover, strategy, graph, prices, catalog, pools, perps)
        except (UnitError, ValueError) as err:
            problems.append((cover.name, "amount", str(err)))
    wallets = {w.name: _wallet(w, strategy, graph, catalog, assumed, prices, adjustments)
               for w in strategy.wallets}
    carry = _carry(pools, perps, covers, wallets)
    return Analysis(strategy.base, days, dict(prices.quotes), pools, perps, covers, wallets, carry,
                    tuple(assumed.fallbacks[k] for k in sorted(assumed.fallbacks)), tuple(problems))


def _base(amount: Amount, prices: Prices) -> float:
    return amount.to(prices.base, prices).value


def _pool(pool: ir.Pool, prices: Prices, catalog, days: float) -> PoolFigures:
    venue = catalog.venue(pool.venue)
    asset, quote = pool.pair.base, pool.pair.quote
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
                       low, high, fee_apr, finance.pool_fees(deposit, fee_apr, days))


def _perp(perp: ir.PerpLeg, pools, prices: Prices, catalog, assumed: _Assumed, days: float) -> PerpFigures:
    venue = catalog.venue(perp.venue)
    market = catalog.market(perp.venue, perp.market)
    entry = prices.rate(market.base, prices.base)
    collateral = _base(perp.collateral, prices)
    hedged = pools.get(perp.hedges.name) if perp.hedges else None
    required = hedged.volatile_amount * perp.ratio if hedged else None
    if perp.leverage is not None:
        leverage, derived = perp.leverage.value, False
    elif required is not None:
        leverage, derived = finance.leverage_for(required * entry, collateral), True
    else:
        leverage, derived = 1.0, True
    notional = finance.notional(collateral, leverage)
    size = notional / entry
    liq = finance.liquidation_price(perp.side, size, entry, collateral, market.mmf)
    vol = assumed.vol(market.base)
    direction = "down" if perp.side == "long" else "up"
    probability = finance.touch_probability(entry, liq, vol, days / DAYS_PER_YEAR, assumed.drift(market.base),
                                            direction=direction) if liq > 0 else 0.0
    funding_apr = assumed.funding(perp.market)
    limit = _base(perp.order.limit, prices) if perp.order.limit is not None else None
    return PerpFigures(
        perp.name, perp.venue, perp.market, market.base, perp.side, entry, collateral, leverage, derived,
        notional, size, market.imf, market.mmf, market.max_leverage,
        finance.initial_margin(notional, market.imf), finance.maintenance_margin(notional, market.mmf),
        liq, finance.liquidation_distance(entry, liq), probability, vol, funding_apr,
        finance.funding_pnl(perp.side, notional, funding_apr, days), 2 * notional * venue.taker_fee,
        limit, finance.liquidation_distance(entry, limit) if limit is not None else None,
        perp.hedges.name if perp.hedges else None, required,
        size / required if required else None)


def _cover(cover: ir.CoverLeg, strategy, graph, prices: Prices, catalog, pools, perps) -> CoverFigures:
    protected = strategy.block(cover.protects.name)
    venue = protected.venue
    product = catalog.cover_product_for(cover.provider, venue)
    amount = _base(cover.amount, prices)
    premium = finance.cover_premium(amount, product.annual_price, cover.period.days) if product else None
    at_risk = funds_at(protected.name, pools, perps)
    return CoverFigures(cover.name, cover.provider, product.name if product else None,
                        product.product_id if product else None, protected.name, venue, amount,
                        cover.amount.asset, cover.period.days, product.annual_price if product else None,
                        premium, at_risk)


def funds_at(leg: str, pools, perps) -> float:
    """What a leg holds at its venue: a pool's deposit, a perp's collateral."""
    if leg in pools:
        return pools[leg].deposit
    if leg in perps:
        return perps[leg].collateral
    return 0.0


# Transactions per leg kind, in the order a person sends them.
SETUP_STEPS = {
    "pool": ("approve", "approve", "add_liquidity"),  # one approval per token
    "perp": ("approve", "deposit", "open"),
    "cover": ("approve", "buy_cover"),
}
UNWIND_STEPS = {"pool": ("remove_liquidity",), "perp": ("close", "withdraw"), "cover": ()}


def leg_actions(leg, venue) -> list[GasAction]:
    """The on-chain actions a leg needs, with catalog gas units (0 when unlisted)."""
    steps = list(SETUP_STEPS[leg.kind]) + list(UNWIND_STEPS[leg.kind])
    if leg.kind == "perp" and not venue.deposit_required:
        steps = [s for s in steps if s not in ("deposit", "withdraw")]
    return [GasAction(step, leg.name, venue.name, venue.gas_units(step) or 0) for step in steps]


def _units(venue, action: str) -> int:
    return venue.gas_units(action) or 0


def _wallet(wallet: ir.Wallet, strategy, graph, catalog, assumed: _Assumed, prices: Prices,
            reserve_count: int) -> WalletFigures:
    chain = catalog.chain(wallet.chain)
    native = chain.native if chain else (wallet.gas.asset if wallet.gas else "ETH")
    chain_native = native
    if wallet.gas and chain and wallet.gas.asset in chain.gas_assets:
        native = wallet.gas.asset  # gas is paid in the asset set aside for it (the dYdX chain takes USDC too)
    actions: list[GasAction] = []
    for leg in strategy.legs:
        if graph.funding_wallet(leg.name) == wallet.name:
            venue = catalog.venue(leg.provider if leg.kind == "cover" else leg.venue)
            actions += leg_actions(leg, venue)
    # One adjustment tops up margin (a deposit) and re-sizes the order; keep the dearest.
    adjust_units = max((_units(catalog.venue(p.venue), "adjust") + _units(catalog.venue(p.venue), "deposit")
                        for p in strategy.perps if graph.funding_wallet(p.name) == wallet.name), default=0)
    gas_price = assumed.gas_price(wallet.chain)
    setup = sum(a.units for a in actions)
    reserve = reserve_count * adjust_units
    native_price = assumed.native_price(native, prices) if actions else 0.0
    if native != chain_native and actions:  # the same fee, priced in gwei of the asset paid
        gas_price *= assumed.native_price(chain_native, prices) / native_price
    cost = finance.gas_cost(setup + reserve, gas_price)
    balance = wallet.gas.value if wallet.gas else None
    return WalletFigures(wallet.name, wallet.chain, native, wallet.custody, balance,
                         wallet.gas.asset if wallet.gas else None, gas_price,
                         tuple(actions), setup, reserve, reserve_count, cost, cost * native_price)


def _carry(pools, perps, covers, wallets) -> dict[str, float]:
    fees = sum(p.fees for p in pools.values())
    funding = sum(p.funding for p in perps.values())
    premiums = sum(c.premium or 0.0 for c in covers.values())
    trading = sum(p.trading_fees for p in perps.values())
    gas = sum((w.cost_base or 0.0) for w in wallets.values())
    return {"fees": fees, "funding": funding, "premiums": premiums, "trading_fees": trading,
            "gas": gas, "net": fees + funding - premiums - trading - gas}


def assumed_vol(strategy: ir.Strategy, catalog, asset: str) -> tuple[float, Fallback | None]:
    """The annual volatility of any asset (pool assets too), and the catalog
    fallback used when `assume` is silent about it."""
    assumed = _Assumed(strategy, catalog)
    vol = assumed.vol(asset)
    return vol, next(iter(assumed.fallbacks.values()), None)
