"""Hypothesis strategies that write hedge source: valid files in messy
layouts (for the formatter) and raw token soups (for the fuzz tests)."""
from __future__ import annotations

from pathlib import Path

from hypothesis import strategies as st

SPECS = Path(__file__).resolve().parent.parent / "specs"
SPEC_TEXTS = {p.name: p.read_text("utf-8") for p in sorted(SPECS.glob("*.hedge"))}

KINDS = ["strategy", "assume", "wallet", "pool", "perp", "cover", "monitor"]
WORDS = ["lp", "hedge", "main", "USDC", "ETH", "ETH-USD", "dydx", "uniswap_v3", "market", "self", "apr",
         "gwei", "x", "d", "e", "venue", "from", "horizon", "price"]
KEYS = ["horizon", "base", "venue", "pair", "deposit", "collateral", "leverage", "order", "from",
        "price.ETH", "vol.ETH", "funding.ETH-USD", "gas_price", "ratio", "title", "range", "unknown_key"]

spaces = st.sampled_from([" ", "  ", "\t", "   "])
optional_spaces = st.sampled_from(["", " ", "  ", "\t"])
comment_text = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\n\r"),
                       max_size=12).map(lambda t: "#" + t.rstrip())


@st.composite
def number_text(draw) -> str:
    sign = draw(st.sampled_from(["", "", "+", "-"]))
    whole = draw(st.sampled_from(["0", "00", "1", "3", "007", "20000", "2400", "35", "10"]))
    fraction = draw(st.sampled_from(["", "", ".5", ".50", ".0", ".25", ".000"]))
    exponent = draw(st.sampled_from(["", "", "", "e3", "E+2", "e-01", "e0"]))
    return sign + whole + fraction + exponent


@st.composite
def value_text(draw, depth: int = 0) -> str:
    kind = draw(st.sampled_from(["quantity", "quantity", "range", "pair", "tagged", "ident", "string", "list"]))
    if kind == "quantity":
        return draw(quantity_text())
    if kind == "range":
        unit = draw(st.sampled_from(["", " USDC"]))
        return f"{draw(number_text())}{draw(optional_spaces)}..{draw(optional_spaces)}{draw(number_text())}{unit}"
    if kind == "pair":
        return f"{draw(st.sampled_from(WORDS))}{draw(optional_spaces)}/{draw(optional_spaces)}{draw(st.sampled_from(WORDS))}"
    if kind == "tagged":
        return f"{draw(st.sampled_from(['limit', 'at']))}{draw(spaces)}{draw(quantity_text())}"
    if kind == "ident":
        return draw(st.sampled_from(WORDS))
    if kind == "string":
        return draw(st.sampled_from(['"ETH hedge"', '""', '"a \\"quoted\\" # not a comment"']))
    if depth > 1:
        return "[]"
    items = draw(st.lists(value_text(depth + 1), max_size=3))
    return "[" + ",".join(f"{draw(optional_spaces)}{item}" for item in items) + "]"


@st.composite
def quantity_text(draw) -> str:
    number = draw(number_text())
    suffix = draw(st.sampled_from(["", "", "x", "%", "d", "h"]))
    unit = draw(st.sampled_from(["", "", " USDC", " apr", " gwei", "  ETH"]))
    return number + suffix + unit


@st.composite
def line_break(draw, indent: str) -> str:
    """The end of a line (maybe with a trailing comment), then blank lines and
    own-line comments, then the indentation of what follows."""
    out = draw(st.sampled_from(["", "", f"{draw(spaces)}{draw(comment_text)}"])) + "\n"
    for _ in range(draw(st.integers(0, 2))):
        out += draw(st.sampled_from(["\n", f"{indent}{draw(comment_text)}\n", f"  {draw(comment_text)}\n"]))
    return out + draw(st.sampled_from([indent, indent + " ", ""]))


@st.composite
def block_text(draw, depth: int = 0, kind: str | None = None) -> str:
    kind = kind or draw(st.sampled_from(KINDS))
    name = draw(st.sampled_from(["", " lp", " hedge", " main", "  w1"]))
    indent = "  " * (depth + 1)
    entries = []
    for _ in range(draw(st.integers(0, 4))):
        if depth < 2 and draw(st.integers(0, 4)) == 0:
            entries.append(draw(block_text(depth + 1)))
        else:
            key = draw(st.sampled_from(KEYS))
            entries.append(f"{key}{draw(optional_spaces)}={draw(optional_spaces)}{draw(value_text())}")
    body = ""
    for index, entry in enumerate(entries):
        if index or draw(st.booleans()):
            body += draw(line_break(indent))
        else:
            body += draw(optional_spaces)
        body += entry
    if entries and draw(st.booleans()):
        body += draw(line_break("  " * depth))
    elif not entries and draw(st.booleans()):
        body += draw(line_break("  " * depth))
    return f"{kind}{name}{draw(spaces)}{{{body}{draw(optional_spaces)}}}"


@st.composite
def hedge_source(draw) -> str:
    """A file the parser accepts, in a random layout, with random comments."""
    head = "".join(draw(st.lists(st.sampled_from(["\n", f"{draw(comment_text)}\n"]), max_size=3)))
    blocks = [draw(block_text(0, "strategy"))]
    if draw(st.integers(0, 5)) == 0:
        blocks.append(draw(block_text(0)))
    tail = draw(st.sampled_from(["", "\n", f"  {draw(comment_text)}\n", "\n\n"]))
    return head + "\n".join(blocks) + tail


TOKENS = ["strategy", "pool", "perp", "lp", "{", "}", "=", "\n", " ", "20000", "USDC", "2.5x", "15%", "8%",
          "apr", "90d", "..", "/", "ETH", "[", "]", ",", '"s"', '"', "#", "# c\n", "-", "+", ".", "1e9",
          "price.ETH", "limit", "\t", "\r\n", "'", ":", ";", "é", "\u2028", "\x0c", "99999999999999999999"]
token_soup = st.lists(st.sampled_from(TOKENS), max_size=60).map("".join)


@st.composite
def mutated_spec(draw) -> str:
    """A bundled example with a few characters deleted, inserted or swapped."""
    text = draw(st.sampled_from(sorted(SPEC_TEXTS.values())))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["delete", "insert", "duplicate"]))
        if action == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 8)):]
        elif action == "insert":
            text = text[:at] + draw(st.sampled_from(TOKENS)) + text[at:]
        else:
            line = draw(st.sampled_from(text.split("\n")))
            text = text[:at] + line + "\n" + text[at:]
    return text
