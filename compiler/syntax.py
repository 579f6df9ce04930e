"""Parse hedge source text into a raw syntax tree with spans and comments.

The raw tree mirrors the text (the formatter prints it back); lowering it to
the typed IR happens in compiler/lower.py.
"""
from __future__ import annotations

import functools
import re
import threading
from importlib import resources
from typing import NamedTuple

from .source import Span, source_lines

# Nodes are named tuples, as Span is: the parser makes one per value and key,
# and a named tuple is the cheapest immutable record to build and to define.


class Comment(NamedTuple):
    text: str  # including the leading '#'
    span: Span


class Number(NamedTuple):
    text: str  # as written, sign included, suffix excluded
    span: Span


class Quantity(NamedTuple):
    """`20000 USDC`, `2.5x`, `15%`, `8% apr`, `90d`, `20 gwei`, or a bare number."""

    number: Number
    suffix: str | None  # x % d h w y, written glued to the number
    unit: str | None  # the word after the number
    span: Span


class Range(NamedTuple):
    low: Number
    high: Number
    unit: str | None
    span: Span


class Pair(NamedTuple):
    base: str
    quote: str
    span: Span


class Tagged(NamedTuple):
    tag: str
    quantity: Quantity
    span: Span


class Ident(NamedTuple):
    name: str
    span: Span


class String(NamedTuple):
    text: str  # as written, with quotes
    span: Span

    @property
    def value(self) -> str:
        return _ESCAPE.sub(lambda m: _unescape(m), self.text[1:-1])


# The escapes a string knows: \" \\ \n \t \r, \xHH, \uHHHH and \UHHHHHHHH (a code point up to
# U+10FFFF); the parser refuses any other backslash sequence (H007) rather than guess.
_ESCAPE = re.compile(r'\\(?:(["\\ntr])|x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|(.?))', re.DOTALL)
_SIMPLE = {'"': '"', "\\": "\\", "n": "\n", "t": "\t", "r": "\r"}


def _unescape(match: re.Match) -> str:
    simple, *codes, _ = match.groups()
    if simple is not None:
        return _SIMPLE[simple]
    return chr(int(next(c for c in codes if c is not None), 16))


def _bad_escape(match: re.Match) -> bool:
    simple, hex2, hex4, hex8, other = match.groups()
    return other is not None or (hex8 is not None and int(hex8, 16) > 0x10FFFF)


class ListValue(NamedTuple):
    items: tuple
    span: Span


Value = Quantity | Range | Pair | Tagged | Ident | String | ListValue


class Attribute(NamedTuple):
    key: str  # dotted keys joined with '.'
    value: Value
    span: Span
    key_span: Span


class Block(NamedTuple):
    kind: str
    name: str | None
    attributes: tuple[Attribute, ...]
    blocks: tuple["Block", ...]
    span: Span
    head_span: Span  # `KIND NAME`, where block-level diagnostics point
    entries: tuple = ()  # attributes and blocks in source order


class SyntaxTree(NamedTuple):
    blocks: tuple[Block, ...]
    comments: tuple[Comment, ...]


class ParseError(Exception):
    """A syntax error, already phrased for a person, with its location."""

    def __init__(self, message: str, span: Span, hint: str | None = None, code: str = "H001"):
        super().__init__(message)
        self.message, self.span, self.hint, self.code = message, span, hint, code


@functools.lru_cache(maxsize=1)
def grammar_text() -> str:
    return resources.files("hedgec.grammar").joinpath("hedge.lark").read_text("utf-8")


@functools.lru_cache(maxsize=1)
def _parser():
    """lark's parser of the grammar: what the parse table and the scanner's
    patterns are built from, when they are not cached yet."""
    import lark

    from hedgec import cache

    folder = cache.folder()
    return lark.Lark(grammar_text(), parser="lalr", lexer="basic", maybe_placeholders=True,
                     cache=str(folder / f"grammar-{_digest(lark.__version__)}.lark-cache") if folder else False)


@functools.lru_cache(maxsize=1)
def _table():
    """The parse table (compiler/lalr.py) and the scanner, from the per-user
    cache: a check imports lark only when the grammar is new."""
    import re

    from hedgec import cache

    name = f"grammar-{_digest()}.json"
    data = cache.load_json(name)
    if data is not None:
        try:
            return _compiled(data)
        except (ValueError, KeyError, TypeError, AttributeError, re.error):
            pass  # damaged or of another format: built again
    data = _built()
    cache.store_json(name, data)
    return _compiled(data)


def _compiled(data: dict):
    from .lalr import Table
    from .scanner import Scanner

    return Table.from_data(data), Scanner(**data["scanner"])


def _built() -> dict:
    from .lalr import Table
    from .scanner import patterns

    parser = _parser()
    return Table.from_lark(parser).to_data() | {"scanner": patterns(parser)}


def _digest(*more: str) -> str:
    import hashlib

    from .lalr import FORMAT

    return hashlib.sha256("\0".join((grammar_text(), str(FORMAT), *more)).encode()).hexdigest()[:16]


def parse(text: str, path: str) -> SyntaxTree:
    """Parse `text`; raise ParseError with a located, readable message."""
    from .lalr import UnexpectedToken
    from .scanner import MAX_DEPTH, TooDeep, UnexpectedCharacter

    table, scanner = _table()
    builder, callbacks = _builder(table)
    builder.path, comments = path, []
    try:
        blocks = table.parse(scanner.lex(text, comments), callbacks)
    except (UnexpectedToken, UnexpectedCharacter) as err:
        raise _translate(err, text, path, scanner.literals) from None
    except TooDeep as err:
        raise ParseError(f"{err.what} are nested more than {MAX_DEPTH} deep", Span.point(path, err.line, err.column),
                         hint="a strategy needs two levels: `strategy` and its legs", code="H005") from None
    return SyntaxTree(tuple(blocks), tuple(Comment(c.value.rstrip(), _token_span(c, path)) for c in comments))


_THREAD = threading.local()


def _builder(table):
    """This thread's tree builder and the table's callbacks bound to it: the
    builder holds the path of the text being parsed, so threads parse apart."""
    made = getattr(_THREAD, "builder", None)
    if made is None or made[0] is not table:
        builder = _Builder()
        made = _THREAD.builder = (table, builder, table.callbacks(builder))
    return made[1], made[2]


# A named tuple built by tuple.__new__ directly, without the Python-level
# `__new__` its class adds: the parser makes several per attribute.
_make = tuple.__new__


def _token_span(tok, path: str) -> Span:
    return _make(Span, (path, tok.line, tok.column, tok.end_line, tok.end_column))


def _between(first, last, path: str) -> Span:
    """From the start of `first` to the end of `last` (tokens or spans: both
    have line, column, end_line and end_column)."""
    return _make(Span, (path, first.line, first.column, last.end_line, last.end_column))


class _Builder:
    """Builds the raw tree while the LALR loop reduces (no intermediate parse tree).

    compiler/lalr.py calls one method per grammar rule with the rule's children,
    as lark's tree builder would pass them: tokens and what earlier calls
    returned. Spans come from the tokens themselves.
    """

    path = "<string>"  # set by parse() on this thread's builder before each run

    def start(self, children):
        return children

    def block(self, children):
        path = self.path
        kind, name, *entries, close = children
        if entries and entries[-1] is None:  # the placeholder of an absent last `[attribute | block]`
            del entries[-1]
        head = _token_span(kind, path) if name is None else _between(kind, name, path)
        inner = [e for e in entries if type(e) is Block]
        attributes = tuple(e for e in entries if type(e) is Attribute)
        return _make(Block, (str(kind), None if name is None else str(name), attributes, tuple(inner),
                             _between(kind, close, path), head, tuple(entries)))

    def attribute(self, children):
        (key, key_span), value = children
        return _make(Attribute, (key, value, _between(key_span, value.span, self.path), key_span))

    def key(self, children):
        first = children[0]
        if len(children) == 1:
            return str(first), _token_span(first, self.path)
        return ".".join(children), _between(first, children[-1], self.path)

    def quantity(self, children):
        tok, unit = children
        path = self.path
        if tok.type == "SUFFIXED":
            number = _make(Number, (tok[:-1], _make(Span, (path, tok.line, tok.column, tok.end_line,
                                                           tok.end_column - 1))))
            suffix = tok[-1]
        else:
            number, suffix = _make(Number, (str(tok), _token_span(tok, path))), None
        return _make(Quantity, (number, suffix, None if unit is None else str(unit),
                                _between(tok, unit if unit is not None else tok, path)))

    def range(self, children):
        low, high, unit = children
        path = self.path
        return Range(Number(str(low), _token_span(low, path)), Number(str(high), _token_span(high, path)),
                     None if unit is None else str(unit), _between(low, unit or high, path))

    def pair(self, children):
        base, quote = children
        return Pair(str(base), str(quote), _between(base, quote, self.path))

    def tagged(self, children):
        tag, quantity = children
        return Tagged(str(tag), quantity, _between(tag, quantity.span, self.path))

    def ident(self, children):
        tok = children[0]
        return _make(Ident, (str(tok), _token_span(tok, self.path)))

    def string(self, children):
        tok = children[0]
        bad = next((m for m in _ESCAPE.finditer(tok[1:-1]) if _bad_escape(m)), None)
        if bad:
            column = tok.column + 1 + bad.start()
            raise ParseError(f"`{bad.group()}` is not an escape hedgec knows", Span(
                self.path, tok.line, column, tok.line, column + len(bad.group())),
                hint='strings know `\\"`, `\\\\`, `\\n`, `\\t`, `\\r`, `\\xHH`, `\\uHHHH` and `\\UHHHHHHHH` (up to '
                     'U+10FFFF)', code="H007")
        return String(str(tok), _token_span(tok, self.path))

    def list(self, children):
        items = tuple(c for c in children[1:-1] if c is not None)
        return ListValue(items, _between(children[0], children[-1], self.path))


# Lark's terminal names, in the words of the language.
_TOKEN_WORDS = {
    "WORD": "a name",
    "NUMBER": "a number",
    "SUFFIXED": "a number with a unit such as `2.5x`, `15%` or `90d`",
    "STRING": "a quoted string",
    "_NL": "the end of the line",
    "LBRACE": "`{`",
    "RBRACE": "`}`",
    "EQUAL": "`=`",
    "SLASH": "`/`",
    "DOT": "`.`",
    "COMMA": "`,`",
    "LSQB": "`[`",
    "RSQB": "`]`",
    "$END": "the end of the file",
}


def _describe_expected(names, literals: dict[str, str]) -> str:
    words = []
    for name in sorted(names):
        word = _TOKEN_WORDS.get(name) or (f"`{literals[name]}`" if name in literals else name)
        if word not in words:
            words.append(word)
    if len(words) > 1:
        return ", ".join(words[:-1]) + " or " + words[-1]
    return words[0] if words else "something else"


def _describe_token(tok) -> str:
    if tok.type == "$END":
        return "the end of the file"
    if tok.type == "_NL":
        return "the end of the line"
    return f"`{tok}`"


def _translate(err, text: str, path: str, literals: dict[str, str]) -> ParseError:
    from .scanner import UnexpectedCharacter

    line, column = max(err.line, 1), max(err.column, 1)
    if isinstance(err, UnexpectedCharacter):
        char = text[err.pos] if err.pos < len(text) else ""
        return ParseError(f"unexpected character `{char}`", Span.point(path, line, column),
                          hint=_character_hint(char))
    if err.token.type == "$END":
        return _eof_error(text, path, _describe_expected(err.expected, literals))
    tok = err.token
    expected = _describe_expected(err.expected, literals)
    span = Span(path, tok.line, tok.column, tok.end_line or tok.line,
                tok.end_column or tok.column + max(len(str(tok)), 1))
    if tok.type == "_NL":
        span = Span.point(path, line, column)
    return ParseError(f"expected {expected}, found {_describe_token(tok)}", span,
                      hint=_token_hint(tok, err.expected))


def _eof_error(text: str, path: str, expected: str) -> ParseError:
    lines = source_lines(text)
    end = Span.point(path, len(lines), len(lines[-1]) + 1)
    opened = _unclosed_block(text)
    if opened is not None:
        line, head = opened
        return ParseError(f"the file ends inside `{head}` opened on line {line}", end,
                          hint="add the closing `}`")
    return ParseError(f"the file ends early: expected {expected}", end)


def _unclosed_block(text: str):
    """The innermost block left open at the end of the text, as (line, head)."""
    stack = []
    for number, raw in enumerate(source_lines(text), start=1):
        code = raw.split("#", 1)[0]
        for i, ch in enumerate(code):
            if ch == "{":
                stack.append((number, code[:i].strip() or "block"))
            elif ch == "}" and stack:
                stack.pop()
    return stack[-1] if stack else None


def _character_hint(char: str) -> str | None:
    if char in "'`":
        return 'strings use double quotes: "like this"'
    if char == ":":
        return "attributes are written `key = value`"
    if char in ";,":
        return "end an attribute with a new line"
    return None


def _token_hint(tok, expected) -> str | None:
    if tok.type in ("LBRACE", "RBRACE") and "EQUAL" in expected:
        return "attributes are written `key = value`"
    if "_NL" in expected and tok.type != "_NL":
        return "put each attribute on its own line"
    if "EQUAL" in expected:
        return "attributes are written `key = value`"
    return None
