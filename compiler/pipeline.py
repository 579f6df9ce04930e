"""The whole check of one file: read, parse, lower, resolve, build the graph,
run the rules, apply suppressions. Never raises on bad input: every problem
becomes a located diagnostic."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from . import codes  # noqa: F401  (registers the structure codes)
from . import diagnostics as diag
from .config import Config
from .graph import StrategyGraph
from .ir import Strategy
from .source import SourceFile, Span

SUPPRESSION = re.compile(r"#\s*hedgec:\s*ignore\[([A-Za-z0-9_, ]*)\]")


@dataclass(frozen=True)
class CheckResult:
    path: str
    source: SourceFile | None
    strategy: Strategy | None
    graph: StrategyGraph | None
    diagnostics: tuple[diag.Diagnostic, ...]
    analysis: Any = None

    @property
    def figures(self) -> Mapping[str, Any]:
        """The computed figures as plain data, built only when asked for (JSON output)."""
        return self.analysis.to_json() if self.analysis is not None else {}

    @property
    def ok(self) -> bool:
        return not diag.has_errors(self.diagnostics)


def read_source(path: str, max_bytes: int) -> tuple[SourceFile | None, list[diag.Diagnostic]]:
    """Decode a file, or explain why it cannot be read. At most `max_bytes` + 1
    bytes are read, so a device or a pipe (/dev/zero, a FIFO) is refused like a large file."""
    start = Span.point(path, 1, 1)
    try:
        size = Path(path).stat().st_size
        if size > max_bytes:
            return None, [too_large(size, max_bytes, path)]
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as err:
        return None, [diag.make("H002", f"cannot read the file: {err.strerror or err}", start)]
    return decode_bounded(data, max_bytes, path)


def decode_bounded(data: bytes, max_bytes: int, path: str) -> tuple[SourceFile | None, list[diag.Diagnostic]]:
    """`decode` for what was read with a limit of `max_bytes` (one byte more means the input is larger)."""
    if len(data) > max_bytes:
        return None, [too_large(None, max_bytes, path)]
    return decode(data, path)


def too_large(size: int | None, max_bytes: int, path: str) -> diag.Diagnostic:
    """H004; `size` None when reading stopped at the limit (a stream)."""
    limit = f"{max_bytes / 1_048_576:.1f} MiB"
    message = f"the file is {size / 1_048_576:.1f} MiB; hedgec reads strategy files up to {limit}" \
        if size is not None else f"the input is larger than the {limit} hedgec reads"
    return diag.make("H004", message, Span.point(path, 1, 1))


def decode(data: bytes, path: str) -> tuple[SourceFile | None, list[diag.Diagnostic]]:
    nul = data.find(b"\0")
    if nul >= 0:
        return None, [diag.make("H002", "this is a binary file, not a strategy (it contains NUL bytes)",
                                _byte_span(data, nul, path))]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        return None, [diag.make("H002", f"the file is not UTF-8 text (byte 0x{data[err.start]:02x} "
                                        f"at offset {err.start})", _byte_span(data, err.start, path),
                                hint="save the file as UTF-8")]
    return SourceFile(path, text), []


def _byte_span(data: bytes, offset: int, path: str) -> Span:
    before = data[:offset]
    line = before.count(b"\n") + 1
    column = offset - (before.rfind(b"\n") + 1) + 1
    return Span.point(path, line, column)


def check_file(path: str, config: Config | None = None, catalog=None) -> CheckResult:
    config = config or Config()
    source, problems = read_source(path, int(config.threshold("max-file-bytes")))
    if source is None:
        return CheckResult(path, None, None, None, tuple(problems))
    return check_source(source, config, catalog)


def check_text(text: str, path: str = "<string>", config: Config | None = None, catalog=None) -> CheckResult:
    return check_source(SourceFile(path, text), config or Config(), catalog)


def check_source(source: SourceFile, config: Config, catalog=None) -> CheckResult:
    from . import lower, resolve, syntax
    from .catalog import load_catalog

    path = source.path
    limit = int(config.threshold("max-file-bytes"))
    if len(source.text) > limit // 4 and len(source.text.encode("utf-8")) > limit:  # text from stdin or an editor
        return CheckResult(path, source, None, None, (too_large(len(source.text.encode("utf-8")), limit, path),))
    try:
        tree = syntax.parse(source.text, path)
    except syntax.ParseError as err:
        found = [diag.make(err.code, err.message, err.span, hint=err.hint)]
        return _finish(source, None, None, found, config, None)
    strategy, found = lower.lower(tree, path)
    if strategy is None:
        return _finish(source, None, None, found, config, None, tree.comments)
    catalog = catalog or load_catalog(config.catalogs)
    graph = StrategyGraph(strategy)
    found += resolve.check_structure(strategy, graph, catalog)
    analysis = None
    if not diag.has_errors(found):
        from .rules import run_rules

        analysis, rule_found = run_rules(strategy, graph, catalog, config)
        found += rule_found
    return _finish(source, strategy, graph, found, config, analysis, tree.comments)


def _finish(source, strategy, graph, found, config, analysis, comments=()) -> CheckResult:
    found = [d for d in found if config.enabled(d.code)]
    found = apply_suppressions(found, comments, source.path)
    found.sort(key=diag.Diagnostic.sort_key)
    return CheckResult(source.path, source, strategy, graph, tuple(found), analysis)


def apply_suppressions(found: list[diag.Diagnostic], comments, path: str) -> list[diag.Diagnostic]:
    """Drop diagnostics silenced by `# hedgec: ignore[CODE]` on their line;
    report silences that silence nothing, so stale ones do not pile up."""
    kept = list(found)
    for comment in comments:
        match = SUPPRESSION.search(comment.text)
        if not match:
            continue
        for code in filter(None, (c.strip() for c in match.group(1).split(","))):
            hits = [d for d in kept if d.code == code and d.span.line == comment.span.line]
            if code not in diag.RULES:
                kept.append(diag.make("H902", f"`{code}` is not a hedgec rule code", comment.span,
                                      hint=diag.did_you_mean(code, diag.RULES)))
            elif not hits:
                kept.append(diag.make("H901", f"`# hedgec: ignore[{code}]` silences nothing on this line",
                                      comment.span, hint="remove the stale suppression"))
            kept = [d for d in kept if d not in hits]
    return kept
