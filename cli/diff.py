"""`hedgec diff OLD NEW` or `hedgec diff REV -- FILE`: what changed in risk
between two versions of a strategy, as text or as Markdown for a pull request."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

from hedgec.cli import common
from hedgec.cli.main import EXIT_OK, UsageError


def add_arguments(parser, name: str) -> None:
    parser.add_argument("paths", nargs=2, metavar="PATH",
                        help="two strategy files, or a git revision and a file: `REV -- FILE`")
    parser.add_argument("--output-format", "--format", dest="format", default="text",
                        choices=("text", "markdown"), help="how to print the diff (default: text)")
    parser.add_argument("-o", "--output", metavar="FILE", help="write the diff to FILE instead of stdout")
    common.add_input_options(parser)


def run(args) -> int:
    from hedgec.compiler.pipeline import check_text
    from hedgec.targets.diff import FORMATS, risk_diff

    first, second = args.paths
    config = common.config_for(second, args)
    catalog = common.catalog_for(config)
    if os.path.isfile(first):
        old = common.check_path(first, args)
    else:
        old = check_text(git_show(first, second), f"{second}@{first}", config, catalog)
    new = common.check_path(second, args)
    report = FORMATS[args.format](risk_diff(old, new, catalog))
    common.emit(report, args.output)
    return EXIT_OK


def git_show(revision: str, path: str) -> str:
    """The text of `path` at `revision`, read by git in the file's own repository."""
    target = Path(path).resolve()
    if revision.startswith("-"):
        raise UsageError(f"`{revision}` is not a file or a git revision")
    try:
        shown = subprocess.run(["git", "show", f"{revision}:./{target.name}"], cwd=target.parent,
                               capture_output=True, timeout=60)
    except FileNotFoundError:
        raise UsageError(f"`{revision}` is not a file, and git is not installed to read it as a revision") from None
    except subprocess.TimeoutExpired:
        raise UsageError(f"git took too long to show {path} at {revision}") from None
    if shown.returncode != 0:
        reason = shown.stderr.decode("utf-8", "replace").strip().splitlines()
        raise UsageError(f"cannot read {path} at revision `{revision}`: {reason[-1] if reason else 'git failed'}")
    try:
        return shown.stdout.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UsageError(f"{path} at revision `{revision}` is not UTF-8 text") from None
