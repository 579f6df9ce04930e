"""`@record`: a frozen dataclass that is cheap to define.

`@dataclass(frozen=True)` compiles six methods per class on Python 3.11
(`__init__`, `__repr__`, `__eq__`, `__hash__`, `__setattr__`, `__delattr__`),
about 0.45 ms a class; the sixty classes `hedgec check` loads made up a third of
its own start-up. A record compiles only its `__init__`; the other five are
shared functions that read the field names the class keeps. Everything else is
the dataclass machinery itself: `dataclasses.fields`, `replace`, `asdict`,
`is_dataclass`, pickling and subclassing with `@dataclass(frozen=True)` work
as for any frozen dataclass, and equality, hashing and repr give the same
results (tests/test_record.py compares them with a dataclass twin).
"""
from __future__ import annotations

import dataclasses
from dataclasses import MISSING, FrozenInstanceError

__all__ = ["record"]


def record(cls=None, /):
    """Use as `@record` where one would write `@dataclass(frozen=True)`."""
    if cls is None:
        return record
    # dataclasses refuses a non-frozen class over a frozen base; a record is frozen by
    # its shared __setattr__ instead, so its bases are shown unfrozen meanwhile
    frozen_bases = [b.__dataclass_params__ for b in cls.__mro__[1:]
                    if dataclasses.is_dataclass(b) and b.__dataclass_params__.frozen]
    for params in frozen_bases:
        params.frozen = False
    if cls.__doc__ is None:  # dataclasses would write one with inspect.signature: 0.1 ms a class
        cls.__doc__ = f"{cls.__name__}({', '.join(cls.__dict__.get('__annotations__', ()))})"
    try:
        cls = dataclasses.dataclass(cls, init=False, repr=False, eq=False)  # fields only: compiles nothing
    finally:
        for params in frozen_bases:
            params.frozen = True
    cls.__dataclass_params__.frozen = True  # so @dataclass(frozen=True) subclasses are allowed
    fields = dataclasses.fields(cls)
    cls.__record_repr__ = tuple(f.name for f in fields if f.repr)
    cls.__record_compare__ = tuple(f.name for f in fields if f.compare)
    cls.__record_hash__ = tuple(f.name for f in fields if (f.compare if f.hash is None else f.hash))
    cls.__init__ = _init(cls, fields)
    for name, method in _SHARED.items():
        setattr(cls, name, method)
    return cls


def _init(cls, fields):
    """The one compiled method: assigns each field as a frozen dataclass does."""
    names = {"_set": object.__setattr__, "_FACTORY": _FACTORY}
    params, body = ["self"], []
    for f in fields:
        if not f.init:
            raise TypeError(f"{cls.__qualname__}.{f.name}: a record's fields are all set by __init__")
        value = f.name
        if f.default_factory is not MISSING:
            names[f"_factory_{f.name}"] = f.default_factory
            params.append(f"{f.name}=_FACTORY")
            value = f"_factory_{f.name}() if {f.name} is _FACTORY else {f.name}"
        elif f.default is not MISSING:
            names[f"_default_{f.name}"] = f.default
            params.append(f"{f.name}=_default_{f.name}")
        else:
            params.append(f.name)
        body.append(f"  _set(self, {f.name!r}, {value})")
    if hasattr(cls, "__post_init__"):
        body.append("  self.__post_init__()")
    source = f"def __init__({', '.join(params)}):\n" + ("\n".join(body) or "  pass") + "\n"
    exec(source, names)  # noqa: S102 - generated from field names only, as dataclasses does
    init = names["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    return init


class _Factory:
    def __repr__(self) -> str:
        return "<factory>"


_FACTORY = _Factory()


def _values(self, names: tuple[str, ...]) -> tuple:
    return tuple(getattr(self, name) for name in names)


def _repr(self) -> str:
    shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in type(self).__record_repr__)
    return f"{type(self).__qualname__}({shown})"


def _eq(self, other):
    if other.__class__ is not self.__class__:
        return NotImplemented
    names = type(self).__record_compare__
    return _values(self, names) == _values(other, names)


def _hash(self) -> int:
    return hash(_values(self, type(self).__record_hash__))


def _setattr(self, name, value):
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _delattr(self, name):
    raise FrozenInstanceError(f"cannot delete field {name!r}")


_SHARED = {"__repr__": _repr, "__eq__": _eq, "__hash__": _hash,
           "__setattr__": _setattr, "__delattr__": _delattr}
