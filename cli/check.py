"""`hedgec check PATH...`: validate strategies, print diagnostics, set the exit code."""
from __future__ import annotations

import sys

from hedgec.cli import common, output
from hedgec.cli.main import EXIT_FINDINGS, EXIT_OK, UsageError


def add_arguments(parser, name: str) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="files, folders (searched for *.hedge), or -")
    parser.add_argument("--output-format", "--format", dest="format", default="text",
                        choices=sorted(output.FORMATS), help="how to print the results (default: text)")
    parser.add_argument("--strict", action="store_true", help="warnings fail the check too")
    parser.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE instead of stdout")
    common.add_input_options(parser)


def run(args) -> int:
    paths = common.expand_paths(args.paths)
    if not paths:
        raise UsageError("no .hedge files found in " + ", ".join(args.paths))
    results = [common.check_path(p, args) for p in paths]
    report = output.FORMATS[args.format](results)
    if args.output:
        common.write_atomic(args.output, report)
    else:
        sys.stdout.write(report)
    return EXIT_FINDINGS if failed(results, args.strict) else EXIT_OK


def failed(results, strict: bool) -> bool:
    from hedgec.compiler.diagnostics import Severity

    bad = {Severity.ERROR, Severity.WARNING} if strict else {Severity.ERROR}
    return any(d.severity in bad for r in results for d in r.diagnostics)
