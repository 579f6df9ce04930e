"""`hedgec simulate FILE`: run the strategy's plan: the payoff grid and a Monte
Carlo under GBM, or a replay of real prices with --prices."""
from __future__ import annotations

import json
import os
import re
import sys

from hedgec.cli import artefacts
from hedgec.cli.main import EXIT_FINDINGS, EXIT_OK, UsageError

# Grid rows shown in the text report; the JSON has every grid point.
REPORT_RATIOS = (0.2, 0.5, 0.75, 0.9, 1.0, 1.1, 1.25, 1.5, 2.0, 3.0)
MAX_WORKERS = 256
LEVEL_WARNING = 2.0  # a price series starting this many times off price.X is probably another asset
SYMBOL = re.compile(r"[A-Za-z][A-Za-z0-9.]*")  # the SYMBOL of --prices SYMBOL=CSV


def add_arguments(parser, name: str) -> None:
    artefacts.add_source_arguments(parser, ("text", "json"), "text", "write the report to PATH instead of stdout")
    artefacts.add_plan_options(parser)
    parser.add_argument("--plot", metavar="FILE", help="draw the payoff curves and outcomes to FILE (.png or .svg)")
    parser.add_argument("--prices", metavar="[SYMBOL=]CSV", action="append",
                        help="replay a real price series (timestamp,price or Date,...,Close) instead of GBM;"
                             " a strategy on several assets takes one per asset: --prices BTC=btc.csv"
                             " --prices ETH=eth.csv")
    parser.add_argument("--skip-missing", action="store_true", help="with --prices, skip rows holding `null`")
    parser.add_argument("--from", dest="start", metavar="DATE",
                        help="with --prices, start at this date (or date and time); default: the first row")
    parser.add_argument("--to", dest="end", metavar="DATE",
                        help="with --prices, end with this date (included); default: the strategy's horizon")
    parser.add_argument("--absolute-prices", action="store_true",
                        help="with --prices, replay prices as they are (default: scaled so the first is price.X)")
    parser.add_argument("--per-step", action="store_true",
                        help="with --prices and --format json, include every step's prices and P&L")
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
    if not args.prices:
        for flag, given in (("--from", args.start), ("--to", args.end), ("--absolute-prices", args.absolute_prices),
                            ("--per-step", args.per_step), ("--skip-missing", args.skip_missing)):
            if given:
                raise UsageError(f"{flag} applies to a replay: add --prices CSV")
    elif args.workers is not None:
        raise UsageError("--workers applies to the Monte Carlo, not to a replay (--prices)")
    else:
        args.price_files = _price_files(args.prices)
    if args.per_step and args.format != "json":
        raise UsageError("--per-step adds per-step series to the JSON: add --format json")


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
    from hedgec.simulation import report
    from hedgec.simulation.replay import PriceFileError, ReadCount, read_bars, replay

    paths = _series_paths(config.symbols, args.file, args.price_files)
    start, end = _window(args)
    counts = {symbol: ReadCount() for symbol in paths}
    series = {symbol: read_bars(path, args.skip_missing, start, end, count=counts[symbol])
              for symbol, path in paths.items()}
    try:
        outcome = replay(config, series, absolute=args.absolute_prices,
                         keep_steps=args.per_step and args.format == "json", keep_plot=bool(args.plot),
                         span=None if end is not None else config.horizon_days * 86400.0)
    except PriceFileError as err:
        raise UsageError(report.terminal_safe(str(err))) from None
    except OSError as err:
        raise UsageError(f"{err.filename or ', '.join(paths.values())}: cannot read the file:"
                         f" {err.strerror or err}") from None
    for asset in outcome.assets:
        path, skipped = paths[asset.symbol], counts[asset.symbol].skipped_lines
        if skipped:
            _warn(f"{path}: skipped {len(skipped)} rows without a price (lines {', '.join(map(str, skipped))})")
        if asset.unaligned_rows:
            _warn(f"{path}: skipped {asset.unaligned_rows} rows at times another series lacks")
        level = asset.market_first / asset.entry_price
        if not 1 / LEVEL_WARNING <= level <= LEVEL_WARNING:
            _warn(f"{path}: the series starts at {asset.market_first:,.2f}, {level:.3g} times"
                  f" price.{asset.symbol} = {asset.entry_price:,.2f}: is it the price of {asset.symbol}?")
    if args.plot:
        _plot(lambda path: report.plot_replay(outcome, path), args.plot)
    if args.format == "json":
        doc = {"strategy": plan["strategy"], "source": plan["source"], "plan_version": plan["plan_version"],
               "replay": report.replay_to_dict(outcome)}
        return json.dumps(doc, indent=2, sort_keys=True) + "\n"
    return _title(plan) + "\n" + report.format_replay(outcome)


def _price_files(values: list[str]) -> list[tuple[str | None, str]]:
    """(symbol as written or None, path) of each --prices: SYMBOL=CSV or a bare CSV."""
    files = []
    for value in values:
        name, named, path = value.partition("=")
        if not (named and SYMBOL.fullmatch(name) and not os.path.exists(value)):
            name, path = None, value
        if not path:
            raise UsageError(f"--prices {value} names no file: --prices {name}=CSV" if name else
                             "--prices takes a CSV file (or SYMBOL=CSV for a strategy on several assets), not ''")
        files.append((name, path))
    return files


def _series_paths(symbols: tuple[str, ...], file: str, files: list[tuple[str | None, str]]) -> dict[str, str]:
    """The price file of each asset of the strategy, in its order, or a UsageError saying what is amiss."""
    wanted = " ".join(f"--prices {symbol}=CSV" for symbol in symbols)
    if any(name is None for name, _ in files):
        if len(symbols) > 1:
            raise UsageError(f"{file} holds {' and '.join(symbols)}: one price series cannot replay it;"
                             f" name each series: {wanted}")
        if len(files) > 1:
            raise UsageError(f"{file} holds one asset, {symbols[0]}: give --prices once")
        return {symbols[0]: files[0][1]}
    paths: dict[str, str] = {}
    for name, path in files:
        symbol = _symbol(name, symbols)
        if symbol is None:
            raise UsageError(f"--prices {name}={path}: {file} holds no {name}; its assets are"
                             f" {' and '.join(symbols)}: {wanted}")
        if symbol in paths:
            raise UsageError(f"--prices gives {symbol} twice ({paths[symbol]} and {path}): one series per asset")
        paths[symbol] = path
    missing = [symbol for symbol in symbols if symbol not in paths]
    if missing:
        raise UsageError(f"--prices gives no series for {' and '.join(missing)}: add"
                         f" {' '.join(f'--prices {symbol}=CSV' for symbol in missing)}")
    return {symbol: paths[symbol] for symbol in symbols}


def _symbol(name: str, symbols: tuple[str, ...]) -> str | None:
    """The strategy's price symbol a user's name stands for: WBTC and btc for BTC, weth for ETH."""
    from hedgec.compiler.units import price_symbol

    return next((s for s in (price_symbol(name), price_symbol(name.upper())) if s in symbols), None)


def _window(args) -> tuple[float | None, float | None]:
    """--from and --to as Unix seconds; --to is included (a date: its whole day)."""
    from hedgec.simulation.replay import parse_time

    bounds = []
    for flag, text in (("--from", args.start), ("--to", args.end)):
        if text is None:
            bounds.append(None)
            continue
        try:
            bounds.append(parse_time(text))
        except ValueError:
            raise UsageError(f"{flag} takes a date (2021-05-11) or a date and time (2021-05-11T14:05), not {text!r}")\
                from None
    start, end = bounds
    if end is not None:
        end += 86400.0 if len(args.end.strip()) == 10 else 1e-6
    if start is not None and end is not None and not start < end:
        raise UsageError(f"--from {args.start} is not before --to {args.end}")
    return start, end


def _warn(message: str) -> None:
    from hedgec.simulation.report import terminal_safe

    sys.stderr.write(f"hedgec: warning: {terminal_safe(message)}\n")


def _title(plan: dict) -> str:
    from hedgec.simulation.report import terminal_safe

    s = plan["strategy"]
    return terminal_safe(f"{s['name']}" + (f": {s['title']}" if s.get("title") else "")) + "\n"


def _subset(grid):
    """The grid restricted to the rows worth reading in a terminal."""
    import dataclasses

    keep = [i for i, r in enumerate(grid.ratios) if any(abs(r - x) < 1e-9 for x in REPORT_RATIOS)]
    fields = ("ratios", "prices", "hold", "pool", "hedged", "all_in", "impermanent_loss") \
        + (("with_options",) if grid.with_options else ())
    pair_fields = ("ratios", "pool_pnl", "hedged", "impermanent_loss")
    pairs = tuple(dataclasses.replace(p, **{f: tuple(getattr(p, f)[i] for i in keep) for f in pair_fields})
                  for p in grid.pairs)
    return dataclasses.replace(grid, pairs=pairs, **{f: tuple(getattr(grid, f)[i] for i in keep) for f in fields})


def _plot(draw, path: str) -> None:
    """Draw through the atomic writer: an existing plot is replaced whole or not at all."""
    from hedgec.cli.common import write_with

    try:
        write_with(path, draw)
    except ImportError:
        raise UsageError("--plot needs matplotlib: pip install 'hedgec[plot]'") from None
    sys.stderr.write(f"wrote {path}\n")
