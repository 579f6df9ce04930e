"""The bundled catalog (cached once validated) and overlays merged over it."""
from __future__ import annotations

import copy
import functools
from pathlib import Path
from typing import Any, Sequence

from .files import _PACKAGE, _SCHEMA_NAME, _parse_yaml, _read_text, _validate, _validators

BUNDLED_NAME = "bundled.yaml"


@functools.lru_cache(maxsize=None)
def _bundled() -> tuple[str, dict]:
    from importlib import resources

    from hedgec import cache

    res = resources.files(_PACKAGE).joinpath(BUNDLED_NAME)
    file = str(res)
    text = res.read_text(encoding="utf-8")
    name = _validated_entry(text)
    data = cache.load_json(name)
    if isinstance(data, dict):
        return file, data
    data = _parse_yaml(text, file)
    full, _ = _validators()
    _validate(full, data, lambda _p: file)
    cache.store_json(name, data)
    return file, data


def _validated_entry(text: str) -> str:
    """The cache entry of the bundled catalog, once parsed and validated.

    Keyed by the catalog text, the schema and hedgec's version, so an edit to
    either is validated afresh; start-up then skips ruamel.yaml and jsonschema.
    """
    import hashlib
    from importlib import resources

    from hedgec import __version__

    schema = resources.files(_PACKAGE).joinpath(_SCHEMA_NAME).read_text(encoding="utf-8")
    digest = hashlib.sha256("\0".join((text, schema, __version__)).encode()).hexdigest()[:20]
    return f"catalog-{digest}.json"


def _load_overlay(path: str | Path) -> tuple[str, dict]:
    file = str(path)
    data = _parse_yaml(_read_text(Path(path), file), file)
    _, overlay = _validators()
    _validate(overlay, data, lambda _p: file)
    return file, data


def _merge(base: dict, over: dict, index: int, origin: dict, prefix: tuple) -> None:
    """Merge ``over`` into ``base`` in place; record which file set each path."""
    for key, value in over.items():
        path = prefix + (key,)
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _merge(base[key], value, index, origin, path)
        else:
            _forget_below(base.get(key), path, origin)
            base[key] = copy.deepcopy(value)
            origin[path] = index


def _forget_below(old: Any, path: tuple, origin: dict) -> None:
    """Drop the records below `path` of the subtree `old` being replaced: the
    whole subtree is new. Walks `old`, so each key costs once, not once per key."""
    if isinstance(old, dict):
        for key, value in old.items():
            below = path + (key,)
            origin.pop(below, None)
            _forget_below(value, below, origin)


class _Origins:
    """Which file set a given path of the merged data."""

    def __init__(self, files: tuple[str, ...], origin: dict):
        self.files = files
        self.origin = origin

    def index(self, path: Sequence[Any]) -> int:
        path = tuple(path)
        while path:
            if path in self.origin:
                return self.origin[path]
            path = path[:-1]
        return 0

    def file(self, path: Sequence[Any]) -> str:
        return self.files[self.index(path)]

    def latest(self, *paths: Sequence[Any]) -> tuple[str, tuple]:
        """The file and path, among ``paths``, that was set last (ties: last listed)."""
        best = max(range(len(paths)), key=lambda i: (self.index(paths[i]), i))
        return self.files[self.index(paths[best])], tuple(paths[best])
