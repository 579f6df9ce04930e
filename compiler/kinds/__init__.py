"""The registry of block kinds: each declared once, in its own module.

The built-in kinds are listed here, explicitly; `registered()` adds one for
a while (tests, extensions). Nothing registers itself on import.
"""
from __future__ import annotations

import functools
from contextlib import contextmanager
from typing import Iterator

from . import borrow, cover, option, perp, pool, wallet
from .base import FROM, Checklist, Drawing, Kind, Reference

__all__ = ["KINDS", "Kind", "Reference", "Checklist", "Drawing", "FROM", "kind_of", "allowed", "registered"]

# Registry order is the order of blocks in the IR, of JSON figures and of checklist phases.
KINDS: dict[str, Kind] = {k.name: k for k in (wallet.KIND, pool.KIND, perp.KIND, option.KIND, borrow.KIND,
                                               cover.KIND)}


def kind_of(block) -> Kind:
    return KINDS[block.kind]


@functools.lru_cache(maxsize=None)  # asked per reference; cleared when the registry changes
def allowed(targets: tuple[str, ...]) -> tuple[str, ...]:
    """The kinds a reference may name: `leg` stands for every leg kind and
    `funds` for every kind that holds funds at a venue."""
    out: list[str] = []
    for target in targets:
        if target == "leg":
            out += [k.name for k in KINDS.values() if k.is_leg]
        elif target == "funds":
            out += [k.name for k in KINDS.values() if k.holds_funds]
        else:
            out.append(target)
    return tuple(dict.fromkeys(out))


@contextmanager
def registered(kind: Kind) -> Iterator[Kind]:
    """Register `kind` for the duration of a `with` block."""
    if kind.name in KINDS:
        raise ValueError(f"a kind `{kind.name}` is already registered")
    KINDS[kind.name] = kind
    allowed.cache_clear()
    try:
        yield kind
    finally:
        del KINDS[kind.name]
        allowed.cache_clear()
