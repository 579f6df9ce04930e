"""The strategy's dependency graph: a thin, typed layer over networkx.DiGraph.

Nodes are blocks (`wallet`, `pool`, `perp`, `cover`) and the venues legs are
held at; edges are typed:

    funds     wallet/leg -> leg     (from = ...)
    hedges    perp -> pool          (hedges = ...)
    protects  cover -> leg          (protects = ...)
    held_at   leg -> venue          (venue = / provider = ...)

Targets order their steps from this graph, so it offers a deterministic
topological order and the questions they ask, not the networkx object.
"""
from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from . import ir

EDGE_KINDS = ("funds", "hedges", "protects", "held_at")


@dataclass(frozen=True, order=True)
class Edge:
    source: str
    target: str
    kind: str


class StrategyGraph:
    def __init__(self, strategy: ir.Strategy):
        self._funding: dict[str, str | None] = {}  # answers of funding_wallet; the graph never changes
        self._g = nx.DiGraph()
        for block in strategy.blocks:
            self._g.add_node(block.name, kind=block.kind, block=block)
        for leg in strategy.legs:
            venue = leg.provider if isinstance(leg, ir.CoverLeg) else leg.venue
            self._g.add_node(venue_node(venue), kind="venue", venue=venue)
            self._add(leg.name, venue_node(venue), "held_at")
            self._add_ref(leg.source, leg.name, "funds", reverse=True)
            if isinstance(leg, ir.PerpLeg) and leg.hedges is not None:
                self._add_ref(leg.hedges, leg.name, "hedges")
            if isinstance(leg, ir.CoverLeg):
                self._add_ref(leg.protects, leg.name, "protects")

    def _add(self, source: str, target: str, kind: str) -> None:
        self._g.add_edge(source, target, kind=kind)

    def _add_ref(self, ref: ir.Ref, name: str, kind: str, reverse: bool = False) -> None:
        """Edges only to blocks that exist; unknown names are reported by resolve."""
        if ref.name in self._g and self._g.nodes[ref.name]["kind"] != "venue":
            self._add(ref.name, name, kind) if reverse else self._add(name, ref.name, kind)

    # ---- questions ----------------------------------------------------------
    @property
    def nx(self) -> nx.DiGraph:
        """The underlying graph, read-only by convention."""
        return self._g

    def nodes(self, kind: str | None = None) -> list[str]:
        return sorted(n for n, k in self._g.nodes(data="kind") if kind is None or k == kind)

    def kind(self, node: str) -> str:
        return self._g.nodes[node]["kind"]

    def block(self, node: str):
        return self._g.nodes[node].get("block")

    def edges(self, kind: str | None = None) -> list[Edge]:
        return sorted(Edge(a, b, k) for a, b, k in self._g.edges(data="kind") if kind is None or k == kind)

    def targets(self, node: str, kind: str) -> list[str]:
        return sorted(b for _, b, k in self._g.out_edges(node, data="kind") if k == kind)

    def sources(self, node: str, kind: str) -> list[str]:
        return sorted(a for a, _, k in self._g.in_edges(node, data="kind") if k == kind)

    def funding_wallet(self, node: str) -> str | None:
        """The wallet whose funds reach `node`, following `from` through legs."""
        if node not in self._funding:
            self._funding[node] = self._find_funding_wallet(node)
        return self._funding[node]

    def _find_funding_wallet(self, node: str) -> str | None:
        seen = set()
        while node not in seen:
            seen.add(node)
            if self.kind(node) == "wallet":
                return node
            funders = self.sources(node, "funds")
            if not funders:
                return None
            node = funders[0]
        return None

    def venue_of(self, node: str) -> str | None:
        venues = self.targets(node, "held_at")
        return self._g.nodes[venues[0]]["venue"] if venues else None

    def protectors(self, node: str) -> list[str]:
        """Cover legs protecting a leg."""
        return self.sources(node, "protects")

    def hedgers(self, pool: str) -> list[str]:
        return self.sources(pool, "hedges")

    def cycles(self) -> list[list[str]]:
        """Each cycle once, starting from its smallest name, in a stable order."""
        if nx.is_directed_acyclic_graph(self._g):
            return []
        found = []
        for cycle in nx.simple_cycles(self._g):
            start = cycle.index(min(cycle))
            found.append(cycle[start:] + cycle[:start])
        return sorted(found)

    def order(self) -> list[str]:
        """Blocks in dependency order: funders before what they fund, pools before
        their hedges, cover before what it protects; ties broken by name."""
        return list(nx.lexicographical_topological_sort(self._order_graph()))

    def order_cycle(self) -> list[str]:
        """Blocks that must each come before the next, round in a circle (e.g. a
        pool's cover paid for by the pool's hedge), so `order` has none; [] if none."""
        try:
            return [a for a, _ in nx.find_cycle(self._order_graph())]
        except nx.NetworkXNoCycle:
            return []

    def _order_graph(self) -> nx.DiGraph:
        g = nx.DiGraph()
        g.add_nodes_from(n for n in self._g if self.kind(n) != "venue")
        for a, b, k in self._g.edges(data="kind"):
            if k == "funds":
                g.add_edge(a, b)
            elif k == "hedges":  # perp -> pool: open the pool first
                g.add_edge(b, a)
            elif k == "protects":  # cover -> leg: buy cover before funds go in
                g.add_edge(a, b)
        return g


def venue_node(venue: str) -> str:
    return f"venue:{venue}"


def format_cycle(cycle: list[str]) -> str:
    return " --> ".join(cycle + cycle[:1])
