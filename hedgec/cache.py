"""The per-user cache folder: the parse table and the validated bundled catalog.

`$XDG_CACHE_HOME/hedgec`, or `~/.cache/hedgec`. Where it cannot be made,
nothing is cached (never a shared temporary folder, where another user could
leave an entry for hedgec, or lark, to load).
"""
from __future__ import annotations

import os
from pathlib import Path


def folder() -> Path | None:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    path = Path(base) / "hedgec"
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return path if path.is_dir() else None
