"""The dependency graph as Graphviz DOT and as Mermaid, for pull requests.

Nodes are the blocks (labelled with their kind and key figures) and the venues
legs are held at; edges carry their kind (funds, hedges, protects, held_at).
Nodes and edges are emitted in sorted order (StrategyGraph.nodes() and
edges()), so the text is deterministic; each kind says how it is drawn.
"""
from __future__ import annotations

from hedgec.compiler.kinds import KINDS

from . import Compiled

VENUE_SHAPE, VENUE_MERMAID = "ellipse", ("([", "])")


def labels(c: Compiled) -> dict[str, list[str]]:
    """Node -> label lines: kind and name first, then the kind's key figures."""
    out = {}
    for node in c.graph.nodes():
        kind = c.graph.kind(node)
        if kind == "venue":
            out[node] = [c.graph.nx.nodes[node]["venue"]]
        else:
            drawing = KINDS[kind].drawing
            out[node] = [f"{kind} {node}"] + drawing.label(c.analysis.figures[node], c.strategy.base)
    return out


def _shape(kind: str) -> str:
    return VENUE_SHAPE if kind == "venue" else KINDS[kind].drawing.shape


def _brackets(kind: str) -> tuple[str, str]:
    return VENUE_MERMAID if kind == "venue" else KINDS[kind].drawing.mermaid


def to_dot(c: Compiled) -> str:
    lines = [f"digraph {_dot_id(c.strategy.name)} {{", "  rankdir=LR;",
             '  node [fontname="Helvetica", fontsize=10];', '  edge [fontname="Helvetica", fontsize=9];']
    for node, text in labels(c).items():
        kind = c.graph.kind(node)
        style = ", style=dashed" if kind == "venue" else ""
        label = "\\n".join(_dot_escape(t) for t in text)
        lines.append(f'  {_dot_id(node)} [label="{label}", shape={_shape(kind)}{style}];')
    for e in c.graph.edges():
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
        open_, close = _brackets(c.graph.kind(node))
        label = "<br/>".join(_mermaid_escape(t) for t in text)
        lines.append(f'  {ids[node]}{open_}"{label}"{close}')
    for e in c.graph.edges():
        arrow = "-.->" if e.kind == "held_at" else "-->"
        lines.append(f"  {ids[e.source]} {arrow}|{e.kind}| {ids[e.target]}")
    return "\n".join(lines) + "\n"


def _mermaid_escape(text: str) -> str:
    return text.replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")


FORMATS = {"dot": to_dot, "mermaid": to_mermaid}
