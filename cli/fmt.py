"""`hedgec fmt PATH...`: rewrite strategy files in canonical layout.

`--check` (or `--diff`, ruff's spelling) rewrites nothing: it prints a
unified diff of each file that is not formatted and exits 1. `-` formats stdin to stdout. A file that cannot be
parsed, or whose formatting would change its meaning, is left untouched and
the command exits 2.
"""
from __future__ import annotations

import difflib
import re
import sys

from hedgec.cli import common
from hedgec.cli.main import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE


def add_arguments(parser, name: str) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="files, folders (searched for *.hedge), or -")
    parser.add_argument("--check", "--diff", dest="check", action="store_true",
                        help="rewrite nothing; print a diff and exit 1 if a file is not formatted")
    common.add_input_options(parser)


def run(args) -> int:
    paths = common.expand_paths(args.paths)
    outcomes = [format_path(path, args) for path in paths]
    changed, failed = outcomes.count("changed"), outcomes.count("failed")
    if not args.check and "-" not in paths:
        print(f"{changed} file{'s' if changed != 1 else ''} reformatted, "
              f"{outcomes.count('same')} left unchanged", file=sys.stderr)
    if failed:
        print(f"hedgec: {failed} file{'s' if failed != 1 else ''} not formatted: "
              f"{'it does' if failed == 1 else 'they do'} not parse or would change meaning (see above)",
              file=sys.stderr)
        return EXIT_USAGE
    return EXIT_FINDINGS if args.check and changed else EXIT_OK


def format_path(path: str, args) -> str:
    """Format one file (or stdin); 'same', 'changed' or 'failed'."""
    from hedgec.compiler.pipeline import decode_bounded, read_source

    check = args.check
    max_bytes = int(common.config_for(path, args).threshold("max-file-bytes"))
    if path == "-":
        source, problems = decode_bounded(sys.stdin.buffer.read(max_bytes + 1), max_bytes, "<stdin>")
    else:
        source, problems = read_source(path, max_bytes)
    if source is None:
        return _report(problems, None)
    formatted = _formatted(source)
    if formatted is None:
        return "failed"
    if formatted == source.text:
        if path == "-" and not check:
            sys.stdout.write(formatted)
        return "same"
    if check:
        sys.stdout.writelines(unified_diff(source.text, formatted, source.path))
    elif path == "-":
        sys.stdout.write(formatted)
    else:
        common.write_atomic(path, formatted)
        print(f"reformatted {path}", file=sys.stderr)
    return "changed"


def unified_diff(old: str, new: str, path: str) -> list[str]:
    lines = difflib.unified_diff(_lines(old), _lines(new),
                                 f"{path} (original)", f"{path} (formatted)")
    return [line if line.endswith("\n") else line + "\n" for line in lines]


def _lines(text: str) -> list[str]:
    """Lines with their ends, broken at "\\n" only, as the parser counts them."""
    return re.findall(r"[^\n]*\n|[^\n]+$", text)


def _formatted(source) -> str | None:
    from hedgec.compiler import diagnostics as diag
    from hedgec.compiler.formatter import FormatError, format_source
    from hedgec.compiler.syntax import ParseError

    try:
        return format_source(source.text, source.path)
    except ParseError as err:
        _report([diag.make(err.code, err.message, err.span, hint=err.hint)], source)
    except FormatError as err:
        print(f"hedgec: error: {err}", file=sys.stderr)
    return None


def _report(problems, source) -> str:
    from hedgec.compiler.render import render

    for problem in problems:
        print(render(problem, source), file=sys.stderr)
    return "failed"

