"""`hedgec checklist FILE`: the execution checklist (Markdown, YAML or JSON)."""
from __future__ import annotations

from hedgec.cli import artefacts
from hedgec.cli.main import EXIT_FINDINGS, EXIT_OK


def add_arguments(parser, name: str) -> None:
    artefacts.add_source_arguments(parser, ("markdown", "yaml", "json"), "markdown",
                                   "write the checklist to PATH instead of stdout")


def run(args) -> int:
    from hedgec.targets.checklist import render

    c = artefacts.compile_file(args)
    if c is None:
        return EXIT_FINDINGS
    artefacts.emit(render(c, args.format), args)
    return EXIT_OK
