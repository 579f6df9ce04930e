"""Untrusted text (a strategy's title, names, paths) made safe to show.

Strategy files come from other people's pull requests. Printed raw, an ANSI
escape in a title recolours or rewrites what a reviewer sees in a terminal, a
newline injects a list item into Markdown, and HTML in a title is rendered by
a PR comment. Every human output passes such text through `terminal` (text
for a terminal) or the `markdown_*` functions (Markdown).
"""
from __future__ import annotations

import re

# C0 controls but the tab, DEL and C1 controls, and the Unicode controls that
# reorder or break lines as displayed (bidi overrides and isolates, separators).
_OTHER_CONTROLS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
_CONTROL = re.compile(f"[\n\r{_OTHER_CONTROLS}]")
_CONTROL_BUT_LINES = re.compile(f"[{_OTHER_CONTROLS}]")

# Markdown-significant characters, escaped with a backslash (CommonMark allows
# one before any ASCII punctuation). `_` is escaped only where it can start or
# end emphasis, so `uniswap_v2` stays as written.
_MARKDOWN = re.compile(r"[\\`*\[\]<>&|~#!]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")
_CODE_SPAN = re.compile(r"(`[^`\n]*`)")


def _shown(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal(text: str, lines: bool = False) -> str:
    """`text` with control characters shown as escapes (`\\x1b`, `\\x0a`, `\\u202e`), so
    it prints as what it is on one line. Tabs stay; so do CR and LF with `lines`,
    for an output that encodes them itself (GitHub annotations)."""
    return (_CONTROL_BUT_LINES if lines else _CONTROL).sub(_shown, text)


def markdown_text(text: str) -> str:
    """Untrusted text as literal Markdown inline text: no markup, no HTML, no new line."""
    return terminal(_MARKDOWN.sub(lambda m: "\\" + m.group(), text))


def markdown_code(text: str) -> str:
    """`text` as one code span, whatever backticks it holds (names, file paths)."""
    text = terminal(text)
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def markdown_prose(text: str) -> str:
    """A sentence hedgec wrote around names (`Open the \\`main\\` wallet on ethereum`):
    its code spans kept, the text between them escaped."""
    parts = _CODE_SPAN.split(text)
    return "".join(terminal(part) if i % 2 else markdown_text(part) for i, part in enumerate(parts))


def markdown_cell(text: str) -> str:
    """Prose for a GFM table cell: a `|` splits cells even inside a code span unless escaped."""
    return re.sub(r"(?<!\\)\|", r"\\|", markdown_prose(text))
