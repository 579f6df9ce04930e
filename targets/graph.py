"""The dependency graph as Graphviz DOT and as Mermaid, for pull requests.

Nodes are the blocks (labelled with their kind and key figures) and the venues
legs are held at; edges carry their kind (funds, hedges, protects, held_at).
Nodes and edges are emitted in sorted order, so the text is deterministic.
"""
from __future__ import annotations

from . import Compiled
from .checklist import money, tokens

SHAPES = {"wallet": "folder", "pool": "box", "perp": "box", "cover": "note", "venue": "ellipse"}
MERMAID_SHAPES = {"wallet": ("[/", "/]"), "pool": ("[", "]"), "perp": ("[", "]"),
                  "cover": ("{{", "}}"), "venue": ("([", "])")}


def labels(c: Compiled) -> dict[str, list[str]]:
    """Node -> label lines: kind and name first, then key figures."""
    a, base, out = c.analysis, c.strategy.base, {}
    for node in c.graph.nodes():
        kind = c.graph.kind(node)
        if kind == "venue":
            out[node] = [c.graph.nx.nodes[node]["venue"]]
        elif kind == "wallet":
            w = a.wallets[node]
            gas = f"gas {tokens(w.balance, w.native)}" if w.balance is not None else "no gas set aside"
            out[node] = [f"wallet {node}", f"{w.chain}, {w.custody} custody", gas]
        elif kind == "pool":
            p = a.pools[node]
            lines = [f"pool {node}", f"{p.venue} {p.asset}/{p.quote}", f"deposit {money(p.deposit, base)}"]
            if p.range_low is not None:
                lines.append(f"range {p.range_low:,.0f} .. {p.range_high:,.0f}")
            out[node] = lines + [f"{tokens(p.volatile_amount, p.asset)}, fees {p.fee_apr:.0%} apr"]
        elif kind == "perp":
            p = a.perps[node]
            out[node] = [f"perp {node}", f"{p.side} {tokens(p.size, p.asset)} {p.market}",
                         f"{p.leverage:.2f}x on {money(p.collateral, base)}",
                         f"liquidation {money(p.liquidation_price, base)}"]
        elif kind == "cover":
            k = a.covers[node]
            premium = f", premium {money(k.premium, base)}" if k.premium is not None else ""
            out[node] = [f"cover {node}", f"{k.provider} on {k.venue}",
                         f"{money(k.amount, base)}, {k.period_days:g}d{premium}"]
    return out


def edges(c: Compiled) -> list:
    """Edges sorted by (source, target, kind); StrategyGraph.edges() cannot sort its Edge objects."""
    from hedgec.compiler.graph import Edge

    return [Edge(a, b, k) for a, b, k in sorted(c.graph.nx.edges(data="kind"))]


def to_dot(c: Compiled) -> str:
    lines = [f"digraph {_dot_id(c.strategy.name)} {{", "  rankdir=LR;",
             '  node [fontname="Helvetica", fontsize=10];', '  edge [fontname="Helvetica", fontsize=9];']
    for node, text in labels(c).items():
        kind = c.graph.kind(node)
        style = ", style=dashed" if kind == "venue" else ""
        label = "\\n".join(_dot_escape(t) for t in text)
        lines.append(f'  {_dot_id(node)} [label="{label}", shape={SHAPES[kind]}{style}];')
    for e in edges(c):
        style = ", style=dotted" if e.kind == "held_at" else ""
        lines.append(f'  {_dot_id(e.source)} -> {_dot_id(e.target)} [label="{e.kind}"{style}];')
    return "\n".join(lines + ["}"]) + "\n"


def _dot_id(name: str) -> str:
    return '"' + _dot_escape(name) + '"'


def _dot_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def to_mermaid(c: Compiled) -> str:
    ids = {node: f"n{i}" for i, node in enumerate(c.graph.nodes())}
    lines = ["flowchart LR"]
    for node, text in labels(c).items():
        open_, close = MERMAID_SHAPES[c.graph.kind(node)]
        label = "<br/>".join(_mermaid_escape(t) for t in text)
        lines.append(f'  {ids[node]}{open_}"{label}"{close}')
    for e in edges(c):
        arrow = "-.->" if e.kind == "held_at" else "-->"
        lines.append(f"  {ids[e.source]} {arrow}|{e.kind}| {ids[e.target]}")
    return "\n".join(lines) + "\n"


def _mermaid_escape(text: str) -> str:
    return text.replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")


FORMATS = {"dot": to_dot, "mermaid": to_mermaid}
