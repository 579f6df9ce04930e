"""`@record` behaves as `@dataclass(frozen=True)`: checked against a twin."""
from __future__ import annotations

import copy
import dataclasses
import pickle
from dataclasses import dataclass, field

import pytest

from hedgec.record import record

seen_post_init = []


def _declare(decorate):
    @decorate
    class Leg:
        name: str
        size: float
        tags: tuple = ()
        extra: dict = field(default_factory=dict, compare=False, repr=False)
        notes: list = field(default_factory=list, compare=False, hash=False)
        weights: tuple = field(default_factory=tuple, hash=False)

        kind = "leg"  # not a field

        def __post_init__(self):
            seen_post_init.append(self.name)
            object.__setattr__(self, "_index", len(self.name))

        @property
        def label(self) -> str:
            return f"{self.kind} {self.name}"

    return Leg


Twin, Leg = _declare(dataclass(frozen=True)), _declare(record)
Leg.__qualname__ = "Leg"  # module-level, so instances pickle
VALUES = [("a", 1.0), ("a", 1.0, ("x",)), ("b", float("nan")), ("c", -0.0, (), {"k": 1})]


@pytest.mark.parametrize("args", VALUES)
def test_a_record_behaves_as_its_frozen_dataclass_twin(args):
    ours, theirs = Leg(*args), Twin(*args)
    assert repr(ours) == repr(theirs).replace("_declare.<locals>.", "")
    assert (ours == Leg(*args)) == (theirs == Twin(*args))
    assert hash(ours) == hash(Leg(*args)) and ours != theirs  # a different class is never equal
    assert ours.label == theirs.label and ours._index == theirs._index
    assert dataclasses.asdict(ours) == dataclasses.asdict(theirs) or args[1] != args[1]  # nan != nan
    assert [f.name for f in dataclasses.fields(ours)] == [f.name for f in dataclasses.fields(theirs)]
    assert dataclasses.is_dataclass(ours) and Leg.__match_args__ == Twin.__match_args__


def test_fields_left_out_of_comparison_and_hashing_are_left_out():
    a, b = Leg("a", 1.0, extra={"x": 1}, notes=[1]), Leg("a", 1.0, extra={"y": 2}, notes=[2])
    assert a == b and hash(a) == hash(b)
    assert Leg("a", 1.0) != Leg("a", 2.0) and Leg("a", 1.0, ("t",)) != Leg("a", 1.0)
    assert "extra" not in repr(a) and "notes=[1]" in repr(a)


def test_frozen_defaults_fresh_factories_post_init_and_keywords():
    leg = Leg(size=2.0, name="z")
    with pytest.raises(dataclasses.FrozenInstanceError):
        leg.size = 3.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        del leg.name
    with pytest.raises(dataclasses.FrozenInstanceError):
        leg.other = 1
    assert Leg("p", 1).extra is not Leg("q", 1).extra  # one fresh dict each
    assert seen_post_init[-2:] == ["p", "q"]
    with pytest.raises(TypeError):
        Leg("only a name")


def test_replace_copy_and_pickle_give_equal_records():
    leg = Leg("a", 1.0, ("t",), {"e": 1})
    assert dataclasses.replace(leg, size=2.0) == Leg("a", 2.0, ("t",))
    assert copy.deepcopy(leg) == leg and copy.copy(leg) == leg
    again = pickle.loads(pickle.dumps(leg))
    assert again == leg and again.extra == {"e": 1} and again._index == 1


def test_subclasses_add_fields_with_record_or_with_a_frozen_dataclass():
    @record
    class Base:
        name: str
        span: int = 0

    @record
    class Child(Base):
        size: float = 1.0

    @dataclass(frozen=True)  # as a kind declared outside hedgec may do
    class Other(Base):
        venue: str = "v"

    assert Child("c", 3, 2.5) == Child(name="c", span=3, size=2.5) and Child("c").size == 1.0
    assert repr(Other("o")) .endswith("Other(name='o', span=0, venue='v')")
    with pytest.raises(dataclasses.FrozenInstanceError):
        Other("o").venue = "w"


def test_a_mutable_default_is_refused_as_by_dataclass():
    with pytest.raises(ValueError, match="mutable default"):
        @record
        class Bad:
            items: list = []
