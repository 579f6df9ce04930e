"""The check of one file as a sequence of named stages, each a public
function with typed input and output:

    read -> parse -> lower -> link (graph + names) -> analyse -> rules -> finish

`check_source` runs them in order and stops after a stage that finds errors.
Whether a strategy is blocked (has errors that stop compilation) is decided
before selection and suppression, so settings never make a broken strategy
look clean. Never raises on bad input: every problem becomes a located
diagnostic."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Mapping

from hedgec.record import record

from . import diagnostics as diag
from .config import Config
from .graph import StrategyGraph
from .ir import Strategy
from .source import SourceFile, Span

SUPPRESSION = re.compile(r"#\s*hedgec:\s*ignore\[([A-Za-z0-9_, ]*)\]")


@record
class CheckResult:
    path: str
    source: SourceFile | None
    strategy: Strategy | None
    graph: StrategyGraph | None
    diagnostics: tuple[diag.Diagnostic, ...]  # after selection and suppression
    analysis: Any = None  # the analyse stage's result; targets and diff use it, never recompute it
    blocked: bool = False  # errors before selection and suppression: targets refuse the strategy
    config: Config | None = None  # the settings it was checked with: the targets read their thresholds

    @property
    def figures(self) -> Mapping[str, Any]:
        """The computed figures as plain data, built only when asked for (JSON output)."""
        return self.analysis.to_json() if self.analysis is not None else {}

    @property
    def name(self) -> str | None:
        return self.strategy.name if self.strategy is not None else None

    @property
    def ok(self) -> bool:
        return not self.blocked and not diag.has_errors(self.diagnostics)

    def for_report(self, figures: bool) -> "Reported":
        """What a report reads, without the IR, graph and analysis: a tenth of
        the result to send back from a worker process."""
        return Reported(self.path, self.source, self.diagnostics, self.blocked, self.name,
                        self.figures if figures else {})


@record
class Reported:
    """A check result as reports read it (cli/output.py): the same names."""

    path: str
    source: SourceFile | None
    diagnostics: tuple[diag.Diagnostic, ...]
    blocked: bool
    name: str | None
    figures: Mapping[str, Any]

    ok = CheckResult.ok


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
    limit = int(config.threshold("max-file-bytes"))
    if len(source.text) > limit // 4 and len(source.text.encode("utf-8")) > limit:  # text from stdin or an editor
        size = len(source.text.encode("utf-8"))
        return CheckResult(source.path, source, None, None, (too_large(size, limit, source.path),), blocked=True)
    tree, found = parse(source)
    if tree is None:
        return finish(source, None, None, found, config, None)
    strategy, found = lower(tree, source.path)
    if strategy is None:
        return finish(source, None, None, found, config, None, tree.comments)
    from .catalog import load_catalog

    graph, linked = link(strategy, catalog or load_catalog(config.catalogs))
    found += linked
    analysis = None
    if not diag.has_errors(found):
        catalog = catalog or load_catalog(config.catalogs)
        analysis = analyse(strategy, graph, catalog, config)
        found += rules(strategy, graph, catalog, config, analysis)
    return finish(source, strategy, graph, found, config, analysis, tree.comments)


def parse(source: SourceFile):
    """(syntax tree, []) or (None, [the syntax error])."""
    from . import syntax

    try:
        return syntax.parse(source.text, source.path), []
    except syntax.ParseError as err:
        return None, [diag.make(err.code, err.message, err.span, hint=err.hint)]


def lower(tree, path: str) -> tuple[Strategy | None, list[diag.Diagnostic]]:
    """The typed IR, with every key and value checked against its kind."""
    from . import lower as lowering

    return lowering.lower(tree, path)


def link(strategy: Strategy, catalog) -> tuple[StrategyGraph, list[diag.Diagnostic]]:
    """The dependency graph, and what is wrong with names, references and catalog names."""
    from . import resolve

    graph = StrategyGraph(strategy)
    return graph, resolve.check_structure(strategy, graph, catalog)


def analyse(strategy: Strategy, graph: StrategyGraph, catalog, config: Config):
    """The figures of every block (compiler/analysis.py), for a strategy with no structural error."""
    from .analysis import analyse as figures

    return figures(strategy, graph, catalog, adjustments=int(config.threshold("adjustments-reserve")))


def rules(strategy: Strategy, graph: StrategyGraph, catalog, config: Config, analysis) -> list[diag.Diagnostic]:
    """The diagnostics of the selected checks."""
    from .rules import run_rules

    return run_rules(strategy, graph, catalog, config, analysis)


def finish(source, strategy, graph, found, config, analysis, comments=()) -> CheckResult:
    """Decide whether the strategy is blocked, then apply selection and suppression.

    Errors that stop compilation (input and structure, or no figures) are
    always shown: only the money rules can be deselected or silenced."""
    from .registry import registry

    selectable = registry().selectable
    blocked = diag.has_errors(d for d in found if d.code not in selectable)
    kept = [d for d in found if d.code not in selectable or config.enabled(d.code)]
    kept = apply_suppressions(kept, comments, source.path, keep=lambda d: d.code not in selectable)
    kept.sort(key=diag.Diagnostic.sort_key)
    return CheckResult(source.path, source, strategy, graph, tuple(kept), analysis, blocked, config)


def apply_suppressions(found: list[diag.Diagnostic], comments, path: str,
                       keep=lambda d: False) -> list[diag.Diagnostic]:
    """Drop diagnostics silenced by `# hedgec: ignore[CODE]` on their line
    (except those `keep` says cannot be silenced); report silences that
    silence nothing, so stale ones do not pile up. Diagnostics are indexed
    by (line, code): one lookup per silence."""
    from .registry import rules as declared

    rules_table = declared()
    kept = list(found)
    at: dict[tuple[int, str], list[diag.Diagnostic]] = {}
    for d in kept:
        at.setdefault((d.span.line, d.code), []).append(d)
    silenced: set[int] = set()
    rule_codes = None
    for comment in comments:
        match = SUPPRESSION.search(comment.text)
        if not match:
            continue
        for code in filter(None, (c.strip() for c in match.group(1).split(","))):
            hits = [d for d in at.pop((comment.span.line, code), []) if not keep(d)]
            silenced.update(map(id, hits))
            if code not in rules_table:
                rule_codes = rule_codes or diag.Suggestions(rules_table)
                added = diag.make("H902", f"`{code}` is not a hedgec rule code", comment.span,
                                  hint=rule_codes(code))
            elif not hits:
                added = diag.make("H901", f"`# hedgec: ignore[{code}]` silences nothing on this line",
                                  comment.span, hint="remove the stale suppression")
            else:
                continue
            kept.append(added)
            at.setdefault((added.span.line, added.code), []).append(added)
    return [d for d in kept if id(d) not in silenced]
