"""Source files and locations: every IR node and diagnostic carries a Span."""
from __future__ import annotations

from functools import cached_property
from typing import NamedTuple

from hedgec.record import record


class Span(NamedTuple):
    """A region of a source file; lines and columns are 1-based, end exclusive.

    A named tuple rather than a dataclass: the parser makes hundreds per file
    and tuples are several times cheaper to build."""

    file: str
    line: int
    column: int
    end_line: int
    end_column: int

    @classmethod
    def point(cls, file: str, line: int, column: int, width: int = 1) -> "Span":
        return cls(file, line, column, line, column + max(width, 1))

    def cover(self, other: "Span") -> "Span":
        """The smallest span holding both."""
        start = min((self.line, self.column), (other.line, other.column))
        end = max((self.end_line, self.end_column), (other.end_line, other.end_column))
        return Span(self.file, start[0], start[1], end[0], end[1])

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@record
class SourceFile:
    """A decoded strategy file, with line lookup for rendering diagnostics."""

    path: str
    text: str

    @cached_property
    def lines(self) -> list[str]:
        """Split once: rendering looks up a line per diagnostic."""
        return source_lines(self.text)

    def line_text(self, line: int) -> str:
        lines = self.lines
        return lines[line - 1] if 0 < line <= len(lines) else ""


def source_lines(text: str) -> list[str]:
    """The lines as the parser counts them: broken at "\\n" only (a form feed
    or U+2028 is not a line break), without the "\\r" of CRLF, and no empty
    line after a final newline."""
    lines = [line.removesuffix("\r") for line in text.split("\n")]
    return lines[:-1] if len(lines) > 1 and lines[-1] == "" else lines
