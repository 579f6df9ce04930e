"""Parse hedge source text into a raw syntax tree with spans and comments.

The raw tree mirrors the text (the formatter prints it back); lowering it to
the typed IR happens in compiler/lower.py.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from importlib import resources

from .source import Span, source_lines

MAX_DEPTH = 8


@dataclass(frozen=True)
class Comment:
    text: str  # including the leading '#'
    span: Span


@dataclass(frozen=True)
class Number:
    text: str  # as written, sign included, suffix excluded
    span: Span


@dataclass(frozen=True)
class Quantity:
    """`20000 USDC`, `2.5x`, `15%`, `8% apr`, `90d`, `20 gwei`, or a bare number."""

    number: Number
    suffix: str | None  # x % d h w y, written glued to the number
    unit: str | None  # the word after the number
    span: Span


@dataclass(frozen=True)
class Range:
    low: Number
    high: Number
    unit: str | None
    span: Span


@dataclass(frozen=True)
class Pair:
    base: str
    quote: str
    span: Span


@dataclass(frozen=True)
class Tagged:
    tag: str
    quantity: Quantity
    span: Span


@dataclass(frozen=True)
class Ident:
    name: str
    span: Span


@dataclass(frozen=True)
class String:
    text: str  # as written, with quotes
    span: Span

    @property
    def value(self) -> str:
        import ast

        return ast.literal_eval(self.text)


@dataclass(frozen=True)
class ListValue:
    items: tuple
    span: Span


Value = Quantity | Range | Pair | Tagged | Ident | String | ListValue


@dataclass(frozen=True)
class Attribute:
    key: str  # dotted keys joined with '.'
    value: Value
    span: Span
    key_span: Span


@dataclass(frozen=True)
class Block:
    kind: str
    name: str | None
    attributes: tuple[Attribute, ...]
    blocks: tuple["Block", ...]
    span: Span
    head_span: Span  # `KIND NAME`, where block-level diagnostics point
    entries: tuple = field(default=(), compare=False, repr=False)  # attributes and blocks in source order


@dataclass(frozen=True)
class SyntaxTree:
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
    import lark

    from .scanner import Scanner

    return lark.Lark(grammar_text(), parser="lalr", lexer=Scanner, maybe_placeholders=True,
                     cache=_cache_path())


def _cache_path() -> str | bool:
    """A per-user parser cache, so start-up skips building the LALR tables."""
    import hashlib
    import os
    import tempfile

    import lark

    digest = hashlib.sha256((grammar_text() + lark.__version__).encode()).hexdigest()[:16]
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = os.path.join(base, "hedgec")
    try:
        os.makedirs(folder, exist_ok=True)
        return os.path.join(folder, f"grammar-{digest}.lark-cache")
    except OSError:
        return os.path.join(tempfile.gettempdir(), f"hedgec-grammar-{digest}.lark-cache")


def parse(text: str, path: str) -> SyntaxTree:
    """Parse `text`; raise ParseError with a located, readable message."""
    import lark

    _check_nesting(text, path)
    parser = _parser()
    try:
        tree = parser.parse(text)
    except lark.exceptions.UnexpectedInput as err:
        raise _translate(err, text, path) from None
    from .scanner import Scanner

    comments = Scanner.comments
    blocks = tuple(_block(child, path, 1) for child in tree.children)
    return SyntaxTree(blocks, tuple(Comment(c.value.rstrip(), _token_span(c, path)) for c in comments))


_NESTING = re.compile(r'"(?:[^"\\\n]|\\.)*"|#[^\n]*|[{}\[\]\n]')


def _check_nesting(text: str, path: str) -> None:
    """Refuse blocks or lists nested deeper than MAX_DEPTH before parsing, so
    building the tree (which recurses) never runs out of stack."""
    depth = {"{": 0, "[": 0}
    line, line_start = 1, 0
    for match in _NESTING.finditer(text):
        char = match.group()
        if char == "\n":
            line, line_start = line + 1, match.end()
        elif char in "{[":
            depth[char] += 1
            if depth[char] > MAX_DEPTH:
                what = "blocks" if char == "{" else "lists"
                raise ParseError(f"{what} are nested more than {MAX_DEPTH} deep",
                                 Span.point(path, line, match.start() - line_start + 1), code="H005")
        elif char in "}]":
            opener = "{" if char == "}" else "["
            depth[opener] = max(depth[opener] - 1, 0)


def _token_span(tok, path: str) -> Span:
    return Span(path, tok.line, tok.column, tok.end_line, tok.end_column)


def _tokens(tree):
    """First and last token of a subtree (trees carry no positions of their own)."""
    items = [c for c in tree.children if c is not None]
    first, last = items[0], items[-1]
    while not isinstance(first, str):
        first = next(c for c in first.children if c is not None)
    while not isinstance(last, str):
        last = [c for c in last.children if c is not None][-1]
    return first, last


def _tree_span(tree, path: str) -> Span:
    first, last = _tokens(tree)
    return Span(path, first.line, first.column, last.end_line, last.end_column)


def _block(tree, path: str, depth: int) -> Block:
    if depth > MAX_DEPTH:
        raise ParseError(f"blocks are nested more than {MAX_DEPTH} deep", _tree_span(tree, path),
                         code="H005")
    kind_tok, name_tok, *entries, _close = tree.children
    attrs, blocks, ordered = [], [], []
    for entry in entries:
        node = _attribute(entry, path) if entry.data == "attribute" else _block(entry, path, depth + 1)
        (attrs if isinstance(node, Attribute) else blocks).append(node)
        ordered.append(node)
    head = _token_span(kind_tok, path)
    if name_tok is not None:
        head = head.cover(_token_span(name_tok, path))
    return Block(str(kind_tok), str(name_tok) if name_tok is not None else None,
                 tuple(attrs), tuple(blocks), _tree_span(tree, path), head, tuple(ordered))


def _attribute(tree, path: str) -> Attribute:
    key_tree, value_tree = tree.children
    key = ".".join(str(t) for t in key_tree.children)
    return Attribute(key, _value(value_tree, path), _tree_span(tree, path), _tree_span(key_tree, path))


def _number(tok, path: str) -> Number:
    return Number(str(tok), _token_span(tok, path))


def _value(tree, path: str):
    span = _tree_span(tree, path)
    kind, children = tree.data, tree.children
    if kind == "quantity":
        tok, unit = children
        if tok.type == "SUFFIXED":
            number = Number(tok[:-1], Span(path, tok.line, tok.column, tok.end_line, tok.end_column - 1))
            suffix = tok[-1]
        else:
            number, suffix = _number(tok, path), None
        return Quantity(number, suffix, str(unit) if unit is not None else None, span)
    if kind == "range":
        low, high, unit = children
        return Range(_number(low, path), _number(high, path), str(unit) if unit is not None else None, span)
    if kind == "pair":
        return Pair(str(children[0]), str(children[1]), span)
    if kind == "tagged":
        return Tagged(str(children[0]), _value(children[1], path), span)
    if kind == "ident":
        return Ident(str(children[0]), span)
    if kind == "string":
        return String(str(children[0]), span)
    if kind == "list":
        items = tuple(_value(c, path) for c in children[1:-1] if c is not None)
        return ListValue(items, span)
    raise AssertionError(f"unhandled value node {kind}")


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


def _describe_expected(names) -> str:
    words = []
    for name in sorted(names):
        word = _TOKEN_WORDS.get(name)
        if word is None:
            try:
                pattern = _parser().get_terminal(name).pattern
                word = f"`{pattern.value}`" if pattern.type == "str" else name
            except KeyError:
                word = name
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


def _translate(err, text: str, path: str) -> ParseError:
    import lark

    line, column = max(err.line, 1), max(err.column, 1)
    if isinstance(err, lark.exceptions.UnexpectedCharacters):
        char = text[err.pos_in_stream] if err.pos_in_stream < len(text) else ""
        return ParseError(f"unexpected character `{char}`", Span.point(path, line, column),
                          hint=_character_hint(char))
    if isinstance(err, lark.exceptions.UnexpectedEOF) or getattr(err.token, "type", None) == "$END":
        return _eof_error(text, path, err)
    tok = err.token
    expected = _describe_expected(err.expected)
    span = Span(path, tok.line, tok.column, tok.end_line or tok.line,
                tok.end_column or tok.column + max(len(str(tok)), 1))
    if tok.type == "_NL":
        span = Span.point(path, line, column)
    return ParseError(f"expected {expected}, found {_describe_token(tok)}", span,
                      hint=_token_hint(tok, err.expected))


def _eof_error(text: str, path: str, err) -> ParseError:
    lines = source_lines(text)
    end = Span.point(path, len(lines), len(lines[-1]) + 1)
    opened = _unclosed_block(text)
    if opened is not None:
        line, head = opened
        return ParseError(f"the file ends inside `{head}` opened on line {line}", end,
                          hint="add the closing `}`")
    return ParseError(f"the file ends early: expected {_describe_expected(err.expected)}", end)


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
