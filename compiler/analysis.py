"""The figures of a strategy: what each leg holds, owes and risks.

Computed once from the IR, graph, catalog and assumptions; rules judge these
figures, targets print and simulate them, `check --format json` publishes
them. Assumptions the strategy leaves out fall back to documented catalog
defaults, and each fallback is recorded so a rule can say so.
"""
from __future__ import annotations

import math
from dataclasses import field, fields, is_dataclass
from typing import Mapping

from hedgec.record import record

from . import ir
from .kinds.wallet import GasAction
from .units import WRAPPED, Amount, Prices, UnitError, price_symbol



@record
class Fallback:
    """An assumption taken from the catalog because `assume` was silent."""

    key: str  # the assume key that was missing, e.g. "vol.ETH"
    default: str  # the catalog default used, e.g. "vol"
    value: float
    unit: str
    note: str


# Carry items over the horizon and the sign each adds to the net: a kind's
# `carry` gives the amounts, income and costs alike as positive figures.
CARRY = {"fees": 1, "funding": 1, "premiums": -1, "trading_fees": -1, "gas": -1,
         "option_premiums": -1, "option_fees": -1,
         "supply_income": 1, "borrow_cost": -1}  # option premiums: paid (+) or received (-)


@record
class Analysis:
    base: str
    horizon_days: float
    prices: Mapping[str, float]  # price symbol -> price in base
    figures: Mapping[str, object]  # block name -> the figures its kind computes
    kinds: Mapping[str, str]  # block name -> kind, for the blocks that have figures
    carry: Mapping[str, float]  # CARRY items and net, in base
    fallbacks: tuple[Fallback, ...] = ()
    problems: tuple[tuple[str, str, str], ...] = field(default=())  # (block, key, message): figures that could not be computed
    exposure: Mapping[str, "AssetExposure"] = field(default_factory=dict)  # price symbol -> the strategy's net

    def __post_init__(self):
        by_kind: dict[str, dict[str, object]] = {}
        for name, f in self.figures.items():
            by_kind.setdefault(self.kinds[name], {})[name] = f
        object.__setattr__(self, "_by_kind", by_kind)

    def of_kind(self, kind: str) -> Mapping[str, object]:
        """Figures of the blocks of one kind, in strategy order. Rules ask per
        leg, so it is indexed once; the mapping is shared: do not change it."""
        return self._by_kind.get(kind, {})

    def exposure_of(self, name: str) -> dict[str, float]:
        """Units of each asset leg `name` holds at entry, by price symbol ({} without figures)."""
        from .kinds import KINDS

        kind = KINDS.get(self.kinds.get(name, ""))
        f = self.figures.get(name)
        return dict(kind.exposure(f)) if kind and kind.exposure and f is not None else {}

    def funds_held(self, name: str) -> float:
        """What a leg holds at its venue, in base (0 for a kind that holds none)."""
        from .kinds import KINDS

        kind = KINDS.get(self.kinds.get(name, ""))
        f = self.figures.get(name)
        return kind.funds_held(f) if kind and kind.funds_held and f is not None else 0.0

    def to_json(self) -> dict:
        from .kinds import KINDS

        out = {"base": self.base, "horizon_days": self.horizon_days, "prices": self.prices}
        out |= {k.section: self.of_kind(k.name) for k in _json_order(KINDS)}
        out |= {"carry": self.carry, "exposure": self.exposure, "fallbacks": self.fallbacks,
                "problems": self.problems}
        return _rounded(out)


@record
class AssetExposure:
    """The strategy's delta in one asset at entry, in units, netted over every leg."""

    long: float  # what the legs long it hold (the pools' tokens, long perps)
    short: float  # what the legs short it owe, as a positive figure (the hedges)
    net: float  # long - short
    net_share: float | None  # net / long: 0 fully hedged, 1 unhedged, -1 hedged twice over


def net_exposure(registry, figures, kinds) -> dict[str, AssetExposure]:
    """Per price symbol, the sum of every leg's `exposure` at entry, longs and shorts apart."""
    long: dict[str, float] = {}
    short: dict[str, float] = {}
    for name, f in figures.items():
        kind = registry[kinds[name]]
        for symbol, units in (kind.exposure(f) if kind.exposure else {}).items():
            side = long if units > 0 else short
            side[symbol] = side.get(symbol, 0.0) + abs(units)
    out = {}
    for symbol in sorted(long.keys() | short.keys()):
        held, owed = long.get(symbol, 0.0), short.get(symbol, 0.0)
        out[symbol] = AssetExposure(held, owed, held - owed, (held - owed) / held if held else None)
    return out


def _json_order(kinds) -> list:
    """Legs first, then the accounts they are funded from."""
    return [k for k in kinds.values() if k.is_leg] + [k for k in kinds.values() if not k.is_leg]


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
            self.fallbacks[key] = Fallback(key, default, value, unit, self.catalog.defaults[default].note)
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

    def lending_rate(self, prefix: str, asset: str, fallback: float, default: str, note: str) -> float:
        """`borrow_rate.X` or `supply_rate.X` from `assume`, else `fallback` (a
        lending venue's rate curve, computed by the caller), recorded as used."""
        subject, table = WRAPPED.get(asset, asset), getattr(self.strategy.assume, prefix)  # WETH: ETH
        for key in (asset, subject):  # each stablecoin has its own rate: USDC is not USDT
            if key in table:
                return table[key]
        key = f"{prefix}.{subject}"
        self.fallbacks.setdefault(key, Fallback(key, default, fallback, "apr", note))
        return fallback

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


class Context:
    """What a kind's `analyse` reads: the strategy, graph, catalog and prices,
    the assumptions (with their catalog fallbacks), and the figures of other
    blocks, computed on first use: a hedge asks for its pool, a cover for the
    leg it protects, a wallet for the legs it funds."""

    def __init__(self, strategy: ir.Strategy, graph, catalog, adjustments: int):
        from .kinds import KINDS

        self.kinds = KINDS
        self.strategy, self.graph, self.catalog = strategy, graph, catalog
        self.adjustments = adjustments
        self.assumed = _Assumed(strategy, catalog)
        self.prices = prices_of(strategy)
        self.days = strategy.horizon.days
        self.problems: list[tuple[str, str, str]] = []
        self._figures: dict[str, object] = {}

    def figures(self, name: str):
        """The figures of block `name`, or None where they cannot be computed."""
        if name not in self._figures:
            self._figures[name] = None  # a reference cycle was reported before analysis; never recurse
            block = self.strategy.block(name)
            kind = self.kinds[block.kind] if block is not None else None
            if kind is not None and kind.analyse is not None:
                try:
                    self._figures[name] = kind.analyse(block, self)
                except (UnitError, ValueError) as err:
                    self.problems.append((name, kind.problem_key or "", str(err)))
        return self._figures[name]

    def exposure(self, name: str) -> dict[str, float] | None:
        """Units of each asset block `name` holds at entry, by price symbol."""
        f = self.figures(name)
        kind = self.kinds[self.strategy.block(name).kind]
        return kind.exposure(f) if f is not None and kind.exposure else None

    def funds_held(self, name: str) -> float:
        f = self.figures(name)
        kind = self.kinds[self.strategy.block(name).kind]
        return kind.funds_held(f) if f is not None and kind.funds_held else 0.0

    def base_value(self, amount: Amount) -> float:
        return amount.to(self.prices.base, self.prices).value

    def venue_of(self, leg):
        """The catalog entry of the venue a leg is held at."""
        return self.catalog.venue(self.graph.venue_of(leg.name))

    def gas_actions(self, leg) -> list[GasAction]:
        """The transactions a leg sends, with catalog gas units (0 when unlisted)."""
        venue = self.venue_of(leg)
        return [GasAction(step, leg.name, venue.name, venue.gas_units(step) or 0)
                for step in sent_steps(self.kinds[leg.kind], venue, figures=self.figures(leg.name))]

    def unwind_units(self, leg) -> int:
        """Gas units of the transactions that take a leg off at the horizon."""
        venue = self.venue_of(leg)
        return sum(venue.gas_units(step) or 0 for step in sent_steps(self.kinds[leg.kind], venue, unwind_only=True))

    def adjust_units(self, leg) -> int:
        venue = self.venue_of(leg)
        return sum(venue.gas_units(step) or 0 for step in self.kinds[leg.kind].adjust)


def sent_steps(kind, venue, unwind_only: bool = False, figures=None) -> list[str]:
    """A kind's setup and unwind transactions that `venue` needs: a venue whose
    catalog lists its transactions needs no other (the dYdX chain takes no ERC-20
    approval), and a kind may skip steps a venue does without (`skip`). With the
    leg's figures, the transactions its own setup adds (`more_setup`) too."""
    skipped = kind.skip(venue) if kind.skip else ()
    more = kind.more_setup(figures) if kind.more_setup and figures is not None else ()
    steps = kind.unwind if unwind_only else kind.setup + more + kind.unwind
    return [s for s in steps if s not in skipped and (not venue.gas or s in venue.gas)]


def analyse(strategy: ir.Strategy, graph, catalog, adjustments: int) -> Analysis:
    """Figures of every block, kind by kind. `adjustments`: hedge adjustments to
    keep gas for. A block whose figures need a price `assume` does not give is
    left out and recorded in `problems`."""
    ctx = Context(strategy, graph, catalog, adjustments)
    figures, kinds = {}, {}
    for block in strategy.blocks:
        f = ctx.figures(block.name)
        if f is not None and block.name not in figures:
            figures[block.name], kinds[block.name] = f, block.kind
    carry = _carry(ctx.kinds, figures, kinds)
    assumed = ctx.assumed
    return Analysis(strategy.base, ctx.days, dict(ctx.prices.quotes), figures, kinds, carry,
                    tuple(assumed.fallbacks[k] for k in sorted(assumed.fallbacks)), tuple(ctx.problems),
                    net_exposure(ctx.kinds, figures, kinds))


def _carry(registry, figures, kinds) -> dict[str, float]:
    totals = dict.fromkeys(CARRY, 0.0)
    for name, f in figures.items():
        kind = registry[kinds[name]]
        for item, amount in (kind.carry(f) if kind.carry else {}).items():
            totals[item] += amount
    totals["net"] = sum(CARRY[item] * amount for item, amount in totals.items())
    return totals


def assumed_vol(strategy: ir.Strategy, catalog, asset: str) -> tuple[float, Fallback | None]:
    """The annual volatility of any asset (pool assets too), and the catalog
    fallback used when `assume` is silent about it."""
    assumed = _Assumed(strategy, catalog)
    vol = assumed.vol(asset)
    return vol, next(iter(assumed.fallbacks.values()), None)
