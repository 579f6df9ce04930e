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


class Scanner(Lexer):
    comments: list = []  # the comments of the most recent text scanned

    def __init__(self, conf):
        # The order lark itself gives competing terminals.
        terms = sorted(conf.terminals, key=lambda t: (-t.priority, -t.pattern.max_width,
                                                      -len(t.pattern.value), t.name))
        # Ignored terminals other than comments (blanks) are skipped by the same
        # match as the token after them: one regex call a token, not two.
        blank = [t for t in terms if t.name in conf.ignore and t.name != "COMMENT"]
        tokens = [t for t in terms if t not in blank]
        skip = "|".join(t.pattern.to_regexp() for t in blank)
        self.blank = re.compile(f"(?:{skip})*+" if skip else "")
        self.regex = re.compile((f"(?:{skip})*+" if skip else "")
                                + "(?:" + "|".join(f"(?P<{t.name}>{t.pattern.to_regexp()})" for t in tokens) + ")")

    def lex(self, text: str):
        comments = Scanner.comments = []
        match, pos, end = self.regex.match, 0, len(text)
        line, line_start, depth = 1, 0, {"{": 0, "[": 0}
        new, token_class = str.__new__, Token
        while pos < end:
            m = match(text, pos)
            if m is None:
                pos = self.blank.match(text, pos).end()
                if pos == end:
                    return
                raise UnexpectedCharacters(text, pos, line, pos - line_start + 1)
            kind = m.lastgroup
            value, stop = m.group(kind), m.end()
            start = stop - len(value)
            # a lark Token, built without its slower keyword-compatible constructor
            token = new(token_class, value)
            token.type, token.value, token.start_pos, token.end_pos = kind, value, start, stop
            token.line, token.column = line, start - line_start + 1
            if kind == "_NL":  # the only terminal that spans lines
                line += value.count("\n")
                line_start = start + value.rindex("\n") + 1
            token.end_line, token.end_column = line, stop - line_start + 1
            if value in _OPENS:
                depth[value] += 1
                if depth[value] > MAX_DEPTH:
                    raise TooDeep(_OPENS[value], token.line, token.column)
            elif value in _CLOSES:
                depth[_CLOSES[value]] -= 1
            if kind == "COMMENT":
                comments.append(token)
            else:
                yield token
            pos = stop
