"""`hedgec plan FILE`: the simulation plan (YAML, or JSON with --format json)."""
from __future__ import annotations

from hedgec.cli import artefacts
from hedgec.cli.main import EXIT_FINDINGS, EXIT_OK


def add_arguments(parser, name: str) -> None:
    artefacts.add_source_arguments(parser, ("yaml", "json"), "yaml", "write the plan to PATH instead of stdout")
    artefacts.add_plan_options(parser)


def run(args) -> int:
    from hedgec.targets.plan import build_plan
    from hedgec.targets.serialize import FORMATS

    options = artefacts.plan_options(args)
    c = artefacts.compile_file(args)
    if c is None:
        return EXIT_FINDINGS
    artefacts.emit(FORMATS[args.format](build_plan(c, options)), args)
    return EXIT_OK
