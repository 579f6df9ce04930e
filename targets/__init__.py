"""Artefact targets: one module per artefact, each a pure function of a
checked strategy, its graph and its figures (`Compiled`).

A target never runs on a strategy with errors: `compiled()` refuses it, and
the command prints the diagnostics instead.
"""
from __future__ import annotations

import hashlib
from dataclasses import field
from pathlib import PurePath

from hedgec.compiler.config import Config
from hedgec.record import record


class NotCompilable(Exception):
    """The strategy has errors, or figures that could not be computed."""

    def __init__(self, message: str, problems: tuple[tuple[str, str, str], ...] = ()):
        super().__init__(message)
        self.problems = problems


@record
class Compiled:
    """What every target reads: the checked IR, its graph, figures and catalog."""

    path: str
    text: str
    strategy: object  # ir.Strategy
    graph: object  # graph.StrategyGraph
    analysis: object  # analysis.Analysis
    catalog: object  # catalog.Catalog
    config: Config = field(default_factory=Config)  # the settings: alert levels of the checklist

    @property
    def prices(self):
        """The assumed prices, for conversions between assets."""
        from hedgec.compiler.analysis import prices_of

        return prices_of(self.strategy)

    @staticmethod
    def source_of(src) -> dict | None:
        """A catalog figure's source as plain data."""
        if src is None:
            return None
        out = {"ref": src.url_or_ref, "read": src.read, "verified": src.verified}
        if src.note:
            out["note"] = src.note
        return out

    @property
    def source(self) -> dict:
        """The source file by name and content hash: no absolute paths, no dates."""
        return {"file": PurePath(self.path).name,
                "sha256": hashlib.sha256(self.text.encode("utf-8")).hexdigest()}


def compiled(result, catalog) -> Compiled:
    """The inputs of the targets for a `CheckResult` without errors."""
    if not result.ok or result.analysis is None:
        raise NotCompilable(f"{result.path}: the strategy has errors")
    analysis = result.analysis
    if analysis.problems:
        raise NotCompilable(f"{result.path}: some figures could not be computed", analysis.problems)
    return Compiled(result.path, result.source.text, result.strategy, result.graph, analysis, catalog,
                    result.config or Config())
