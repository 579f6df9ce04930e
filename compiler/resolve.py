"""Name resolution and structure: references, duplicates, cycles, funding,
and the venues, markets and chains the catalog knows. Every check here reads
the kinds' declarations (compiler/kinds/): which keys are references and what
they may name, which key names a venue and of what kind."""
from __future__ import annotations

from . import diagnostics as diag
from . import ir
from .graph import StrategyGraph, format_cycle
from .kinds import KINDS, allowed

MAX_CYCLES = 3  # cycles reported one by one; the rest are counted


def check_structure(strategy: ir.Strategy, graph: StrategyGraph, catalog) -> list[diag.Diagnostic]:
    found = _duplicates(strategy) + _references(strategy)
    found += _cycles(strategy, graph)
    if not found and (cycle := graph.order_cycle()):
        found.append(diag.make("H109", f"the legs cannot be put on in any order: {format_cycle(cycle)} "
                                       "(each must come before the next)", strategy.block(cycle[0]).span,
                               hint="cover is bought before what it protects, and a pool opened before its "
                                    "hedge: fund such a leg from a wallet"))
    for leg in strategy.legs:
        if graph.funding_wallet(leg.name) is None and leg.source.name not in strategy.partial \
                and strategy.block(leg.source.name) is not None:
            found.append(diag.make("H110", f"`{leg.kind} {leg.name}` is not funded by any wallet",
                                   leg.at("from"), hint="set `from` to a wallet"))
    return found + _catalog_names(strategy, catalog)


def _cycles(strategy: ir.Strategy, graph: StrategyGraph) -> list[diag.Diagnostic]:
    """A few cycles, one per group of blocks referring to each other, and how many more."""
    cycles = graph.cycles()
    more = len(cycles) - MAX_CYCLES
    return [diag.make("H109", f"references form a cycle: {format_cycle(c)}", strategy.block(c[0]).span,
                      hint="funds must flow one way, from a wallet to the legs",
                      notes=(f"{more} more cycles not shown",) if more > 0 and i == MAX_CYCLES - 1 else ())
            for i, c in enumerate(cycles[:MAX_CYCLES])]


def _duplicates(strategy: ir.Strategy) -> list[diag.Diagnostic]:
    seen: dict[str, ir.Block] = {}
    found = []
    for block in sorted(strategy.blocks, key=lambda b: (b.span.line, b.span.column)):
        first = seen.setdefault(block.name, block)
        if first is not block:
            found.append(diag.make("H106", f"the name `{block.name}` is already used by "
                                           f"`{first.kind} {first.name}`", block.span,
                                   notes=(f"first defined at {first.span}",)))
    return found


def _references(strategy: ir.Strategy) -> list[diag.Diagnostic]:
    names = {b.name: b.kind for b in strategy.blocks} | dict(strategy.partial)
    suggest: dict[str, diag.Suggestions] = {}  # the names each key may take, indexed once
    found = []
    for leg in strategy.blocks:
        for ref, target in references(leg):
            kind = names.get(target.name)
            permitted = allowed(ref.targets)
            if kind is None:
                if ref.key not in suggest:
                    suggest[ref.key] = diag.Suggestions(n for n, k in names.items() if k in permitted)
                found.append(diag.make("H107", f"`{ref.key}` names `{target.name}`, which is not defined",
                                       leg.at(ref.key), hint=suggest[ref.key](target.name)))
            elif kind not in permitted or target.name == leg.name:
                what = " or ".join(f"a {k}" for k in permitted)
                found.append(diag.make("H108", f"`{ref.key}` must name {what}; `{target.name}` is a {kind}"
                                       + (" (itself)" if target.name == leg.name else ""), leg.at(ref.key)))
    return found


def references(block: ir.Block):
    """(Reference, ir.Ref) for each reference key the block sets."""
    for ref in KINDS[block.kind].references:
        target = getattr(block, _field(ref.key), None)
        if target is not None:
            yield ref, target


def _field(key: str) -> str:
    return "source" if key == "from" else key  # `from` is a Python keyword


def _catalog_names(strategy: ir.Strategy, catalog) -> list[diag.Diagnostic]:
    found = []
    for block in strategy.blocks:
        kind = KINDS[block.kind]
        if kind.venue_key is not None:
            problem = _venue_problem(block, kind, catalog)
            if problem is not None:
                found.append(problem)
                continue
        if kind.resolve is not None:
            found += kind.resolve(block, strategy, catalog)
    return found


def _venue_problem(leg, kind, catalog) -> diag.Diagnostic | None:
    key = kind.venue_key
    name = getattr(leg, key)
    venue = catalog.venue(name)
    if venue is None:
        return diag.make("H111", f"unknown {key} `{name}`", leg.at(key),
                         hint=diag.did_you_mean(name, catalog.venues))
    if venue.kind != kind.venue_kind:
        return diag.make("H114", f"a {leg.kind} cannot be held at `{name}`, which is a {venue.kind} venue",
                         leg.at(key), hint=_venues_of_kind(catalog, kind.venue_kind))
    return None


def _venues_of_kind(catalog, kind: str) -> str:
    names = sorted(n for n, v in catalog.venues.items() if v.kind == kind)
    return "use " + " or ".join(f"`{n}`" for n in names)
