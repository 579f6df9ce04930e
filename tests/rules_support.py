"""Small strategies for rule tests: an example with some attributes changed."""
from __future__ import annotations

import re
from pathlib import Path

from hedgec.compiler.config import Config
from hedgec.compiler.pipeline import check_text

SPECS = Path(__file__).resolve().parent.parent / "specs"


def example(name: str = "eth-usdc-v2-neutral") -> str:
    return (SPECS / f"{name}.hedge").read_text("utf-8")


def edit(text: str, block: str, key: str, value: str | None) -> str:
    """Set `key = value` in the block named `block` (`assume` for the assume
    block); value None removes the key."""
    lines = text.split("\n")
    head = re.compile(r"^\s*assume\s*\{" if block == "assume" else rf"^\s*\w+\s+{re.escape(block)}\s*\{{")
    start = next(i for i, line in enumerate(lines) if head.match(line))
    end = next(i for i in range(start + 1, len(lines)) if lines[i].strip() == "}")
    for i in range(start + 1, end):
        if re.match(rf"^\s*{re.escape(key)}\s*=", lines[i]):
            if value is None:
                del lines[i]
            else:
                lines[i] = f"    {key} = {value}"
            return "\n".join(lines)
    if value is not None:
        lines.insert(end, f"    {key} = {value}")
    return "\n".join(lines)


def drop_block(text: str, name: str) -> str:
    lines = text.split("\n")
    head = re.compile(r"^\s*assume\s*\{" if name == "assume" else rf"^\s*\w+\s+{re.escape(name)}\s*\{{")
    start = next(i for i, line in enumerate(lines) if head.match(line))
    end = next(i for i in range(start + 1, len(lines)) if lines[i].strip() == "}")
    return "\n".join(lines[:start] + lines[end + 1:])


def variant(name: str = "eth-usdc-v2-neutral", drop: tuple[str, ...] = (), **changes) -> str:
    """The example with changes given as block__key="value" (None removes)."""
    text = example(name)
    for block in drop:
        text = drop_block(text, block)
    for target, value in changes.items():
        block, key = target.split("__")
        text = edit(text, block, key.replace("_dot_", ".").replace("_dash_", "-"), value)
    return text


def check(text: str, config: Config | None = None):
    return check_text(text, "test.hedge", config or Config())


def codes(result) -> list[str]:
    return sorted(d.code for d in result.diagnostics)


def only(result, code: str):
    found = [d for d in result.diagnostics if d.code == code]
    assert len(found) == 1, [f"{d.code}: {d.message}" for d in result.diagnostics]
    return found[0]
