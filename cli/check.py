"""`hedgec check PATH...`: validate strategies, print diagnostics, set the exit code."""
from __future__ import annotations

import os

from hedgec.cli import common, output
from hedgec.cli.main import EXIT_FINDINGS, EXIT_OK, UsageError


def add_arguments(parser, name: str) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="files, folders (searched for *.hedge), or -")
    parser.add_argument("--output-format", "--format", dest="format", default="text",
                        choices=sorted(output.FORMATS), help="how to print the results (default: text)")
    parser.add_argument("--strict", action="store_true", help="warnings fail the check too")
    parser.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE instead of stdout")
    parser.add_argument("-j", "--jobs", type=int, metavar="N",
                        help="check files in N processes (default: one per CPU, for large trees)")
    parser.add_argument("--min-severity", choices=SEVERITIES,
                        help="report only diagnostics this severe or more (default: info; warning for "
                             "--format github, where notices would crowd out the annotations that matter)")
    common.add_rule_options(parser)
    common.add_input_options(parser)


SEVERITIES = ("error", "warning", "info")  # most severe first
# Every file's result lives until the report is written (worker processes,
# which drop theirs, collect garbage again): cli/main.py's collector_for_a_run.
KEEPS_WHAT_IT_MAKES = True


def run(args) -> int:
    paths = common.expand_paths(args.paths)
    results = check_all(paths, args)
    minimum = args.min_severity or ("warning" if args.format == "github" else "info")
    shown, left_out = at_least(results, minimum)
    report = output.FORMATS[args.format](shown)
    if args.format == "github":
        report += summary_line(shown, left_out, minimum)
    elif left_out and args.format == "text":
        report += f"hedgec: {left_out_text(left_out, minimum)}\n"
    common.emit(report, args.output)
    return EXIT_FINDINGS if failed(results, args.strict) else EXIT_OK


def at_least(results, minimum: str):
    """The results with only diagnostics at `minimum` severity or above, and
    how many of each severity were left out. The exit code still sees them all."""
    import dataclasses
    from collections import Counter

    keep = set(SEVERITIES[:SEVERITIES.index(minimum) + 1])
    left_out = Counter(d.severity.value for r in results for d in r.diagnostics if d.severity.value not in keep)
    if not left_out:
        return results, left_out
    return [dataclasses.replace(r, diagnostics=tuple(d for d in r.diagnostics if d.severity.value in keep))
            for r in results], left_out


def summary_line(shown, left_out, minimum: str) -> str:
    """The last line of the GitHub log: what was annotated and what was not."""
    from hedgec.compiler.render import summary

    told = summary(output.counts(shown), len(shown))
    return f"hedgec: {told}" + (f"; {left_out_text(left_out, minimum)}" if left_out else "") + "\n"


def left_out_text(left_out, minimum: str) -> str:
    parts = [f"{left_out[s]} {s}{'s' if left_out[s] != 1 and s != 'info' else ''}" for s in SEVERITIES if left_out[s]]
    return f"left out {', '.join(parts)} below --min-severity {minimum} (--min-severity info shows everything)"


PARALLEL_MIN_FILES = 64  # below this, starting workers costs more than it saves


def check_all(paths: list[str], args) -> list:
    """Results in the order of `paths`, from worker processes for large trees."""
    jobs = args.jobs or os.cpu_count() or 1
    if args.jobs is not None and args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    if jobs == 1 or len(paths) < PARALLEL_MIN_FILES or "-" in paths:
        return [common.check_path(p, args) for p in paths]
    import functools
    import multiprocessing

    try:
        context = multiprocessing.get_context("fork")  # workers inherit the warm parser and catalog
    except ValueError:
        return [common.check_path(p, args) for p in paths]
    common.check_path(paths[0], args)  # warm the caches once, before forking
    import gc

    gc.freeze()  # the workers' collections then leave the shared pages alone (no copy on write)
    try:
        with context.Pool(jobs, initializer=gc.enable) as pool:  # a worker keeps only what it sends back
            return pool.map(functools.partial(_check_for_report, args=args), paths,
                            chunksize=max(1, len(paths) // (jobs * 8)))
    finally:
        gc.unfreeze()  # collectable again, for a caller running main() in process


def _check_for_report(path: str, args):
    """What the report reads: the IR, graph and analysis stay behind in the worker."""
    return common.check_path(path, args).for_report(figures=args.format == "json")


def failed(results, strict: bool) -> bool:
    from hedgec.compiler.diagnostics import Severity

    bad = {Severity.ERROR, Severity.WARNING} if strict else {Severity.ERROR}
    return any(d.severity in bad for r in results for d in r.diagnostics)
