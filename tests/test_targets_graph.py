"""The dependency graph as DOT and Mermaid."""
import re

from hedgec.targets.graph import to_dot, to_mermaid
from targets_support import TWO_POOLS, compile_text


def test_dot_has_every_block_and_edge_with_figures():
    dot = to_dot(compile_text(TWO_POOLS))
    assert dot.startswith('digraph "two_pools" {') and dot.endswith("}\n")
    assert '"eth_short" -> "eth_lp" [label="hedges"]' in dot
    assert '"dydx_cover" -> "eth_short" [label="protects"]' in dot
    assert '"main" -> "btc_lp" [label="funds"]' in dot
    assert "short 0.5 BTC BTC-USD" in dot and "2.00x on 10,000.00 USDC" in dot
    assert dot.count(" -> ") == 16  # 6 legs funded by main + 2 hedges + 2 protects + 6 held_at
    nodes = re.findall(r'^  "([^"]+)" \[label=', dot, re.M)
    assert len(nodes) == 10  # 1 wallet + 2 pools + 2 perps + 2 covers + 3 venues


def test_mermaid_ids_are_safe_and_edges_labelled():
    mmd = to_mermaid(compile_text(TWO_POOLS))
    assert mmd.startswith("flowchart LR\n")
    assert "-->|hedges|" in mmd and "-.->|held_at|" in mmd
    for line in mmd.splitlines()[1:]:
        assert re.match(r"^  n\d+", line), line
    assert '"' not in "".join(re.findall(r'"([^"]*)"', mmd))
