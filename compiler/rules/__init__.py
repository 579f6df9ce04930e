"""Validation rules on the IR, graph and analysis: sizing (H2xx), margin and
liquidation (H3xx), funding and carry (H4xx), cover (H5xx), wallet and gas
(H6xx), assumptions (H7xx). Rules return diagnostics; they never print."""
from __future__ import annotations

from ..analysis import analyse
from . import assumptions, carry, cover, margin, sizing, wallet  # noqa: F401  (register codes and checks)
from .base import CHECKS, Context


def run_rules(strategy, graph, catalog, config):
    """(analysis, diagnostics) for a structurally sound strategy."""
    analysis = analyse(strategy, graph, catalog, adjustments=int(config.threshold("adjustments-reserve")))
    ctx = Context(strategy, graph, catalog, config, analysis)
    found = [d for check in CHECKS for d in check(ctx)]
    return analysis, found
