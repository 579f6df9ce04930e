"""The strategy's dependency graph: a thin, typed layer over networkx.DiGraph.

Nodes are blocks and the venues legs are held at. Edges are built from the
kinds' declarations (compiler/kinds/): each reference key makes an edge of its
declared kind, and each leg is `held_at` the venue its venue key names:

    funds     wallet/leg -> leg     (from = ...)
    hedges    perp -> pool          (hedges = ...)
    protects  cover -> leg          (protects = ...)
    held_at   leg -> venue

Targets order their steps from this graph, so it offers a deterministic
topological order and the questions they ask, not the networkx object.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import networkx as nx

from . import ir

@dataclass(frozen=True, order=True)
class Edge:
    source: str
    target: str
    kind: str


class StrategyGraph:
    def __init__(self, strategy: ir.Strategy):
        from .kinds import KINDS
        from .resolve import references

        self._funding: dict[str, str | None] = {}  # answers of funding_wallet; the graph never changes
        # (node, edge kind, outgoing?) -> the neighbours by name: rules and figures ask per leg, and
        # the graph is complete once built, so the questions are answered from this index
        self._ends: dict[tuple[str, str, bool], list[str]] = defaultdict(list)
        self._g = nx.MultiDiGraph()  # a borrow may both fund and hedge the same pool
        for block in strategy.blocks:
            self._g.add_node(block.name, kind=block.kind, block=block, account=not block.is_leg)
        for block in strategy.blocks:
            kind = KINDS[block.kind]
            if kind.venue_key is not None:
                venue = getattr(block, kind.venue_key)
                self._g.add_node(venue_node(venue), kind="venue", venue=venue)
                self._add(block.name, venue_node(venue), "held_at")
            for ref, target in references(block):
                self._add_ref(target, block.name, ref)
        for key, ends in self._ends.items():
            if len(ends) > 1:
                self._ends[key] = sorted(set(ends))  # one entry per neighbour, however many edges of the kind
        self._venue = {node: self._g.nodes[ends[0]]["venue"]  # what venue_of answers: figures ask per leg
                       for (node, kind, out), ends in self._ends.items() if out and kind == "held_at"}

    def _add(self, source: str, target: str, kind: str, **data) -> None:
        self._g.add_edge(source, target, kind=kind, **data)
        self._ends[source, kind, True].append(target)
        self._ends[target, kind, False].append(source)

    def _add_ref(self, target: ir.Ref, name: str, ref) -> None:
        """An edge for one reference, only to a block that exists (resolve reports
        unknown names). `first` records which end comes first in dependency order."""
        if target.name not in self._g or self._g.nodes[target.name]["kind"] == "venue":
            return
        a, b = (target.name, name) if ref.edge_from_target else (name, target.name)
        first = name if ref.before_target else target.name
        self._add(a, b, ref.edge, first=first)

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
        return self._neighbours(node, kind, True)

    def sources(self, node: str, kind: str) -> list[str]:
        return self._neighbours(node, kind, False)

    def _neighbours(self, node: str, kind: str, out: bool) -> list[str]:
        if node not in self._g:
            raise KeyError(node)
        return list(self._ends.get((node, kind, out), ()))  # .get: asking adds no entry

    def funding_wallet(self, node: str) -> str | None:
        """The wallet whose funds reach `node`, following `from` through legs.
        Every leg passed on the way gets the same answer, so a chain of legs
        funding each other is walked once, not once per leg."""
        path: list[str] = []
        seen = set()
        answer = None
        while node not in self._funding and node not in seen:
            seen.add(node)
            path.append(node)
            if self._g.nodes[node].get("account"):
                answer = node
                break
            funders = self.sources(node, "funds")
            if not funders:
                break
            node = funders[0]
        else:
            answer = self._funding.get(node)  # known already, or None on a cycle
        for passed in path:
            self._funding[passed] = answer
        return answer

    def venue_of(self, node: str) -> str | None:
        return self._venue.get(node)

    def protectors(self, node: str) -> list[str]:
        """Cover legs protecting a leg."""
        return self.sources(node, "protects")

    def hedgers(self, pool: str) -> list[str]:
        return self.sources(pool, "hedges")

    def cycles(self) -> list[list[str]]:
        """One cycle per group of blocks that reach each other (a strongly
        connected component): the shortest through the group's smallest name,
        starting there, in a stable order. Linear in the graph, where listing
        every simple cycle is exponential in chained cycles."""
        looped = set(nx.nodes_with_selfloops(self._g))
        found = []
        for group in nx.strongly_connected_components(self._g):  # cheaper than testing a multigraph for acyclicity
            if len(group) > 1 or not looped.isdisjoint(group):
                start = min(group)
                found.append(self._shortest_cycle(start, group))
        return sorted(found)

    def _shortest_cycle(self, start: str, group: set) -> list[str]:
        """Breadth-first from `start` within `group` back to `start`; successors by name."""
        parent: dict[str, str] = {}
        frontier = [start]
        while frontier:
            following = []
            for node in frontier:
                for succ in sorted(self._g.successors(node)):
                    if succ == start:
                        path = [node]
                        while path[-1] != start:
                            path.append(parent[path[-1]])
                        return path[::-1]
                    if succ in group and succ not in parent:
                        parent[succ] = node
                        following.append(succ)
            frontier = following
        raise AssertionError(f"{start} is in a cycle but none leads back to it")

    def order(self) -> list[str]:
        """Blocks in dependency order, each reference deciding which of its two
        ends comes first (funders before what they fund, pools before their
        hedges, cover before what it protects); ties broken by name."""
        return list(nx.lexicographical_topological_sort(self._order_graph()))

    def order_cycle(self) -> list[str]:
        """Blocks that must each come before the next, round in a circle (e.g. a
        pool's cover paid for by the pool's hedge), so `order` has none; [] if none."""
        graph = self._order_graph()
        if nx.is_directed_acyclic_graph(graph):  # the usual answer, at a third of find_cycle's cost
            return []
        return [a for a, _ in nx.find_cycle(graph)]

    def _order_graph(self) -> nx.DiGraph:
        g = nx.DiGraph()
        g.add_nodes_from(n for n in self._g if self.kind(n) != "venue")
        for a, b, first in self._g.edges(data="first"):
            if first is not None:
                g.add_edge(first, b if first == a else a)
        return g


def venue_node(venue: str) -> str:
    return f"venue:{venue}"


def format_cycle(cycle: list[str]) -> str:
    return " --> ".join(cycle + cycle[:1])
