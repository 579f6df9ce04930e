"""Validation rules on the IR, graph and analysis: sizing (H2xx), margin and
liquidation (H3xx), funding and carry (H4xx), cover (H5xx), wallet and gas
(H6xx), assumptions (H7xx). Each module declares its codes, checks and
thresholds in a `PACK` (see compiler/registry.py). Rules return diagnostics;
they never print."""
from __future__ import annotations

from ..registry import registry
from .base import Context


def run_rules(strategy, graph, catalog, config, analysis) -> list:
    """The diagnostics of every check with at least one selected code."""
    ctx = Context(strategy, graph, catalog, config, analysis)
    return [d for check in registry().checks if any(config.enabled(c) for c in check.codes)
            for d in check.run(ctx)]
