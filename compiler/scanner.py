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
        line, line_start = 1, 0
        while pos < end:
            m = match(text, pos)
            if m is None:
                raise UnexpectedCharacters(text, pos, line, pos - line_start + 1)
            kind, value, stop = m.lastgroup, m.group(), m.end()
            newlines = value.count("\n")
            end_line = line + newlines
            end_line_start = pos + value.rindex("\n") + 1 if newlines else line_start
            if kind == "COMMENT" or kind not in self.ignore:
                token = Token(kind, value, pos, line, pos - line_start + 1, end_line,
                              stop - end_line_start + 1, stop)
                if kind == "COMMENT":
                    comments.append(token)
                else:
                    yield token
            pos, line, line_start = stop, end_line, end_line_start
