"""What several commands share: finding files, settings and the catalog."""
from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

from hedgec.cli.main import UsageError


def add_input_options(parser) -> None:
    parser.add_argument("--catalog", action="append", default=[], metavar="FILE",
                        help="a catalog file layered over the bundled one (repeatable)")
    parser.add_argument("--config", metavar="FILE",
                        help="settings file (default: nearest hedgec.toml or pyproject.toml with [tool.hedgec])")


def add_rule_options(parser) -> None:
    """`--select` / `--ignore` as in the settings file: code prefixes, comma-separated or repeated."""
    parser.add_argument("--select", action="append", metavar="CODES",
                        help="report only these codes or prefixes, e.g. H3,H201 (replaces `select` in the settings)")
    parser.add_argument("--ignore", action="append", metavar="CODES",
                        help="never report these codes or prefixes (added to `ignore` in the settings)")


def _codes_option(values: list[str] | None, option: str) -> tuple[str, ...]:
    from hedgec.compiler.config import check_codes

    codes = tuple(c.strip() for value in values or () for c in value.split(",") if c.strip())
    try:
        check_codes(codes)
    except ValueError as err:
        raise UsageError(f"{option}: {err}") from None
    return codes


def expand_paths(paths: list[str]) -> list[str]:
    """Files as given, and folders searched recursively for *.hedge, sorted."""
    found: list[str] = []
    for path in paths:
        if path != "-" and os.path.isdir(path):
            found += sorted(str(p) for p in Path(path).rglob("*.hedge") if p.is_file())
        else:
            found.append(path)
    if not found:
        raise UsageError("no .hedge files found in " + ", ".join(paths))
    return found


def emit(text: str, output: str | None) -> None:
    """The report to `output` (written atomically), or to stdout (no `-o`, or `-o -`)."""
    if output and output != "-":
        write_atomic(output, text)
    else:
        sys.stdout.write(text)


def config_for(path: str, args):
    from hedgec.compiler.config import ConfigError, find_config_file, load_config

    try:
        if args.config:
            config = load_config(Path(args.config).resolve())
        else:
            start = Path.cwd() if path == "-" else Path(path)
            config = load_config(find_config_file(start))
    except ConfigError as err:
        raise UsageError(str(err)) from None
    from dataclasses import replace

    if args.catalog:
        config = replace(config, catalogs=config.catalogs + tuple(str(Path(c).resolve()) for c in args.catalog))
    if getattr(args, "select", None):
        config = replace(config, select=_codes_option(args.select, "--select"))
    if getattr(args, "ignore", None):
        config = replace(config, ignore=config.ignore + _codes_option(args.ignore, "--ignore"))
    return config


def catalog_for(config):
    from hedgec.compiler.catalog import CatalogError

    try:
        return _catalog(config.catalogs)
    except CatalogError as err:
        raise UsageError(str(err)) from None


@functools.lru_cache(maxsize=16)
def _catalog(overlays: tuple[str, ...]):
    """The catalog with `overlays`, read and validated once per run, not once per
    checked file (load_catalog caches only the bundled catalog)."""
    from hedgec.compiler.catalog import load_catalog

    return load_catalog(overlays)


def check_path(path: str, args):
    """Check one file (or stdin for `-`) with its settings and catalog."""
    from hedgec.compiler.pipeline import check_file, check_text, decode_bounded

    config = config_for(path, args)
    catalog = catalog_for(config)
    if path == "-":
        max_bytes = int(config.threshold("max-file-bytes"))
        source, problems = decode_bounded(sys.stdin.buffer.read(max_bytes + 1), max_bytes, "<stdin>")
        if source is None:
            from hedgec.compiler.pipeline import CheckResult

            return CheckResult("<stdin>", None, None, None, tuple(problems))
        return check_text(source.text, "<stdin>", config, catalog)
    return check_file(path, config, catalog)


def write_atomic(path: str, text: str) -> None:
    """Write `text` to `path` with the project's one atomic writer; a failure is a usage error (exit 2)."""
    write_with(path, lambda tmp: Path(tmp).write_bytes(text.encode("utf-8")))


def write_with(path: str, draw) -> None:
    """`draw(tmp)` writes the file, which then replaces `path` (see hedgec.atomic)."""
    from hedgec.atomic import WriteError, write_with as write

    try:
        write(path, draw)
    except WriteError as err:
        raise UsageError(str(err)) from None
