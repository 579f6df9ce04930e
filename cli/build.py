"""`hedgec build FILE -o DIR`: every artefact of a strategy in one go."""
from __future__ import annotations

import os
import sys

from hedgec.cli import artefacts, common
from hedgec.cli.main import EXIT_FINDINGS, EXIT_OK, UsageError


def add_arguments(parser, name: str) -> None:
    artefacts.add_source_arguments(parser, (), None, "the folder to write the artefacts to (required)")
    artefacts.add_plan_options(parser)


def artefact_texts(c, options) -> dict[str, str]:
    """File name -> text of every artefact."""
    from hedgec.targets import checklist, graph
    from hedgec.targets.plan import build_plan
    from hedgec.targets.serialize import to_json, to_yaml

    plan = build_plan(c, options)
    return {
        "plan.yaml": to_yaml(plan),
        "plan.json": to_json(plan),
        "checklist.md": checklist.render(c, "markdown"),
        "checklist.json": checklist.render(c, "json"),
        "graph.dot": graph.to_dot(c),
        "graph.mmd": graph.to_mermaid(c),
    }


def run(args) -> int:
    if not args.output:
        raise UsageError("build needs an output folder: -o DIR")
    options = artefacts.plan_options(args)
    c = artefacts.compile_file(args)
    if c is None:
        return EXIT_FINDINGS
    _make_folder(args.output)
    for name, text in artefact_texts(c, options).items():
        path = os.path.join(args.output, name)
        common.write_atomic(path, text)
        sys.stdout.write(f"wrote {path}\n")
    return EXIT_OK


def _make_folder(folder: str) -> None:
    if os.path.lexists(folder) and not os.path.isdir(folder):
        raise UsageError(f"build -o takes a folder, and {folder} is a file")
    from hedgec.atomic import reason

    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as err:
        raise UsageError(f"cannot create folder {folder}: {reason(err)}") from None
