"""Name resolution and structure: references, duplicates, cycles, funding,
and the venues, markets and chains the catalog knows."""
from __future__ import annotations

from . import diagnostics as diag
from . import ir
from .graph import StrategyGraph, format_cycle
from .schema import REFERENCE_KINDS

VENUE_KINDS = {"pool": "amm", "perp": "perp", "cover": "cover"}


def check_structure(strategy: ir.Strategy, graph: StrategyGraph, catalog) -> list[diag.Diagnostic]:
    found = _duplicates(strategy) + _references(strategy)
    found += [diag.make("H109", f"references form a cycle: {format_cycle(c)}", strategy.block(c[0]).span,
                        hint="funds must flow one way, from a wallet to the legs")
              for c in graph.cycles()]
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
    found = []
    for leg in strategy.legs:
        for key, ref in _refs(leg):
            kind = names.get(ref.name)
            allowed = REFERENCE_KINDS[key]
            if kind is None:
                candidates = [n for n, k in names.items() if k in allowed]
                found.append(diag.make("H107", f"`{key}` names `{ref.name}`, which is not defined",
                                       leg.at(key), hint=diag.did_you_mean(ref.name, candidates)))
            elif kind not in allowed or ref.name == leg.name:
                what = " or ".join(f"a {k}" for k in allowed)
                found.append(diag.make("H108", f"`{key}` must name {what}; `{ref.name}` is a {kind}"
                                       + (" (itself)" if ref.name == leg.name else ""), leg.at(key)))
    return found


def _refs(leg: ir.Leg):
    yield "from", leg.source
    if isinstance(leg, ir.PerpLeg) and leg.hedges is not None:
        yield "hedges", leg.hedges
    if isinstance(leg, ir.CoverLeg):
        yield "protects", leg.protects


def _catalog_names(strategy: ir.Strategy, catalog) -> list[diag.Diagnostic]:
    found = []
    for wallet in strategy.wallets:
        if wallet.chain not in catalog.chains:
            found.append(diag.make("H111", f"unknown chain `{wallet.chain}`", wallet.at("chain"),
                                   hint=diag.did_you_mean(wallet.chain, catalog.chains)))
    for leg in strategy.legs:
        key = "provider" if isinstance(leg, ir.CoverLeg) else "venue"
        name = getattr(leg, key)
        venue = catalog.venue(name)
        if venue is None:
            found.append(diag.make("H111", f"unknown {key} `{name}`", leg.at(key),
                                   hint=diag.did_you_mean(name, catalog.venues)))
            continue
        if venue.kind != VENUE_KINDS[leg.kind]:
            found.append(diag.make("H114", f"a {leg.kind} cannot be held at `{name}`, which is a "
                                           f"{venue.kind} venue", leg.at(key),
                                   hint=_venues_of_kind(catalog, VENUE_KINDS[leg.kind])))
            continue
        if isinstance(leg, ir.PerpLeg) and catalog.market(name, leg.market) is None:
            found.append(diag.make("H112", f"`{name}` lists no market `{leg.market}`", leg.at("market"),
                                   hint=diag.did_you_mean(leg.market, venue.markets)
                                   or "listed: " + ", ".join(sorted(venue.markets))))
    return found


def _venues_of_kind(catalog, kind: str) -> str:
    names = sorted(n for n, v in catalog.venues.items() if v.kind == kind)
    return "use " + " or ".join(f"`{n}`" for n in names)
