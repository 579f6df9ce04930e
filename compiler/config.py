"""Settings from `[tool.hedgec]` in pyproject.toml or a hedgec.toml, found
upward from the checked file, like ruff."""
from __future__ import annotations

import functools
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Mapping

# Thresholds rules read by name; each is documented in `hedgec explain`.
DEFAULT_THRESHOLDS: dict[str, float] = {
    "max-file-bytes": 1_048_576,
}
THRESHOLD_DOCS: dict[str, str] = {
    "max-file-bytes": "largest strategy file read, in bytes (H004)",
}


class ConfigError(Exception):
    def __init__(self, file: str, message: str):
        super().__init__(f"{file}: {message}")
        self.file, self.message = file, message


@dataclass(frozen=True)
class Config:
    thresholds: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_THRESHOLDS))
    select: tuple[str, ...] = ()  # empty: every rule
    ignore: tuple[str, ...] = ()
    catalogs: tuple[str, ...] = ()  # overlay catalog files
    file: str | None = None  # where the settings came from

    def threshold(self, name: str) -> float:
        # A Config built before a rule module registered its threshold still answers.
        return self.thresholds.get(name, DEFAULT_THRESHOLDS[name])

    def enabled(self, code: str) -> bool:
        if any(code.startswith(p) for p in self.ignore):
            return False
        return not self.select or any(code.startswith(p) for p in self.select)

    def with_thresholds(self, **values: float) -> "Config":
        return replace(self, thresholds={**self.thresholds, **values})


def register_threshold(name: str, default: float, doc: str = "") -> None:
    """Rules declare their thresholds here so configuration can be checked."""
    DEFAULT_THRESHOLDS.setdefault(name, default)
    THRESHOLD_DOCS.setdefault(name, doc)


def find_config_file(start: Path) -> Path | None:
    folder = start if start.is_dir() else start.parent
    return _settings_above(folder.resolve())


@functools.lru_cache(maxsize=256)
def _settings_above(folder: Path) -> Path | None:
    """The nearest settings file in `folder` or above; cached per folder, since
    checking a tree asks the same question for every file in it."""
    for name in ("hedgec.toml", "pyproject.toml"):
        path = folder / name
        if path.is_file() and (name == "hedgec.toml" or _has_section(path)):
            return path
    return None if folder.parent == folder else _settings_above(folder.parent)


def _has_section(path: Path) -> bool:
    import tomllib  # only when a settings file is found: start-up of `check` stays light

    try:
        return "hedgec" in tomllib.loads(path.read_text("utf-8")).get("tool", {})
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False


@functools.lru_cache(maxsize=64)
def load_config(path: Path | None) -> Config:
    """The settings in `path` (a pyproject.toml or hedgec.toml), or defaults."""
    if path is None:
        return Config()
    import tomllib

    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise ConfigError(str(path), f"cannot read settings: {err}") from None
    table = data.get("tool", {}).get("hedgec", {}) if path.name == "pyproject.toml" else data
    return config_from_table(table, str(path))


def config_from_table(table: dict, file: str) -> Config:
    from . import rules  # noqa: F401  (the rules register the thresholds a table may set)

    thresholds = dict(DEFAULT_THRESHOLDS)
    for name, value in table.get("thresholds", {}).items():
        if name not in thresholds:
            import difflib

            close = difflib.get_close_matches(name, thresholds, n=1)
            raise ConfigError(file, f"unknown threshold `{name}`" + (f"; did you mean `{close[0]}`?" if close else ""))
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(file, f"threshold `{name}` must be a number, not {value!r}")
        thresholds[name] = float(value)
    lists = {}
    for key in ("select", "ignore", "catalogs"):
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(file, f"`{key}` must be a list of strings")
        lists[key] = tuple(value)
    base = Path(file).parent
    catalogs = tuple(str((base / c).resolve()) for c in lists["catalogs"])
    return Config(thresholds, lists["select"], lists["ignore"], catalogs, file)
