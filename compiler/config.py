"""Settings from `[tool.hedgec]` in pyproject.toml or a hedgec.toml, found
upward from the checked file, like ruff. A hedgec.toml may also hold the same
keys at its top level. Every key and value is checked: a typo or a value that
is not a finite number is an error, never silently ignored."""
from __future__ import annotations

import functools
import math
from dataclasses import field, replace
from pathlib import Path
from typing import Mapping

from hedgec.record import record

from .schema import Domain

# The values thresholds may take: the rule packs (compiler/registry.py) and the
# kinds' checklists (compiler/kinds/) declare each of theirs with one of these.
FRACTION = Domain(low=0.0, high=1.0, high_open=True)  # a tolerance: 0 (none) up to, not including, 100%
CHANCE = Domain(low=0.0, low_open=True, high=1.0)
BETWEEN_ENDS = Domain(low=0.0, low_open=True, high=1.0, high_open=True)  # a point strictly between two prices
COUNT = Domain(low=0.0, high=1000.0, whole=True)
BYTES = Domain(low=1.0, high=2.0 ** 31, whole=True)
ABOVE_ONE = Domain(low=1.0, low_open=True, high=100.0)  # a health factor, a price multiple
LEVERAGE = Domain(low=1.0, high=1000.0)

# Thresholds rules read by name; each is documented in `hedgec explain`.
DEFAULT_THRESHOLDS: dict[str, float] = {
    "max-file-bytes": 1_048_576,
}
THRESHOLD_DOCS: dict[str, str] = {
    "max-file-bytes": "largest strategy file read, in bytes (H004)",
}
THRESHOLD_DOMAINS: dict[str, Domain] = {
    "max-file-bytes": BYTES,
}
THRESHOLD_AT_MOST: dict[str, str] = {}  # threshold -> the threshold it may not exceed


SETTINGS_KEYS = ("select", "ignore", "thresholds", "catalogs")


class ConfigError(Exception):
    def __init__(self, file: str, message: str):
        super().__init__(f"{file}: {message}")
        self.file, self.message = file, message


@record
class Config:
    thresholds: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_THRESHOLDS))
    select: tuple[str, ...] = ()  # empty: every rule
    ignore: tuple[str, ...] = ()
    catalogs: tuple[str, ...] = ()  # overlay catalog files
    file: str | None = None  # where the settings came from

    def threshold(self, name: str) -> float:
        return self.thresholds[name] if name in self.thresholds else declared_thresholds()[name]

    def enabled(self, code: str) -> bool:
        if any(code.startswith(p) for p in self.ignore):
            return False
        return not self.select or any(code.startswith(p) for p in self.select)

    def with_thresholds(self, **values: float) -> "Config":
        """These thresholds changed; ValueError for one that does not exist or
        a value outside its domain, as in a settings file."""
        thresholds = {**self.thresholds, **values}
        problem = thresholds_problem(values, thresholds)
        if problem is not None:
            raise ValueError(problem)
        return replace(self, thresholds=thresholds)


def declared_thresholds() -> Mapping[str, float]:
    """Every threshold, at its default. The rule packs and the kinds declare
    theirs when the registry is built (compiler/registry.py): this builds it
    first, so no reader sees only the few this module declares itself."""
    from .registry import registry

    registry()
    return DEFAULT_THRESHOLDS


def register_threshold(name: str, default: float, doc: str, domain: Domain, at_most: str | None = None) -> None:
    """Rules declare their thresholds here so configuration can be checked."""
    DEFAULT_THRESHOLDS.setdefault(name, default)
    THRESHOLD_DOCS.setdefault(name, doc)
    THRESHOLD_DOMAINS.setdefault(name, domain)
    if at_most is not None:
        THRESHOLD_AT_MOST.setdefault(name, at_most)


def threshold_values(name: str) -> str:
    """What a threshold may be set to, in words: `above 0, below 1, at most `perp-act-share``."""
    values = THRESHOLD_DOMAINS[name].describe()
    return values + (f", at most `{THRESHOLD_AT_MOST[name]}`" if name in THRESHOLD_AT_MOST else "")


def thresholds_problem(given: Mapping, thresholds: Mapping[str, float]) -> str | None:
    """What is wrong with the thresholds `given`, set in `thresholds` (the
    whole table, defaults included), or None: an unknown name, a value that
    is not a finite number or lies outside its domain, or a pair out of order."""
    known = declared_thresholds()
    for name, value in given.items():
        if name not in known:
            return f"unknown threshold `{name}`" + _did_you_mean(name, known)
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            return f"threshold `{name}` must be a finite number, not {value!r}"
        domain = THRESHOLD_DOMAINS[name]
        problem = domain.problem(value)
        if problem is not None:
            bounds = {"low": f"{domain.low:,.15g}", "high": f"{domain.high:,.15g}"}
            return f"threshold `{name}` {problem.format(**bounds)}, not {value:,.15g}"
    for name, limit in sorted(THRESHOLD_AT_MOST.items()):
        if (name in given or limit in given) and thresholds[name] > thresholds[limit]:
            return (f"threshold `{name}` ({thresholds[name]:g}) must not be above `{limit}` "
                    f"({thresholds[limit]:g})")
    return None


def find_config_file(start: Path) -> Path | None:
    folder = start if start.is_dir() else start.parent
    return _settings_above(folder.resolve())


def forget_settings_files() -> None:
    """Look for settings files and read them afresh: a process that runs on
    while they are added, removed and edited (the language server, a Python
    session) calls this before each check. (load_config also reads a file
    again once its modification time or size changes, but a file system's
    clock may tick only every few milliseconds.)"""
    _settings_above.cache_clear()
    _read_config.cache_clear()


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
    """True also for a pyproject.toml that cannot be read: loading it then says
    why, rather than checking with default settings the user did not ask for."""
    import tomllib  # only where a settings file is (2 ms of a small file's check)

    try:
        return "hedgec" in tomllib.loads(path.read_text("utf-8")).get("tool", {})
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return True


def load_config(path: Path | None) -> Config:
    """The settings in `path` (a pyproject.toml or hedgec.toml), or defaults;
    read once per version of the file (its modification time and size)."""
    if path is None:
        return Config()
    return _read_config(path, file_version(path))  # a file that cannot be read: reading it says why


def file_version(path) -> tuple[int, int] | None:
    """A file's modification time and size, which change when it is edited;
    None where it cannot be read."""
    import os

    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


@functools.lru_cache(maxsize=64)
def _read_config(path: Path, version) -> Config:
    import tomllib

    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise ConfigError(str(path), f"cannot read settings: {err}") from None
    return config_from_table(_settings_table(data, path), str(path))


def _settings_table(data: dict, path: Path) -> dict:
    """`[tool.hedgec]` in either file; in any file but pyproject.toml, the top level too."""
    tool = data.get("tool")
    if path.name == "pyproject.toml":
        table = tool.get("hedgec", {}) if isinstance(tool, dict) else {}
    elif tool is None:
        table = data
    elif set(data) != {"tool"} or not isinstance(tool, dict) or set(tool) != {"hedgec"}:
        raise ConfigError(str(path), "settings go either under [tool.hedgec] or at the top level of "
                                     f"{path.name}, not both, and no other [tool.*] table belongs there")
    else:
        table = tool["hedgec"]
    if not isinstance(table, dict):
        raise ConfigError(str(path), "`tool.hedgec` must be a table")
    return table


def config_from_table(table: dict, file: str) -> Config:
    for key in table:
        if key not in SETTINGS_KEYS:
            raise ConfigError(file, f"unknown setting `{key}`" + _did_you_mean(key, SETTINGS_KEYS))
    given = table.get("thresholds", {})
    if not isinstance(given, dict):
        raise ConfigError(file, f"`thresholds` must be a table of numbers ([tool.hedgec.thresholds]), not {given!r}")
    thresholds = dict(declared_thresholds())
    thresholds.update((name, value) for name, value in given.items() if name in thresholds)
    problem = thresholds_problem(given, thresholds)
    if problem is not None:
        raise ConfigError(file, problem)
    thresholds = {name: float(value) for name, value in thresholds.items()}
    lists = {}
    for key in ("select", "ignore", "catalogs"):
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(file, f"`{key}` must be a list of strings")
        lists[key] = tuple(value)
    for key in ("select", "ignore"):
        try:
            check_codes(lists[key])
        except ValueError as err:
            raise ConfigError(file, f"`{key}`: {err}") from None
    base = Path(file).parent
    catalogs = tuple(str((base / c).resolve()) for c in lists["catalogs"])
    return Config(thresholds, lists["select"], lists["ignore"], catalogs, file)


def check_codes(prefixes) -> None:
    """Each of `select` / `ignore` must name at least one code (`H3`, `H301`)."""
    from .registry import rules

    RULES = rules()

    for prefix in prefixes:
        if not any(code.startswith(prefix) for code in RULES):
            raise ValueError(f"`{prefix}` matches no hedgec rule code" + _did_you_mean(prefix, RULES))


def _did_you_mean(word: str, choices) -> str:
    from .diagnostics import did_you_mean

    hint = did_you_mean(word, choices)
    return f"; {hint}" if hint else ""
