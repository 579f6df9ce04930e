"""The registry of diagnostic codes, checks and thresholds.

Codes and checks live beside the code that emits them, in packs (one per
module); this module lists the packs and builds the registry once, when it is
first asked for. Importing a module never registers anything. Each check
declares the codes it may emit and the thresholds it reads, so selection can
skip a check none of whose codes is wanted and settings can be checked
against the thresholds that exist.
"""
from __future__ import annotations

import functools
import importlib
from typing import Callable, Iterable, Mapping

from hedgec.record import record

from .diagnostics import Rule, Severity
from .schema import Domain

# Modules holding a `PACK`, in the order their checks run.
PACK_MODULES = ("codes", "rules.sizing", "rules.margin", "rules.carry", "rules.cover", "rules.wallet",
                "rules.assumptions", "rules.options", "rules.lending")


@record
class Threshold:
    name: str
    default: float
    doc: str
    domain: Domain  # the values a settings file may give it
    at_most: str | None = None  # another threshold it may not exceed


@record
class Check:
    run: Callable  # (rules.Context) -> iterable of diagnostics
    codes: tuple[str, ...]
    thresholds: tuple[str, ...] = ()


class Pack:
    """The codes, checks and thresholds of one module."""

    def __init__(self, group: str):
        self.group = group
        self.rules: list[Rule] = []
        self.checks: list[Check] = []
        self.thresholds: list[Threshold] = []

    def rule(self, code: str, name: str, severity: str, summary: str, explain: str, group: str | None = None):
        self.rules.append(Rule(code, name, Severity(severity), summary, explain.strip(), group or self.group))

    def threshold(self, name: str, default: float, doc: str, domain: Domain, at_most: str | None = None) -> None:
        if domain.problem(default) is not None:
            raise ValueError(f"threshold {name}: the default {default:g} is not {domain.describe()}")
        self.thresholds.append(Threshold(name, default, doc, domain, at_most))

    def check(self, *codes: str, thresholds: Iterable[str] = ()):
        """Declare a check function with the codes it may emit and the thresholds it reads."""
        def declare(function: Callable) -> Callable:
            self.checks.append(Check(function, codes, tuple(thresholds)))
            return function
        return declare


# Codes of these groups say the input cannot be compiled: always reported,
# never deselected or silenced.
BLOCKING_GROUPS = frozenset({"input", "structure"})


@record
class Registry:
    rules: Mapping[str, Rule]
    checks: tuple[Check, ...]
    thresholds: Mapping[str, Threshold]

    @property
    def selectable(self) -> frozenset[str]:
        """Codes that `select`, `ignore` and suppression comments apply to."""
        return frozenset(c for c, r in self.rules.items() if r.group not in BLOCKING_GROUPS)


@functools.cache
def registry() -> Registry:
    packs = [importlib.import_module(f"{__package__}.{name}").PACK for name in PACK_MODULES]
    rules: dict[str, Rule] = {}
    thresholds: dict[str, Threshold] = {}
    for pack in packs:
        for rule in pack.rules:
            if rule.code in rules:
                raise ValueError(f"rule code {rule.code} declared twice")
            rules[rule.code] = rule
        for t in pack.thresholds:
            thresholds.setdefault(t.name, t)
    from .kinds import KINDS

    for kind in KINDS.values():
        for t in kind.checklist.thresholds:
            thresholds.setdefault(t.name, t)
    from .config import register_threshold

    for t in thresholds.values():
        register_threshold(t.name, t.default, t.doc, t.domain, t.at_most)
    checks = tuple(c for pack in packs for c in pack.checks)
    for check in checks:
        unknown = [c for c in check.codes if c not in rules] + \
                  [t for t in check.thresholds if t not in thresholds]
        if unknown:
            raise ValueError(f"check {check.run.__name__} declares unknown {', '.join(unknown)}")
    return Registry(dict(sorted(rules.items())), checks, thresholds)


def rules() -> Mapping[str, Rule]:
    return registry().rules
