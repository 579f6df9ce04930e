"""The Python API (docs/api.md): check a strategy, then compile it to its plan,
its checklist or a simulation, from a notebook or another tool.

A thin layer over the functions the commands use (the pipeline's check, the
targets, the simulator), so it gives the same answers as `hedgec check`,
`plan`, `checklist` and `simulate`. Settings are read as the commands read
them: the nearest hedgec.toml or pyproject.toml above a checked file.
"""
from __future__ import annotations

import os
from dataclasses import field
from pathlib import Path
from typing import Any, Mapping

from .record import record

__all__ = ["Diagnostic", "Result", "Simulation", "HedgecError", "StrategyError",
           "check_file", "check_text", "plan", "checklist", "simulate"]


class HedgecError(Exception):
    """Settings or a catalog that cannot be used (the commands' exit code 2)."""


class StrategyError(HedgecError):
    """The strategy has errors, so it compiles to nothing; `.diagnostics` says why."""

    def __init__(self, message: str, diagnostics: tuple["Diagnostic", ...] = ()):
        super().__init__(message)
        self.diagnostics = diagnostics


@record
class Diagnostic:
    code: str  # "H301"
    severity: str  # "error", "warning" or "info"
    line: int  # 1-based, as editors count
    column: int
    message: str
    hint: str | None
    file: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.severity}[{self.code}]: {self.message}"


@record
class Result:
    """What `hedgec check` says about one strategy."""

    path: str
    strategy: str | None  # the strategy's name, None if it could not be read
    diagnostics: tuple[Diagnostic, ...]
    figures: Mapping[str, Any]  # as in `hedgec check --format json`: per leg, carry, ...
    _checked: Any = field(repr=False, compare=False)
    _catalog: Any = field(repr=False, compare=False)

    @property
    def ok(self) -> bool:
        """No errors (warnings and information are allowed)."""
        return not any(d.severity == "error" for d in self.diagnostics)


@record
class Simulation:
    """A Monte Carlo run and the payoff grid, as `hedgec simulate` computes them."""

    summary: Any  # hedgec.simulation.Result: mean_return, prob_liquidation, q05_return, ...
    grid: Mapping[str, Any]  # numpy arrays over price ratios: ratios, prices, hold, pool, hedged, all_in, ...
    return_edges: Any  # numpy array: bin edges of the net return (fraction of the pool deposit)
    return_counts: Any  # numpy array: paths in each bin


def check_file(path: str | os.PathLike) -> Result:
    """Check a .hedge file with the settings found above it (as they are now:
    a settings file added, removed or edited since the last call counts)."""
    from hedgec.compiler import pipeline
    from hedgec.compiler.config import ConfigError, find_config_file, forget_settings_files, load_config

    forget_settings_files()
    try:
        config = load_config(find_config_file(Path(path)))
    except ConfigError as err:
        raise HedgecError(str(err)) from None
    catalog = _catalog(config)
    return _result(pipeline.check_file(os.fspath(path), config, catalog), catalog)


def check_text(text: str, name: str = "<string>") -> Result:
    """Check a strategy given as text, with default settings; `name` is the file
    name diagnostics give."""
    from hedgec.compiler import pipeline
    from hedgec.compiler.config import Config

    config = Config()
    catalog = _catalog(config)
    return _result(pipeline.check_text(text, name, config, catalog), catalog)


def plan(source: Result | str | os.PathLike, *, paths: int | None = None, seed: int | None = None) -> dict:
    """The simulation plan as plain data (`hedgec plan --format json`)."""
    from hedgec.targets.plan import DEFAULT_PATHS, PlanOptions, build_plan

    return build_plan(_compiled(source), PlanOptions(seed=seed, paths=paths or DEFAULT_PATHS))


def checklist(source: Result | str | os.PathLike, format: str = "markdown") -> str:
    """The execution checklist as Markdown, or as "yaml" or "json" text."""
    from hedgec.targets.checklist import render

    if format not in ("markdown", "yaml", "json"):
        raise ValueError(f"format must be markdown, yaml or json, not {format!r}")
    return render(_compiled(source), format)


def simulate(source: Result | str | os.PathLike, *, paths: int | None = None, seed: int | None = None,
             workers: int | None = 1) -> Simulation:
    """Run the strategy's plan: Monte Carlo paths and the payoff grid. The same
    seed gives the same result whatever `workers` is."""
    import numpy as np

    from hedgec.simulation import payoff_grid
    from hedgec.simulation import simulate as run
    from hedgec.simulation.from_plan import NotSimulable, config_from_plan

    the_plan = plan(source, paths=paths, seed=seed)
    try:
        config = config_from_plan(the_plan)
    except NotSimulable as err:
        raise HedgecError(f"{the_plan['source']['file']}: {err}") from None
    summary = run(config, workers=workers)
    grid = payoff_grid(config)
    curves = ("ratios", "prices", "hold", "pool", "hedged", "all_in", "impermanent_loss")
    return Simulation(summary, {name: np.asarray(getattr(grid, name), dtype=float) for name in curves},
                      np.asarray(summary.hist_edges, dtype=float), np.asarray(summary.hist_counts))


def _catalog(config):
    from hedgec.compiler.catalog import CatalogError, load_catalog

    try:
        return load_catalog(config.catalogs)
    except CatalogError as err:
        raise HedgecError(str(err)) from None


def _result(checked, catalog) -> Result:
    found = tuple(Diagnostic(d.code, d.severity.value, d.span.line, d.span.column, d.message, d.hint, d.span.file)
                  for d in checked.diagnostics)
    name = checked.strategy.name if checked.strategy else None
    return Result(checked.path, name, found, checked.figures, checked, catalog)


def _compiled(source):
    """The targets' input for a checked Result or a path; StrategyError if it has errors."""
    from hedgec.targets import NotCompilable, compiled

    result = source if isinstance(source, Result) else check_file(source)
    if not result.ok:
        errors = tuple(d for d in result.diagnostics if d.severity == "error")
        raise StrategyError(f"{result.path}: the strategy has {len(errors)} error{'s' if len(errors) != 1 else ''}: "
                            + "; ".join(str(d) for d in errors[:3]), errors)
    try:
        return compiled(result._checked, result._catalog)
    except NotCompilable as err:
        raise StrategyError(str(err)) from None
