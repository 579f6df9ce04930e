"""The typed intermediate representation: frozen records (hedgec/record.py),
dataclasses that are cheap to define.

Spans are carried for diagnostics but excluded from equality, so two
strategies that mean the same thing compare equal however they are laid out.
"""
from __future__ import annotations

from dataclasses import field
from typing import Mapping

from hedgec.record import record

from .source import Span
from .units import Amount

_NOWHERE = Span("<none>", 1, 1, 1, 1)


def _span():
    return field(default=_NOWHERE, compare=False, repr=False)


def _spans():
    return field(default_factory=dict, compare=False, repr=False)


@record
class Leverage:
    value: float

    def __str__(self) -> str:
        return f"{self.value:g}x"


@record
class Percent:
    value: float  # a fraction: 15% is 0.15

    def __str__(self) -> str:
        return f"{self.value * 100:g}%"


@record
class Rate:
    annual: float  # a fraction per year: 8% apr is 0.08

    def __str__(self) -> str:
        return f"{self.annual * 100:g}% apr"


@record
class Duration:
    days: float

    def __str__(self) -> str:
        return f"{self.days:g}d"


@record
class GasPrice:
    gwei: float


@record
class PriceRange:
    low: float
    high: float
    asset: str

    def __str__(self) -> str:
        return f"{self.low:g} .. {self.high:g} {self.asset}"


@record
class Pair:
    base: str
    quote: str

    def __str__(self) -> str:
        return f"{self.base}/{self.quote}"


@record
class Order:
    kind: str  # "market" or "limit"
    limit: Amount | None = None


@record
class Sizing:
    """A size computed from a rule instead of written: `bounds 2x` (see compiler/kinds/option.py)."""

    rule: str
    value: float

    def __str__(self) -> str:
        return f"{self.rule} {self.value:g}x"


@record
class Ref:
    name: str


class _Located:
    """Blocks know where they and each of their attributes were written."""

    span: Span
    spans: Mapping[str, Span]

    def at(self, key: str) -> Span:
        return self.spans.get(key, self.span)


@record
class Assumptions(_Located):
    prices: Mapping[str, Amount] = field(default_factory=dict)  # symbol -> price in quote
    vols: Mapping[str, float] = field(default_factory=dict)  # symbol -> annual volatility
    funding: Mapping[str, float] = field(default_factory=dict)  # market -> annual rate
    drift: Mapping[str, float] = field(default_factory=dict)  # symbol -> annual drift
    ivs: Mapping[str, float] = field(default_factory=dict)  # symbol -> implied volatility for options
    correlations: Mapping[str, float] = field(default_factory=dict)  # "BTC.ETH" (price symbols, sorted) -> rho
    borrow_rate: Mapping[str, float] = field(default_factory=dict)  # symbol -> annual borrow rate (lending)
    supply_rate: Mapping[str, float] = field(default_factory=dict)  # symbol -> annual supply rate (lending)
    gas_price: GasPrice | None = None
    span: Span = _span()
    spans: Mapping[str, Span] = _spans()


class Block(_Located):
    """A named block of a strategy; each kind declares its class in compiler/kinds/."""

    name: str
    kind = "block"
    is_leg = True  # held at a venue; False for the account legs are funded from


@record
class Strategy(_Located):
    name: str
    horizon: Duration
    base: str
    assume: Assumptions
    blocks: tuple[Block, ...] = ()  # by kind in registry order, then in source order
    title: str | None = None
    # Blocks left out of the IR because of errors already reported, by name -> kind,
    # so references to them do not cascade into "not defined" errors.
    partial: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)
    span: Span = _span()
    spans: Mapping[str, Span] = _spans()

    def __post_init__(self):
        index: dict[str, Block] = {}
        by_kind: dict[str, list[Block]] = {}
        for block in self.blocks:
            index.setdefault(block.name, block)  # a duplicate name is reported; the first one counts
            by_kind.setdefault(block.kind, []).append(block)
        object.__setattr__(self, "_index", index)
        object.__setattr__(self, "_by_kind", {kind: tuple(blocks) for kind, blocks in by_kind.items()})

    @property
    def legs(self) -> tuple[Block, ...]:
        return tuple(b for b in self.blocks if b.is_leg)

    def of_kind(self, kind: str) -> tuple[Block, ...]:
        return self._by_kind.get(kind, ())  # rules ask per leg: an index keeps them linear

    def block(self, name: str) -> Block | None:
        return self._index.get(name)
