"""The per-user cache: the parse table and the validated bundled catalog, as JSON.

`$XDG_CACHE_HOME/hedgec`, or `~/.cache/hedgec`. Where it cannot be made,
nothing is cached (never a shared temporary folder, where another user could
leave an entry for hedgec, or lark, to load). An entry that cannot be read or
written is simply built again the next time.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any


def folder() -> Path | None:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    path = Path(base) / "hedgec"
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return path if path.is_dir() else None


def load_json(name: str) -> Any | None:
    """The entry `name`, or None: no cache folder, no entry, or not JSON."""
    import json

    where = folder()
    if where is None:
        return None
    try:
        return json.loads((where / name).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def store_json(name: str, data: Any) -> None:
    """Keep `data` as the entry `name`, written atomically; nothing where it cannot be."""
    import json

    from .atomic import WriteError, write_text

    where = folder()
    if where is not None:
        try:
            write_text(where / name, json.dumps(data, sort_keys=True))
        except WriteError:
            pass
