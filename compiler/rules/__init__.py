"""Validation rules on the IR, graph and analysis: sizing (H2xx), margin and
liquidation (H3xx), funding and carry (H4xx), cover (H5xx), wallet and gas
(H6xx), assumptions (H7xx). Each module declares its codes, checks and
thresholds in a `PACK` (see compiler/registry.py). Rules return diagnostics;
they never print."""
from __future__ import annotations

from ..registry import registry
from .base import Context


def run_rules(strategy, graph, catalog, config, analysis) -> list:
    """The diagnostics of every check with at least one selected code, and of
    every check of a code selection cannot turn off (figures that cannot be
    computed, H115: a strategy that every other command refuses must not pass)."""
    ctx = Context(strategy, graph, catalog, config, analysis)
    reg = registry()
    return [d for check in reg.checks if any(c not in reg.selectable or config.enabled(c) for c in check.codes)
            for d in check.run(ctx)]
