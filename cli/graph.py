"""`hedgec graph FILE`: the dependency graph as Graphviz DOT or Mermaid."""
from __future__ import annotations

from hedgec.cli import artefacts
from hedgec.cli.main import EXIT_FINDINGS, EXIT_OK


def add_arguments(parser, name: str) -> None:
    artefacts.add_source_arguments(parser, ("dot", "mermaid"), "dot", "write the graph to PATH instead of stdout")


def run(args) -> int:
    from hedgec.targets.graph import FORMATS

    c = artefacts.compile_file(args)
    if c is None:
        return EXIT_FINDINGS
    artefacts.emit(FORMATS[args.format](c), args)
    return EXIT_OK
