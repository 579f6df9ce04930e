"""Diagnostics as text a person reads: `file:line:col: severity[CODE]: message`
with the source line and a caret underline, like rustc."""
from __future__ import annotations

from .diagnostics import Diagnostic, Severity
from .source import SourceFile


def render(d: Diagnostic, source: SourceFile | None) -> str:
    head = f"{d.span}: {d.severity.value}[{d.code}]: {d.message}"
    lines = [head]
    text = source.line_text(d.span.line) if source else ""
    if text.strip():
        number = str(d.span.line)
        pad = " " * len(number)
        shown = text.expandtabs(4) if "\t" not in text[: d.span.column] else text
        start = max(d.span.column - 1, 0)
        end = d.span.end_column - 1 if d.span.end_line == d.span.line else len(text.rstrip())
        width = max(min(end, len(shown)) - start, 1)
        lines += [f"{pad} |", f"{number} | {shown.rstrip()}", f"{pad} | {' ' * start}{'^' * width}"]
        indent = pad
    else:
        indent = ""
    if d.hint:
        lines.append(f"{indent} = hint: {d.hint}")
    for note in d.notes:
        lines.append(f"{indent} = note: {note}")
    return "\n".join(lines)


def summary(counts: dict[Severity, int], files: int) -> str:
    parts = [f"{counts.get(s, 0)} {s.value}{'s' if counts.get(s, 0) != 1 and s is not Severity.INFO else ''}" for s in Severity]
    return f"checked {files} file{'s' if files != 1 else ''}: " + ", ".join(parts)
