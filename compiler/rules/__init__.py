"""Validation rules on the IR and graph: margin, leverage, liquidation,
funding, cover and gas. Rules return diagnostics; they never print."""
from __future__ import annotations


def run_rules(strategy, graph, catalog, config):
    """(analysis, diagnostics, figures) for a structurally sound strategy."""
    return None, [], {}
