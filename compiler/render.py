"""Diagnostics as text a person reads: `file:line:col: severity[CODE]: message`
with the source line and a caret underline, like rustc. Text from the strategy
(names, titles, the source line) is shown with its control characters escaped."""
from __future__ import annotations

from hedgec.escape import terminal

from .diagnostics import Diagnostic, Severity
from .source import SourceFile


def render(d: Diagnostic, source: SourceFile | None) -> str:
    head = terminal(f"{d.span}: {d.severity.value}[{d.code}]: {d.message}")
    lines = [head]
    text = source.line_text(d.span.line) if source else ""
    if text.strip():
        number = str(d.span.line)
        pad = " " * len(number)
        text = text.expandtabs(4) if "\t" not in text[: d.span.column] else text
        first = max(d.span.column - 1, 0)
        last = d.span.end_column - 1 if d.span.end_line == d.span.line else len(text.rstrip())
        # columns count characters of the source; the caret counts them as shown
        start, end = len(terminal(text[:first])), len(terminal(text[:last]))
        shown = terminal(text)
        width = max(min(end, len(shown)) - start, 1)
        lines += [f"{pad} |", f"{number} | {shown.rstrip()}", f"{pad} | {' ' * start}{'^' * width}"]
        indent = pad
    else:
        indent = ""
    if d.hint:
        lines.append(f"{indent} = hint: {terminal(d.hint)}")
    for note in d.notes:
        lines.append(f"{indent} = note: {terminal(note)}")
    return "\n".join(lines)


def summary(counts: dict[Severity, int], files: int) -> str:
    parts = [f"{counts.get(s, 0)} {s.value}{'s' if counts.get(s, 0) != 1 and s is not Severity.INFO else ''}" for s in Severity]
    return f"checked {files} file{'s' if files != 1 else ''}: " + ", ".join(parts)
