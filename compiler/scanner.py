"""The lexer the LALR loop (compiler/lalr.py) runs with.

It matches the grammar's own terminals (grammar/hedge.lark), in the order lark
gives competing terminals, with one compiled regex in a tight loop. Comments
are kept aside for the formatter and for suppression comments instead of being
thrown away. The patterns come from lark once and are cached with the parse
table, so a check does not import lark unless the text has a syntax error.
"""
from __future__ import annotations

import re

MAX_DEPTH = 8  # blocks or lists nested deeper are refused before the parser sees them
_OPENS = {"{": "blocks", "[": "lists"}
_CLOSES = {"}": "{", "]": "["}
# terminals the scanner looks at twice: line ends, comments, and the brackets it counts
_SPECIAL = frozenset({"_NL", "COMMENT", "LBRACE", "RBRACE", "LSQB", "RSQB"})


class TooDeep(Exception):
    """Blocks or lists nested beyond MAX_DEPTH, at (line, column)."""

    def __init__(self, what: str, line: int, column: int):
        super().__init__(f"{what} nested too deep at {line}:{column}")
        self.what, self.line, self.column = what, line, column


class UnexpectedCharacter(Exception):
    """No terminal matches at `pos` (line and column from 1). It ends the
    scanner's list in place of the end token: of a kind no parser state takes."""

    type = "$UNEXPECTED"

    def __init__(self, pos: int, line: int, column: int):
        super().__init__(f"unexpected character at {line}:{column}")
        self.pos, self.line, self.column = pos, line, column


class Token(str):
    """A terminal as lark's Token has it: the text, its kind and where it is."""

    __slots__ = ("type", "line", "column", "end_line", "end_column")

    @property
    def value(self) -> str:
        return str(self)

    @classmethod
    def end_after(cls, last: "Token | None") -> "Token":
        """The end of the input, placed where lark places it: on the last token."""
        end = str.__new__(cls, "")
        end.type = "$END"
        if last is None:
            end.line, end.column, end.end_line, end.end_column = 1, 1, 1, 1
        else:
            end.line, end.column, end.end_line, end.end_column = last.line, last.column, last.end_line, last.end_column
        return end


def patterns(lark_parser) -> dict[str, str]:
    """The scanner's two regexes, from a lark parser of the grammar: blanks (the
    ignored terminals other than comments) and tokens (every other terminal, in
    lark's order: priority, longest possible match, longest pattern, name).
    The text of terminals written as strings (`"{"`) goes along, for messages."""
    conf = lark_parser.lexer_conf
    terms = sorted(conf.terminals, key=lambda t: (-t.priority, -t.pattern.max_width,
                                                  -len(t.pattern.value), t.name))
    blank = [t for t in terms if t.name in conf.ignore and t.name != "COMMENT"]
    tokens = [t for t in terms if t not in blank]
    skip = "|".join(t.pattern.to_regexp() for t in blank)
    return {"blank": f"(?:{skip})*+" if skip else "",
            "tokens": "(?:" + "|".join(f"(?P<{t.name}>{t.pattern.to_regexp()})" for t in tokens) + ")",
            "literals": {t.name: t.pattern.value for t in terms if t.pattern.type == "str"}}


class Scanner:
    def __init__(self, blank: str, tokens: str, literals: dict[str, str]):
        # Blanks are skipped by the same match as the token after them: one regex
        # call a token, not two. The blank group is possessive: no backtracking.
        self.blank = re.compile(blank)
        self.regex = re.compile(blank + tokens)
        self.literals = literals  # terminal name -> its text, for terminals written as strings

    def lex(self, text: str, comments: list) -> list:
        """The tokens of `text` and the end token ($END), its comments appended
        to `comments`; where no terminal matches, an UnexpectedCharacter ends
        the list instead."""
        tokens: list[Token] = []
        keep, remark = tokens.append, comments.append
        pos, line, line_start, depth = 0, 1, 0, {"{": 0, "[": 0}
        new = str.__new__
        for m in self.regex.finditer(text):
            if m.start() != pos:  # finditer skipped what no terminal matches
                break
            kind = m.lastgroup
            value, pos = m.group(kind), m.end()
            token = new(Token, value)
            token.type, token.line, token.column = kind, line, pos - len(value) - line_start + 1
            if kind in _SPECIAL:
                if kind == "_NL":  # the only terminal that spans lines
                    line += value.count("\n")
                    line_start = pos - len(value) + value.rindex("\n") + 1
                elif kind == "COMMENT":
                    token.end_line, token.end_column = line, pos - line_start + 1
                    remark(token)
                    continue
                elif value in _OPENS:
                    depth[value] += 1
                    if depth[value] > MAX_DEPTH:
                        raise TooDeep(_OPENS[value], token.line, token.column)
                else:
                    depth[_CLOSES[value]] -= 1
            token.end_line, token.end_column = line, pos - line_start + 1
            keep(token)
        stop = self.blank.match(text, pos).end()
        if stop != len(text):  # the parser raises it on reaching it, as a streaming lexer would
            tokens.append(UnexpectedCharacter(stop, line, stop - line_start + 1))
        else:
            tokens.append(Token.end_after(tokens[-1] if tokens else None))
        return tokens
