"""The canonical layout of hedge source, printed from the raw syntax tree.

Style (the one the bundled examples are written in): 2-space indent, one
entry per line, `=` aligned within a block, one blank line around nested
blocks, at most one blank line kept where the user left one, numbers without
redundant signs or zeros. Comments stay where they were: a comment on its own
line goes before the entry after it, a trailing comment stays at the end of
its line, aligned within its block.

Formatting must never change meaning: `format_source` re-parses its output and
compares the lowered IR (and a span-free copy of the tree) with the input's,
and refuses with FormatError when they differ.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from decimal import Decimal

from . import syntax
from .lower import MAX_DIGITS, lower

INDENT = "  "
COMMENT_COLUMN = 35  # trailing comments start at this 0-based column, or 2 past the code


class FormatError(Exception):
    """The formatted text would not mean what the input means; nothing is written."""


@dataclass
class _Line:
    depth: int
    code: str
    anchors: tuple[int, ...]  # source lines whose trailing comment belongs at the end of this line
    group: int  # lines of one group align their trailing comments
    comment: str | None = None


@dataclass
class _Item:
    """An own-line comment or an entry of a block, with its source line range."""

    start: int
    end: int
    node: object  # syntax.Comment | syntax.Attribute | syntax.Block
    lines: list = field(default_factory=list)


def format_source(text: str, path: str = "<string>") -> str:
    """`text` in canonical layout; raises syntax.ParseError or FormatError."""
    tree = syntax.parse(text, path)
    formatted = _print(tree, text)
    _check_same_meaning(tree, formatted, path)
    return formatted


# ---- printing ---------------------------------------------------------------

class _Printer:
    def __init__(self, tree: syntax.SyntaxTree, text: str):
        source_lines = text.split("\n")  # lark counts lines by "\n" only
        self.own_line: list[syntax.Comment] = []  # in source order, as the scanner found them
        self.trailing: dict[int, syntax.Comment] = {}
        for c in tree.comments:
            if source_lines[c.span.line - 1][: c.span.column - 1].strip():
                self.trailing[c.span.line] = c
            else:
                self.own_line.append(c)
        self.own_lines = [c.span.line for c in self.own_line]
        self.groups = 0

    def new_group(self) -> int:
        self.groups += 1
        return self.groups

    def items(self, entries, start: int, end: int) -> list[_Item]:
        """Entries and the own-line comments between lines `start` and `end`
        that are not inside a nested block, in source order."""
        first = bisect.bisect_right(self.own_lines, start)
        last = bisect.bisect_left(self.own_lines, end, lo=first)
        nested = [(b.span.line, b.span.end_line) for b in entries if isinstance(b, syntax.Block)]
        items, n = [], 0  # nested blocks and comments are both in source order: one merged walk
        for c in self.own_line[first:last]:
            while n < len(nested) and nested[n][1] < c.span.line:
                n += 1
            if n == len(nested) or c.span.line < nested[n][0]:
                items.append(_Item(c.span.line, c.span.line, c))
        items += [_Item(e.span.line, e.span.end_line, e) for e in entries]
        return sorted(items, key=lambda i: i.start)

    def body(self, items: list[_Item], depth: int, group: int, width: int, closing: int | None) -> list[_Line]:
        """`closing`: the line of the enclosing block's `}` (None at the top)."""
        out: list[_Line] = []
        upcoming = [None] * len(items)  # the first entry (not comment) at or after each item
        entry = None
        for index in reversed(range(len(items))):
            if not isinstance(items[index].node, syntax.Comment):
                entry = items[index].node
            upcoming[index] = entry
        previous = None
        for index, item in enumerate(items):
            if previous is not None and self._blank_between(previous, item, upcoming[index]):
                out.append(_Line(depth, "", (), group))
            out += self.item(item, depth, group, width, closing)
            previous = item
        return out

    @staticmethod
    def _blank_between(previous: _Item, item: _Item, entry) -> bool:
        """`entry`: the first entry from `item` on, past any comments."""
        if item.start - previous.end > 1:
            return True  # the user left a blank line: keep one
        if isinstance(previous.node, syntax.Comment):
            return False  # comments stay with the entry they precede
        return isinstance(previous.node, syntax.Block) or isinstance(entry, syntax.Block)

    def item(self, item: _Item, depth: int, group: int, width: int, closing: int | None) -> list[_Line]:
        node = item.node
        if isinstance(node, syntax.Comment):
            return [_Line(depth, node.text, (), group)]
        if isinstance(node, syntax.Attribute):
            code = f"{node.key.ljust(width)} = {value_text(node.value)}"
            return [_Line(depth, code, (node.span.end_line,), group)]
        return self.block(node, depth, group, closing)

    def block(self, block: syntax.Block, depth: int, outer_group: int, closing: int | None) -> list[_Line]:
        head = f"{block.kind} {block.name}" if block.name else block.kind
        first, last = block.span.line, block.span.end_line
        items = self.items(block.entries, first, last)
        # An empty block stays open over two lines only to keep a comment on each of
        # them; a comment after `}}` belongs to the enclosing block's `}` instead.
        own_closing_comment = last in self.trailing and last != closing
        if not items and not (first != last and first in self.trailing and own_closing_comment):
            return [_Line(depth, head + " {}", (first, last), outer_group)]
        width = max((len(a.key) for a in block.attributes), default=0)
        inner = self.body(items, depth + 1, self.new_group(), width, last)
        return [_Line(depth, head + " {", (first,), outer_group), *inner,
                _Line(depth, "}", (last,), outer_group)]

    def document(self, tree: syntax.SyntaxTree) -> list[_Line]:
        items = self.items(tree.blocks, 0, float("inf"))
        lines = self.body(items, 0, self.new_group(), 0, None)
        owner = {}  # source line -> the last printed line anchoring its trailing comment
        for line in lines:
            for anchor in line.anchors:
                owner[anchor] = line
        for line_number, comment in self.trailing.items():
            owner[line_number].comment = comment.text
        return lines


def _print(tree: syntax.SyntaxTree, text: str) -> str:
    lines = _Printer(tree, text).document(tree)
    columns: dict[int, int] = {}
    for line in lines:
        if line.comment is not None:
            width = len(INDENT * line.depth + line.code) + 2
            columns[line.group] = max(columns.get(line.group, COMMENT_COLUMN), width)
    out = []
    for line in lines:
        code = INDENT * line.depth + line.code if line.code else ""
        if line.comment is not None:
            code = code.ljust(columns[line.group]) + line.comment
        out.append(code)
    return "".join(line + "\n" for line in out)


def value_text(value) -> str:
    """A value in canonical spelling."""
    if isinstance(value, syntax.Quantity):
        unit = f" {value.unit}" if value.unit else ""
        return f"{number_text(value.number.text)}{value.suffix or ''}{unit}"
    if isinstance(value, syntax.Range):
        unit = f" {value.unit}" if value.unit else ""
        return f"{number_text(value.low.text)} .. {number_text(value.high.text)}{unit}"
    if isinstance(value, syntax.Pair):
        return f"{value.base}/{value.quote}"
    if isinstance(value, syntax.Tagged):
        return f"{value.tag} {value_text(value.quantity)}"
    if isinstance(value, syntax.Ident):
        return value.name
    if isinstance(value, syntax.String):
        return value.text
    if isinstance(value, syntax.ListValue):
        return "[" + ", ".join(value_text(v) for v in value.items) + "]"
    raise AssertionError(f"unhandled value {type(value).__name__}")


def number_text(text: str) -> str:
    """`+3` -> `3`, `1.50` -> `1.5`, `007` -> `7`, `1E+03` -> `1e3`; the value is unchanged.

    A number with more digits than hedgec accepts is left as written, so the
    error it earns is not hidden by dropping its trailing zeros."""
    if len(Decimal(text).as_tuple().digits) > MAX_DIGITS:
        return text
    mantissa, _, exponent = text.lower().partition("e")
    sign = "-" if mantissa.startswith("-") else ""
    whole, _, fraction = mantissa.lstrip("+-").partition(".")
    whole, fraction = whole.lstrip("0") or "0", fraction.rstrip("0")
    out = sign + whole + (f".{fraction}" if fraction else "")
    if exponent:
        exp_sign = "-" if exponent.startswith("-") else ""
        digits = exponent.lstrip("+-").lstrip("0") or "0"
        out += "e" + (exp_sign if digits != "0" else "") + digits
    return out


# ---- the safety check ------------------------------------------------------

def _check_same_meaning(tree: syntax.SyntaxTree, formatted: str, path: str) -> None:
    try:
        again = syntax.parse(formatted, path)
    except syntax.ParseError as err:
        raise FormatError(f"formatting {path} would make it unparsable ({err.message}); "
                          f"the file is left as it is") from None
    if meaning(tree, path) != meaning(again, path):
        raise FormatError(f"formatting {path} would change what it means; the file is left as it is")
    if [c.text for c in tree.comments] != [c.text for c in again.comments]:
        raise FormatError(f"formatting {path} would lose or reorder a comment; the file is left as it is")


def meaning(tree: syntax.SyntaxTree, path: str):
    """What a tree says, without layout: its lowered IR, the codes of the problems
    lowering finds, and the tree itself with spans dropped and numbers as values."""
    strategy, problems = lower(tree, path)
    return strategy, sorted(d.code for d in problems), tuple(_shape(b) for b in tree.blocks)


def _shape(node):
    if isinstance(node, syntax.Block):
        return ("block", node.kind, node.name, tuple(_shape(e) for e in node.entries))
    if isinstance(node, syntax.Attribute):
        return ("attr", node.key, _shape(node.value))
    if isinstance(node, syntax.Number):
        value = Decimal(node.text)
        return (value.is_signed(), value)
    if isinstance(node, syntax.Quantity):
        return ("quantity", _shape(node.number), node.suffix, node.unit)
    if isinstance(node, syntax.Range):
        return ("range", _shape(node.low), _shape(node.high), node.unit)
    if isinstance(node, syntax.Tagged):
        return ("tagged", node.tag, _shape(node.quantity))
    if isinstance(node, syntax.ListValue):
        return ("list", tuple(_shape(v) for v in node.items))
    return (type(node).__name__, value_text(node))
