"""Diagnostics: every problem hedgec reports carries a stable code declared in
the registry (compiler/registry.py), so `hedgec rules` and `hedgec explain`
list exactly what the checker can say."""
from __future__ import annotations

import enum
from dataclasses import field
from typing import Any, Mapping

from hedgec.record import record

from .source import Span


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@record
class Rule:
    """A stable diagnostic code: its name, default severity and explanation."""

    code: str
    name: str
    severity: Severity
    summary: str
    explain: str
    group: str


@record
class Diagnostic:
    code: str
    severity: Severity
    message: str
    span: Span
    hint: str | None = None
    notes: tuple[str, ...] = ()
    data: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def sort_key(self) -> tuple:
        return (self.span.file, self.span.line, self.span.column, self.code, self.message)

    def to_json(self) -> dict:
        out = {
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "file": self.span.file,
            "line": self.span.line,
            "column": self.span.column,
            "end_line": self.span.end_line,
            "end_column": self.span.end_column,
            "hint": self.hint,
            "notes": list(self.notes),
        }
        if self.data:
            out["data"] = dict(self.data)
        return out


def make(code: str, message: str, span: Span, hint: str | None = None,
         notes: tuple[str, ...] = (), severity: Severity | None = None,
         data: Mapping[str, Any] | None = None) -> Diagnostic:
    """Build a diagnostic for a declared code, at its default severity."""
    from .registry import rules

    rule = rules()[code]
    return Diagnostic(code, severity or rule.severity, message, span, hint, tuple(notes), data or {})


def did_you_mean(word: str, choices) -> str | None:
    """A hint naming the closest known word, if one is close enough."""
    return Suggestions(choices)(word)


class Suggestions:
    """Did-you-mean hints against one set of known names, indexed once.

    Up to FULL_SCAN names, a word is compared with all of them. Beyond, only
    with its neighbours in sorted order, forwards and spelt backwards (a typo
    keeps either the start or the end of a name), so a file with thousands of
    misspelt references among thousands of names stays linear."""

    FULL_SCAN = 64
    NEIGHBOURS = 4  # on each side, in each order

    def __init__(self, choices):
        self.names = sorted(set(choices))
        self.backwards = sorted(n[::-1] for n in self.names) if len(self.names) > self.FULL_SCAN else []
        self.answers: dict[str, str | None] = {}

    def __call__(self, word: str) -> str | None:
        if word not in self.answers:
            import difflib

            close = difflib.get_close_matches(word, self._near(word), n=1, cutoff=0.5)
            self.answers[word] = f"did you mean `{close[0]}`?" if close else None
        return self.answers[word]

    def _near(self, word: str) -> list[str]:
        if not self.backwards:
            return self.names
        import bisect

        k = self.NEIGHBOURS
        i = bisect.bisect(self.names, word)
        j = bisect.bisect(self.backwards, word[::-1])
        return self.names[max(i - k, 0): i + k] + [n[::-1] for n in self.backwards[max(j - k, 0): j + k]]


def has_errors(diagnostics) -> bool:
    return any(d.severity is Severity.ERROR for d in diagnostics)
