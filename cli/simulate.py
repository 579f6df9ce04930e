"""`hedgec simulate FILE`: run the strategy's plan: the payoff grid and a Monte
Carlo under GBM, or a replay of real prices with --prices."""
from __future__ import annotations

import json
import sys

from hedgec.cli import artefacts
from hedgec.cli.main import EXIT_FINDINGS, EXIT_OK, UsageError

# Grid rows shown in the text report; the JSON has every grid point.
REPORT_RATIOS = (0.2, 0.5, 0.75, 0.9, 1.0, 1.1, 1.25, 1.5, 2.0, 3.0)
MAX_WORKERS = 256


def add_arguments(parser, name: str) -> None:
    artefacts.add_source_arguments(parser, ("text", "json"), "text", "write the report to PATH instead of stdout")
    artefacts.add_plan_options(parser)
    parser.add_argument("--plot", metavar="FILE", help="draw the payoff curves and outcomes to FILE (.png or .svg)")
    parser.add_argument("--prices", metavar="CSV",
                        help="replay a real price series (timestamp,price or Date,...,Close) instead of GBM")
    parser.add_argument("--skip-missing", action="store_true", help="with --prices, skip rows holding `null`")
    parser.add_argument("--workers", type=int, help=f"worker processes, 1 to {MAX_WORKERS} (default: one per CPU)")


def run(args) -> int:
    from hedgec.simulation.engine import SimulationError
    from hedgec.targets.plan import build_plan

    options = artefacts.plan_options(args)
    _check_arguments(args)
    c = artefacts.compile_file(args)
    if c is None:
        return EXIT_FINDINGS
    plan = build_plan(c, options)
    config = simulation_config(plan, args.file)
    try:
        report = _replay(config, plan, args) if args.prices else _monte_carlo(config, plan, args)
    except SimulationError as err:
        raise UsageError(f"{args.file}: cannot simulate: {err}") from None
    artefacts.emit(report, args)
    return EXIT_OK


def _check_arguments(args) -> None:
    """Bad command-line values: one line, exit 2, before any work."""
    from hedgec.simulation.engine import MAX_PATHS

    if args.plot and not args.plot.lower().endswith((".png", ".svg")):
        raise UsageError("--plot takes a .png or .svg file name")
    if args.paths > MAX_PATHS:
        raise UsageError(f"--paths must be at most {MAX_PATHS:,}, not {args.paths:,}")
    if args.workers is not None and not 1 <= args.workers <= MAX_WORKERS:
        raise UsageError(f"--workers must be between 1 and {MAX_WORKERS}, not {args.workers}")


def simulation_config(plan: dict, file: str):
    """The engine's configuration of a plan, or a UsageError saying why it cannot be simulated."""
    from hedgec.simulation.from_plan import NotSimulable, config_from_plan

    problems = []
    if not plan["strategy"]["horizon_days"] > 0:
        problems.append(f"the horizon is {plan['strategy']['horizon_days']:g} days; it must be longer than 0")
    for perp in plan["perps"]:
        if perp["rebalance_threshold"] is not None and not perp["rebalance_threshold"] > 0:
            problems.append(f"perp `{perp['name']}` has rebalance = 0%; the simulator re-sizes on a positive"
                            " drift threshold (e.g. 5%), or never without `rebalance`")
    try:
        if not problems:
            return config_from_plan(plan)
    except (NotSimulable, ValueError) as err:  # config.py's own checks, should a plan slip past the above
        problems.append(str(err))
    raise UsageError(f"{file}: cannot simulate: {'; '.join(problems)}")


def _monte_carlo(config, plan: dict, args) -> str:
    from hedgec.cli.progress import ProgressBar
    from hedgec.simulation import payoff_grid, simulate
    from hedgec.simulation import report

    grid = payoff_grid(config)
    result = simulate(config, workers=args.workers, progress=ProgressBar("simulating", config.paths))
    if args.plot:
        _plot(lambda path: report.plot(result, grid, path), args.plot)
    if args.format == "json":
        doc = {"strategy": plan["strategy"], "source": plan["source"], "plan_version": plan["plan_version"],
               "grid": report.grid_to_dict(grid), "monte_carlo": report.result_to_dict(result)}
        return json.dumps(doc, indent=2, sort_keys=True) + "\n"
    return _title(plan) + "\nPayoff at the horizon (% of the pool deposit)\n" + \
        report.format_grid(_subset(grid)) + "\n" + report.format_table(result)


def _replay(config, plan: dict, args) -> str:
    from hedgec.simulation import PriceFileError, load_prices, replay
    from hedgec.simulation import report

    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the skipped rows are reported below, once
            series = load_prices(args.prices, skip_missing=args.skip_missing)
        outcome = replay(config, series.prices, series.dates)
    except (PriceFileError, ValueError) as err:
        raise UsageError(str(err)) from None
    except OSError as err:
        raise UsageError(f"{args.prices}: cannot read the file: {err.strerror or err}") from None
    if series.skipped:
        lines = ", ".join(map(str, series.skipped_lines))
        sys.stderr.write(f"hedgec: warning: {args.prices}: skipped {series.skipped} rows without a price "
                         f"(lines {lines})\n")
    if args.plot:
        _plot(lambda path: report.plot_replay(outcome, path), args.plot)
    if args.format == "json":
        doc = {"strategy": plan["strategy"], "source": plan["source"], "plan_version": plan["plan_version"],
               "replay": report.replay_to_dict(outcome)}
        return json.dumps(doc, indent=2, sort_keys=True) + "\n"
    return _title(plan) + "\n" + report.format_replay(outcome)


def _title(plan: dict) -> str:
    from hedgec.simulation.report import terminal_safe

    s = plan["strategy"]
    return terminal_safe(f"{s['name']}" + (f": {s['title']}" if s.get("title") else "")) + "\n"


def _subset(grid):
    """The grid restricted to the rows worth reading in a terminal."""
    import dataclasses

    keep = [i for i, r in enumerate(grid.ratios) if any(abs(r - x) < 1e-9 for x in REPORT_RATIOS)]
    fields = ("ratios", "prices", "hold", "pool", "hedged", "all_in", "impermanent_loss")
    return dataclasses.replace(grid, **{f: tuple(getattr(grid, f)[i] for i in keep) for f in fields})


def _plot(draw, path: str) -> None:
    """Draw to a temporary file beside `path`, then rename: an existing plot
    is replaced whole or not at all."""
    import os
    import tempfile
    from pathlib import Path

    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=target.suffix, dir=target.parent or ".")
    os.close(fd)
    try:
        draw(tmp)
        os.replace(tmp, target)
    except ImportError:
        raise UsageError("--plot needs matplotlib: pip install 'hedgec[plot]'") from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    sys.stderr.write(f"wrote {path}\n")
