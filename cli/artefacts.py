"""What the artefact commands (plan, checklist, graph, build) share: check the
file first, refuse a strategy with errors (diagnostics on stderr, exit 1),
write to stdout or atomically to a file."""
from __future__ import annotations

import sys

from hedgec.cli import common
from hedgec.cli.main import UsageError


def add_source_arguments(parser, formats, default: str | None, output_help: str) -> None:
    parser.add_argument("file", metavar="FILE", help="a .hedge strategy file")
    if formats:
        parser.add_argument("--format", dest="format", default=default, choices=formats,
                            help=f"output format (default: {default})")
    parser.add_argument("-o", "--output", metavar="PATH", help=output_help)
    common.add_input_options(parser)


def add_plan_options(parser) -> None:
    from hedgec.targets import plan

    parser.add_argument("--seed", type=int, help="Monte Carlo seed (default: derived from the strategy name)")
    parser.add_argument("--paths", type=int, default=plan.DEFAULT_PATHS,
                        help=f"Monte Carlo paths (default: {plan.DEFAULT_PATHS})")
    parser.add_argument("--exploit-probability", type=float, default=plan.DEFAULT_EXPLOIT_PROBABILITY,
                        help="yearly probability of an exploit at each venue holding funds "
                             f"(default: {plan.DEFAULT_EXPLOIT_PROBABILITY:g})")
    parser.add_argument("--loss-share", type=float, default=plan.DEFAULT_LOSS_SHARE,
                        help=f"share of the funds lost in an exploit (default: {plan.DEFAULT_LOSS_SHARE:g})")


def plan_options(args):
    from hedgec.targets.plan import PlanOptions

    if args.paths < 1:
        raise UsageError("--paths must be at least 1")
    if args.seed is not None and not 0 <= args.seed < 2**32:
        raise UsageError("--seed must be between 0 and 4294967295")
    for flag, value in (("--exploit-probability", args.exploit_probability), ("--loss-share", args.loss_share)):
        if not 0 <= value <= 1:
            raise UsageError(f"{flag} must be between 0 and 1, not {value:g}")
    return PlanOptions(args.seed, args.paths, args.exploit_probability, args.loss_share)


def compile_file(args):
    """The targets' input for args.file, or None after printing why it has none."""
    from hedgec.cli.output import as_text
    from hedgec.compiler.pipeline import check_file
    from hedgec.targets import NotCompilable, compiled

    config = common.config_for(args.file, args)
    catalog = common.catalog_for(config)
    result = check_file(args.file, config, catalog)
    if not result.ok:
        sys.stderr.write(as_text([result]))
        return None
    try:
        return compiled(result, catalog)
    except NotCompilable as err:
        lines = [f"hedgec: error: {err}"] + [f"  {block}.{key}: {message}" for block, key, message in err.problems]
        sys.stderr.write("\n".join(lines) + "\n")
        return None


def emit(text: str, args) -> None:
    common.emit(text, args.output)
