"""Diagnostics: every problem hedgec reports carries a stable code declared in
the registry (compiler/registry.py), so `hedgec rules` and `hedgec explain`
list exactly what the checker can say."""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, Mapping

from .source import Span


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class Rule:
    """A stable diagnostic code: its name, default severity and explanation."""

    code: str
    name: str
    severity: Severity
    summary: str
    explain: str
    group: str


@dataclass(frozen=True)
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
    import difflib

    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.5)
    return f"did you mean `{close[0]}`?" if close else None


def has_errors(diagnostics) -> bool:
    return any(d.severity is Severity.ERROR for d in diagnostics)
