"""The catalog's data model: frozen records with their sources."""
from __future__ import annotations

from dataclasses import field
from types import MappingProxyType
from typing import Mapping

from hedgec.record import record

DOCUMENT = "<document>"
"""Path used when an error concerns a whole file rather than a place in it."""

DEFAULT_NAMES = ("gas_price_gwei", "vol", "funding_apr", "native_price")


class CatalogError(Exception):
    """A catalog file is missing, unreadable, not plain YAML data, or invalid.

    ``file`` names the file, ``path`` is a dotted path inside it (e.g.
    ``venues.dydx.markets.BTC-USD.imf``, or ``<document>`` for the whole file)
    and ``message`` says what is wrong.
    """

    def __init__(self, file: str, path: str, message: str):
        self.file = str(file)
        self.path = path or DOCUMENT
        self.message = message
        super().__init__(f"{self.file}: at {self.path}: {self.message}")




@record
class Source:
    url_or_ref: str
    read: str
    verified: bool = True
    note: str | None = None


@record
class Chain:
    name: str
    native: str
    source: Source
    chain_id: int | str | None = None
    gas_assets: tuple[str, ...] = ()
    bridge_in: str | None = None  # how tokens reach this chain from another, when a wallet must bridge them


@record
class Tier:
    venue: str
    name: str
    imf: float
    mmf: float
    source: Source

    @property
    def max_leverage(self) -> float:
        return 1.0 / self.imf


@record
class Market:
    venue: str
    name: str
    base: str
    quote: str
    imf: float
    mmf: float
    tier: str | None
    source: Source

    @property
    def max_leverage(self) -> float:
        """Largest leverage the initial margin fraction allows (1 / IMF)."""
        return 1.0 / self.imf


@record
class OptionMarket:
    """The options an options venue lists on one underlying (all strikes and expiries)."""

    venue: str
    underlying: str
    settlement: str  # inverse (premium, margin and settlement in the coin) | linear
    settle_asset: str
    contract_size: float  # units of the underlying per contract
    style: str  # european | american
    exercise: str  # cash | physical
    source: Source
    expiry_utc: str | None = None  # "HH:MM", time of day of every expiry
    min_size: float | None = None  # smallest order, in units of the underlying
    tick: float | None = None  # price increment, in the settle asset

    @property
    def inverse(self) -> bool:
        return self.settlement == "inverse"


@record
class DeliveryFee:
    """A fee charged at expiry: ``rate`` of the underlying, capped at ``premium_cap`` of the option's value."""

    rate: float
    premium_cap: float | None
    source: Source


@record
class LendingRates:
    """A reserve's DefaultReserveInterestRateStrategyV2 curve (APRs) and reserve factor."""
    base: float
    slope1: float
    slope2: float
    optimal: float
    reserve_factor: float
    source: Source


@record
class LendingReserve:
    """One asset of a lending venue: its risk parameters, rate curve and assumed utilisation."""
    venue: str
    asset: str
    ltv: float
    liquidation_threshold: float
    liquidation_bonus: float  # the liquidator's extra collateral, fraction of the debt repaid
    rates: LendingRates
    utilization: float  # where the rates are read when a strategy assumes no rate
    utilization_source: Source
    source: Source


@record
class CloseFactorRules:
    """How much of a position one liquidation may repay (Aave v3 LiquidationLogic.sol)."""
    close_factor: float  # share of the debt while the position is large and HF is above the threshold
    hf_threshold: float  # at or below this HF the whole debt may be repaid
    full_close_below_usd: float  # collateral or debt worth less than this: the whole debt
    min_leftover_usd: float  # a partial liquidation must leave this much collateral and debt
    source: Source


@record
class Venue:
    name: str
    kind: str  # amm | perp | cover | lending | options
    chain: str
    model: str | None
    deposit_required: bool
    maker_fee: float
    taker_fee: float
    liquidation_fee: float  # maximum liquidation fee, fraction of position value
    pool_fee: float
    gas: Mapping[str, int]
    cover_product: str | None  # "provider/product", e.g. "nexus_mutual/dydx"
    markets: Mapping[str, Market]
    source: Source
    tiers: Mapping[str, Tier] = field(default_factory=lambda: MappingProxyType({}))
    pool_fee_tiers: tuple[float, ...] = ()
    fee_source: Source | None = None
    gas_source: Source | None = None
    custodial: bool = False  # the venue holds the funds (an exchange account), not the user's contract
    option_markets: Mapping[str, OptionMarket] = field(default_factory=lambda: MappingProxyType({}))
    premium_cap: float | None = None  # option fees are capped at this fraction of the premium
    delivery_fee: DeliveryFee | None = None
    reserves: Mapping[str, LendingReserve] = field(default_factory=lambda: MappingProxyType({}))
    liquidation: CloseFactorRules | None = None  # lending venues only
    deployments: Mapping[str, Source] = field(default_factory=lambda: MappingProxyType({}))  # other chains

    def on_chain(self, chain: str) -> bool:
        """Whether the venue can be used from `chain`: its home chain or one it is deployed on."""
        return chain == self.chain or chain in self.deployments

    def gas_units(self, action: str) -> int | None:
        """Estimated gas units of one action, or None if the catalog has none."""
        return self.gas.get(action)


@record
class CoverProduct:
    provider: str
    name: str
    product_id: int
    cover_type: str
    covers: tuple[str, ...]
    min_period_days: int
    max_period_days: int
    currencies: tuple[str, ...]
    annual_price: float
    grace_days: int
    claim_deposit: float
    claim_deposit_asset: str
    source: Source
    title: str | None = None
    max_commission: float = 0.0
    price_source: Source | None = None


@record
class Default:
    name: str
    value: float | Mapping[str, float]
    unit: str | None
    note: str
    source: Source

    def get(self, key: str | None = None) -> float:
        """The figure; for keyed defaults the entry for ``key`` or else ``default``."""
        if not isinstance(self.value, Mapping):
            return self.value
        if key is not None and key in self.value:
            return self.value[key]
        if "default" in self.value:
            return self.value["default"]
        raise KeyError(f"default {self.name!r} has no entry for {key!r} and no 'default'")


@record
class Catalog:
    chains: Mapping[str, Chain]
    venues: Mapping[str, Venue]
    cover_products: Mapping[tuple[str, str], CoverProduct]
    defaults: Mapping[str, Default]
    files: tuple[str, ...]

    def chain(self, name: str) -> Chain | None:
        return self.chains.get(name)

    def venue(self, name: str) -> Venue | None:
        return self.venues.get(name)

    def market(self, venue: str, name: str) -> Market | None:
        v = self.venues.get(venue)
        return None if v is None else v.markets.get(name)

    def option_market(self, venue: str, underlying: str) -> OptionMarket | None:
        """The options ``venue`` lists on ``underlying`` (e.g. ``("deribit", "ETH")``)."""
        v = self.venues.get(venue)
        return None if v is None else v.option_markets.get(underlying)

    def reserve(self, venue: str, asset: str) -> LendingReserve | None:
        """A lending venue's reserve of ``asset`` (e.g. ``reserve("aave_v3", "WETH")``)."""
        v = self.venues.get(venue)
        return None if v is None else v.reserves.get(asset)

    def cover_product(self, provider: str, name: str) -> CoverProduct | None:
        return self.cover_products.get((provider, name))

    def cover_product_for(self, provider: str, venue: str) -> CoverProduct | None:
        """The product of ``provider`` whose ``covers`` include ``venue``."""
        for (prov, _), product in self.cover_products.items():
            if prov == provider and venue in product.covers:
                return product
        return None

    def providers(self) -> tuple[str, ...]:
        return tuple(sorted({prov for prov, _ in self.cover_products}))

    def default(self, name: str, key: str | None = None) -> float:
        """A fall-back figure, e.g. ``default("vol", "ETH")`` or ``default("funding_apr")``.

        Keyed defaults fall back to their ``default`` entry. Raises KeyError
        if the catalog has no such default.
        """
        return self.defaults[name].get(key)
