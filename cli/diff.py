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
        old, new = common.check_path(first, args), common.check_path(second, args)
    else:  # `REV -- FILE`: a file added since REV, or deleted, is a diff against nothing
        text = git_show(first, second)
        old = None if text is None else check_text(text, f"{second}@{first}", config, catalog)
        new = common.check_path(second, args) if os.path.exists(second) else None
        if old is None and new is None:
            raise UsageError(f"{second} exists neither on disk nor at revision `{first}`")
    report = FORMATS[args.format](risk_diff(old, new, catalog))
    common.emit(report, args.output)
    return EXIT_OK


def git_show(revision: str, path: str) -> str | None:
    """The text of `path` at `revision`, read by git in the file's own repository;
    None when the revision has no such file."""
    if revision.startswith("-"):
        raise UsageError(f"`{revision}` is not a file or a git revision")
    folder, name = _existing_folder(Path(path).resolve())
    _git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}"], folder, revision, path,
         why="no such revision")
    if _git(["cat-file", "-e", f"{revision}:./{name}"], folder, revision, path, required=False) is None:
        return None
    shown = _git(["show", f"{revision}:./{name}"], folder, revision, path)
    try:
        return shown.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UsageError(f"{path} at revision `{revision}` is not UTF-8 text") from None


def _existing_folder(target: Path) -> tuple[Path, str]:
    """The nearest folder above `target` that exists (a deleted file's folder may be
    gone too), and the path of `target` from there, for git."""
    folder = target.parent
    while not folder.is_dir() and folder.parent != folder:
        folder = folder.parent
    return folder, target.relative_to(folder).as_posix()


def _git(command: list[str], cwd: Path, revision: str, path: str, required: bool = True,
         why: str | None = None) -> bytes | None:
    try:
        done = subprocess.run(["git", *command], cwd=cwd, capture_output=True, timeout=60)
    except FileNotFoundError:
        raise UsageError(f"`{revision}` is not a file, and git is not installed to read it as a revision") from None
    except subprocess.TimeoutExpired:
        raise UsageError(f"git took too long to show {path} at {revision}") from None
    if done.returncode == 0:
        return done.stdout
    if not required:
        return None
    reason = done.stderr.decode("utf-8", "replace").strip().splitlines()
    raise UsageError(f"cannot read {path} at revision `{revision}`: {reason[-1] if reason else why or 'git failed'}")
