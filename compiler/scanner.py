"""The lexer lark's LALR parser runs with.

It matches the grammar's own terminals (grammar/hedge.lark) with one compiled
regex in a tight loop: lark's general lexer spent most of the parse time on
per-token bookkeeping. Comments are kept aside for the formatter and for
suppression comments instead of being thrown away.
"""
from __future__ import annotations

import re

from lark.exceptions import UnexpectedCharacters
from lark.lexer import Lexer, Token

MAX_DEPTH = 8  # blocks or lists nested deeper are refused before the parser sees them
_OPENS = {"{": "blocks", "[": "lists"}
_CLOSES = {"}": "{", "]": "["}


class TooDeep(Exception):
    """Blocks or lists nested beyond MAX_DEPTH, at (line, column)."""

    def __init__(self, what: str, line: int, column: int):
        super().__init__(f"{what} nested too deep at {line}:{column}")
        self.what, self.line, self.column = what, line, column


def _token(kind, value, pos, line, column, end_line, end_column, end_pos, _new=str.__new__):
    """A lark Token, built without lark's slower keyword-compatible constructor."""
    tok = _new(Token, value)
    tok.type, tok.value, tok.start_pos, tok.end_pos = kind, value, pos, end_pos
    tok.line, tok.column, tok.end_line, tok.end_column = line, column, end_line, end_column
    return tok


class Scanner(Lexer):
    comments: list = []  # the comments of the most recent text scanned

    def __init__(self, conf):
        # The order lark itself gives competing terminals.
        terms = sorted(conf.terminals, key=lambda t: (-t.priority, -t.pattern.max_width,
                                                      -len(t.pattern.value), t.name))
        self.regex = re.compile("|".join(f"(?P<{t.name}>{t.pattern.to_regexp()})" for t in terms))
        self.ignore = frozenset(conf.ignore)

    def lex(self, text: str):
        comments = Scanner.comments = []
        match, pos, end = self.regex.match, 0, len(text)
        line, line_start, depth = 1, 0, {"{": 0, "[": 0}
        while pos < end:
            m = match(text, pos)
            if m is None:
                raise UnexpectedCharacters(text, pos, line, pos - line_start + 1)
            kind, value, stop = m.lastgroup, m.group(), m.end()
            newlines = value.count("\n")
            end_line = line + newlines
            end_line_start = pos + value.rindex("\n") + 1 if newlines else line_start
            if kind == "COMMENT" or kind not in self.ignore:
                token = _token(kind, value, pos, line, pos - line_start + 1, end_line,
                               stop - end_line_start + 1, stop)
                if value in _OPENS:
                    depth[value] += 1
                    if depth[value] > MAX_DEPTH:
                        raise TooDeep(_OPENS[value], line, pos - line_start + 1)
                elif value in _CLOSES:
                    depth[_CLOSES[value]] -= 1
                if kind == "COMMENT":
                    comments.append(token)
                else:
                    yield token
            pos, line, line_start = stop, end_line, end_line_start
