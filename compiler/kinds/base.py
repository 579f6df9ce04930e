"""What a block kind declares, once, in its own module.

A kind (wallet, pool, perp, cover, ...) names its keys and IR class, the
references it makes and the graph edges they become, where it is held and
whether it holds funds there, the transactions it sends, how its figures are
computed, how it is drawn, planned and put on, and how it is valued. Lowering,
name resolution, the graph, the generic rules, the targets and the editor
completion read these declarations; none of them lists kinds by hand.
"""
from __future__ import annotations

from dataclasses import field
from typing import Any, Callable, Mapping

from hedgec.record import record

from ..registry import Threshold
from ..schema import Key


@record
class Reference:
    """A key whose value names another block, and the edge it becomes.

    `edge` is the graph edge kind. `edge_from_target`: the edge points from
    the named block to this one (a funder funds the leg) rather than from
    this one to it. `before_target`: in dependency order this block comes
    before the one it names (cover is bought before funds go in).
    """

    key: str
    edge: str
    targets: tuple[str, ...]  # kinds it may name
    edge_from_target: bool = False
    before_target: bool = False


FROM = Reference("from", "funds", ("wallet", "leg"), edge_from_target=True)  # "leg": any kind of leg


@record
class Checklist:
    """The steps a kind adds to each checklist phase: callables (builder, name).

    `fund` runs before the liquidity a leg hedges and `open` right after it;
    `close`, `withdraw` and `expire` are the unwind, run in that order over all
    legs in reverse dependency order.
    """

    needs: Callable | None = None  # (builder, name) -> [(Qty, why)]: tokens it takes from its wallet
    prepare: Callable | None = None
    cover: Callable | None = None
    fund: Callable | None = None
    open: Callable | None = None
    verify: Callable | None = None
    monitor: Callable | None = None
    close: Callable | None = None
    withdraw: Callable | None = None
    expire: Callable | None = None
    incident: Callable | None = None
    thresholds: tuple[Threshold, ...] = ()  # settings its steps read (alert levels), as the rules' packs declare


@record
class Drawing:
    """How the graph target draws a block: Graphviz shape, Mermaid brackets and
    the label lines under the kind and name (figures, base) -> lines."""

    shape: str
    mermaid: tuple[str, str]
    label: Callable[[Any, str], list[str]]


@record
class Kind:
    name: str
    doc: str
    ir_class: type
    keys: Mapping[str, Key]
    references: tuple[Reference, ...] = ()
    venue_key: str | None = None  # the key naming where it is held
    venue_kind: str | None = None  # the catalog venue kind that key must name
    section: str = ""  # its plural: the key of its figures in JSON and of its plan section
    problem_key: str | None = None  # where a failure to compute its figures is reported
    # Figures: analyse(leg, context) -> figures dataclass, or None when there is nothing to compute.
    analyse: Callable | None = None
    funds_held: Callable[[Any], float] | None = None  # figures -> funds held at the venue, in base
    carry: Callable[[Any], Mapping[str, float]] | None = None  # figures -> carry items, see analysis.CARRY
    setup: tuple[str, ...] = ()  # transactions to put it on, in order
    more_setup: Callable[[Any], tuple[str, ...]] | None = None  # figures -> transactions sent after `setup` too
    unwind: tuple[str, ...] = ()  # and to take it off
    adjust: tuple[str, ...] = ()  # transactions of one later adjustment (gas kept in reserve)
    skip: Callable[[Any], tuple[str, ...]] | None = None  # venue -> steps of setup/unwind that venue does not need
    resolve: Callable | None = None  # (block, strategy, catalog) -> extra structure diagnostics
    drawing: Drawing | None = None
    plan: Callable | None = None  # (compiled, block) -> its plan entry
    catalog_figures: Callable | None = None  # (compiled, figures) -> {section: {key: entry}} for the plan
    checklist: Checklist = field(default_factory=Checklist)
    # Figures worth a reviewer's attention in `hedgec diff`: (attribute, label, money|leverage|percent|units).
    review: tuple[tuple[str, str, str], ...] = ()
    # Valuation at the horizon (or any time): exposure(figures) -> {price symbol: units held at entry};
    # value(figures, prices: {symbol: array}, years) -> array of values in base.
    exposure: Callable[[Any], Mapping[str, float]] | None = None
    value: Callable | None = None

    @property
    def is_leg(self) -> bool:
        return self.ir_class.is_leg

    @property
    def holds_funds(self) -> bool:
        return self.funds_held is not None

    def reference(self, key: str) -> Reference | None:
        return next((r for r in self.references if r.key == key), None)
