"""Plain configuration of a simulation run.

The simulation engine does not read plans or specs: it takes a ``SimConfig``.
All money amounts are in the quote currency (e.g. USDC), prices are quote per
unit of the volatile asset, rates are annual fractions (0.08 = 8% a year).

A strategy holds any number of pools and perps over any number of assets
(``assets``, correlated by ``correlation``). A single-asset configuration may
leave ``assets`` out: it then has one asset, ``ASSET``, at the pool's entry
price with ``vol`` and ``drift``.
"""
from __future__ import annotations

from dataclasses import field
from typing import Literal

from hedgec.record import record

PoolKind = Literal["v2", "v3"]
Side = Literal["short", "long"]
ASSET = "ASSET"  # the one asset of a configuration that names none


@record
class AssetSpec:
    """An asset whose price follows GBM from ``entry_price`` (in base)."""

    symbol: str
    entry_price: float
    vol: float
    drift: float = 0.0

    def __post_init__(self) -> None:
        _require_positive(f"entry price of {self.symbol}", self.entry_price)
        if self.vol < 0:
            raise ValueError(f"vol of {self.symbol} must not be negative")


@record
class PoolSpec:
    """A liquidity position opened at ``entry_price`` with ``value`` quote.

    ``low``/``high`` bound the price range of a v3 position (None for v2).
    ``fee_apr`` is the fee income per year as a fraction of the position's
    value, earned only while the price is inside the range (v2: always).
    ``asset`` is the volatile token's asset; ``quote`` the quote token's when
    it is volatile too (WBTC/ETH: asset BTC, quote ETH), None for a
    stablecoin. ``entry_price`` and the range are in the quote token, ``value``
    in base.
    """

    kind: PoolKind
    value: float
    entry_price: float
    low: float | None = None
    high: float | None = None
    fee_apr: float = 0.0
    venue: str = "uniswap"
    name: str = "pool"
    asset: str = ASSET
    quote: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in ("v2", "v3"):
            raise ValueError(f"pool kind must be 'v2' or 'v3', not {self.kind!r}")
        _require_positive("pool value", self.value)
        _require_positive("pool entry_price", self.entry_price)
        if self.kind == "v3":
            if self.low is None or self.high is None:
                raise ValueError("a v3 pool needs low and high")
            _require_positive("pool low", self.low)
            if not self.low < self.high:
                raise ValueError(f"pool range must have low < high, got {self.low} .. {self.high}")


@record
class PerpSpec:
    """An isolated-margin perpetual position opened at the pool's entry price.

    ``size`` is in units of the asset (positive); ``side`` gives the sign.
    ``funding_apr`` > 0 means longs pay shorts. ``taker_fee`` is charged on
    the traded notional when opening and on every rebalance;
    ``liquidation_fee`` is a fraction of the notional at liquidation.
    ``rebalance_threshold``: re-size to ``size`` x (pool delta now / pool
    delta at entry) when |target - current| / size exceeds it; None = never.
    """

    side: Side
    size: float
    collateral: float
    mmf: float
    taker_fee: float = 0.0
    liquidation_fee: float = 0.0
    funding_apr: float = 0.0
    venue: str = "dydx"
    rebalance_threshold: float | None = None
    name: str = "perp"
    asset: str = ASSET
    hedges: str | None = None  # the pool whose exposure a rebalance follows (None: the only pool)

    def __post_init__(self) -> None:
        if self.side not in ("short", "long"):
            raise ValueError(f"perp side must be 'short' or 'long', not {self.side!r}")
        _require_positive("perp size", self.size)
        _require_positive("perp collateral", self.collateral)
        if not 0.0 <= self.mmf < 1.0:
            raise ValueError(f"perp mmf must be in [0, 1), got {self.mmf}")
        if self.rebalance_threshold is not None and self.rebalance_threshold <= 0:
            raise ValueError("rebalance_threshold must be positive or None")

    @property
    def sign(self) -> float:
        return -1.0 if self.side == "short" else 1.0


@record
class CoverSpec:
    """Protocol cover on ``venue`` paying up to ``amount`` over the horizon.

    ``premium`` is the total paid for the whole horizon, in quote, up front.
    """

    venue: str
    amount: float
    premium: float


@record
class ExploitEvent:
    """A venue exploit happening at most once per path.

    ``annual_probability`` is the chance of it happening within a year;
    when it happens the venue keeps ``loss_share`` of the funds held there.
    """

    venue: str
    annual_probability: float
    loss_share: float

    def __post_init__(self) -> None:
        if not 0.0 <= self.annual_probability <= 1.0:
            raise ValueError("annual_probability must be in [0, 1]")
        if not 0.0 <= self.loss_share <= 1.0:
            raise ValueError("loss_share must be in [0, 1]")


@record
class OptionSpec:
    """A European option on one of the assets, opened at that asset's entry price.

    ``type`` put|call, ``side`` long|short, ``size`` in units of the asset,
    ``expiry_days`` from entry, ``iv`` its Black-76 volatility. ``deposit``
    is what went to the venue (long: premium + fee; short: margin), ``cash``
    and ``coin`` what is held beside the option after the trade (in quote,
    and in units of the asset for an inverse venue): simulation/options.py.
    """

    type: str
    side: Side
    size: float
    strike: float
    expiry_days: float
    iv: float
    deposit: float
    cash: float = 0.0
    coin: float = 0.0
    venue: str = "deribit"
    asset: str = ASSET  # the symbol of the asset it is on (one of the configuration's assets)

    def __post_init__(self) -> None:
        if self.type not in ("put", "call"):
            raise ValueError(f"option type must be 'put' or 'call', not {self.type!r}")
        if self.side not in ("short", "long"):
            raise ValueError(f"option side must be 'short' or 'long', not {self.side!r}")
        for name in ("size", "strike", "expiry_days"):
            _require_positive(f"option {name}", getattr(self, name))

    @property
    def sign(self) -> float:
        return -1.0 if self.side == "short" else 1.0


DEFAULT_GRID: tuple[float, ...] = tuple(round(0.2 + 0.05 * i, 2) for i in range(57))  # 0.2 .. 3.0


@record
class SimConfig:
    """Everything a simulation run needs.

    Prices follow geometric Brownian motion with annual volatility ``vol`` and
    annual arithmetic drift ``drift``: the log-price moves by
    (drift - vol**2 / 2) dt + vol sqrt(dt) Z per step; with several assets,
    Z = C e, C the Cholesky factor of ``correlation`` (rows and columns in the
    order of ``assets``; None: independent) and e one independent normal per
    asset and step. ``pool`` is the first of ``pools`` (give either).
    ``gas_cost`` is the one-off gas of setting the strategy up, in quote.
    ``grid`` holds price ratios (horizon price / entry price) for the payoff grid.
    """

    pool: PoolSpec | None = None
    perps: tuple[PerpSpec, ...] = ()
    covers: tuple[CoverSpec, ...] = ()
    events: tuple[ExploitEvent, ...] = ()
    horizon_days: float = 365.0
    vol: float = 0.6
    drift: float = 0.0
    paths: int = 10_000
    steps: int = 365
    seed: int = 0
    gas_cost: float = 0.0
    grid: tuple[float, ...] = field(default=DEFAULT_GRID)
    pools: tuple[PoolSpec, ...] = ()
    assets: tuple[AssetSpec, ...] = ()
    correlation: tuple[tuple[float, ...], ...] | None = None
    options: tuple[OptionSpec, ...] = ()
    loans: tuple = ()  # simulation.lending.LoanSpec: loans of an asset against stablecoin collateral

    def __post_init__(self) -> None:
        pools = self.pools or ((self.pool,) if self.pool is not None else ())
        if not pools:
            raise ValueError("a simulation needs at least one pool")
        object.__setattr__(self, "pools", tuple(pools))
        object.__setattr__(self, "pool", pools[0])
        if not self.assets:
            object.__setattr__(self, "assets", (AssetSpec(ASSET, pools[0].entry_price, self.vol, self.drift),))
        _check_assets(self)
        _require_positive("horizon_days", self.horizon_days)
        if self.vol < 0:
            raise ValueError("vol must not be negative")
        if self.paths < 1 or self.steps < 1:
            raise ValueError("paths and steps must be at least 1")
        if any(r <= 0 for r in self.grid):
            raise ValueError("grid ratios must be positive")

    @property
    def symbols(self) -> tuple[str, ...]:
        return tuple(a.symbol for a in self.assets)

    @property
    def deposit(self) -> float:
        """All pool deposits, in base: what returns are measured against."""
        return sum(p.value for p in self.pools)

    @property
    def years(self) -> float:
        return self.horizon_days / 365.0

    @property
    def dt(self) -> float:
        """Length of one step in years."""
        return self.years / self.steps

    @property
    def collateral(self) -> float:
        return sum(p.collateral for p in self.perps)

    @property
    def premiums(self) -> float:
        return sum(c.premium for c in self.covers)

    @property
    def option_deposits(self) -> float:
        return sum(o.deposit for o in self.options)


def _check_assets(config: SimConfig) -> None:
    """Every pool and perp trades an asset the configuration prices; names are unique."""
    symbols = config.symbols
    if len(set(symbols)) != len(symbols):
        raise ValueError("assets must have distinct symbols")
    for pool in config.pools:
        for asset in (pool.asset, pool.quote):
            if asset is not None and asset not in symbols:
                raise ValueError(f"pool {pool.name} holds {asset}, which is not among the assets")
    for perp in config.perps:
        if perp.asset not in symbols:
            raise ValueError(f"perp {perp.name} trades {perp.asset}, which is not among the assets")
    for leg in config.options + config.loans:
        if leg.asset not in symbols:
            raise ValueError(f"an option or a loan is on {leg.asset}, which is not among the assets")
    if config.correlation is not None:
        m = len(symbols)
        if len(config.correlation) != m or any(len(row) != m for row in config.correlation):
            raise ValueError(f"the correlation matrix must be {m} x {m}, one row per asset")


def _require_positive(name: str, value: float) -> None:
    if not value > 0:
        raise ValueError(f"{name} must be positive, got {value}")
