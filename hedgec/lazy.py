"""A module imported on first use.

`hedgec check` of a strategy without options or loans needs no numpy, and
importing numpy is a third of a small file's check; the formula modules the
compiler shares with the simulator hold `np = LazyModule("numpy")` instead.
"""
from __future__ import annotations

import importlib


class LazyModule:
    def __init__(self, name: str):
        self._name = name

    def __getattr__(self, attr: str):
        value = getattr(importlib.import_module(self._name), attr)
        self.__dict__[attr] = value  # later lookups skip this method
        return value

    def __repr__(self) -> str:
        return f"<module {self._name!r}, imported on first use>"
