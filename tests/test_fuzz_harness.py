"""The fuzz harness in CI: a bounded budget of generated inputs through every
command, and checks that the harness itself notices what it is there to
notice. The long mode is benchmarks/fuzz_long.py."""
from __future__ import annotations

import pytest

import fuzz_harness
from conftest import SPECS


def test_a_bounded_budget_of_inputs_crashes_and_hangs_nothing():
    counts = fuzz_harness.fuzz(30, seed=20261126)
    assert counts.inputs == 30
    assert (counts.crashes, counts.hangs) == (0, 0), [(f.command, f.detail, f.source) for f in counts.failures]
    # the budget exercises both outcomes, so it is not vacuous
    assert counts.refused and counts.accepted
    assert counts.refused + counts.accepted == 30


def test_every_kind_of_input_is_generated():
    import random

    rng = random.Random(1)
    shapes = {type(fuzz_harness.generate(rng)).__name__ for _ in range(200)}
    assert shapes == {"bytes", "str"}
    structured = fuzz_harness.structured(random.Random(3))
    assert structured.startswith("strategy ") and "pool lp {" in structured


def test_an_example_is_accepted_and_runs_through_every_command():
    harness = fuzz_harness.Harness()
    commands = []
    real = fuzz_harness.run_command

    def spy(argv, stdin=b"", limit=20.0):
        commands.append(argv[0])
        return real(argv, stdin, limit)

    fuzz_harness.run_command = spy
    try:
        harness.run((SPECS / "eth-usdc-v2-neutral.hedge").read_text())
    finally:
        fuzz_harness.run_command = real
    assert (harness.counts.accepted, harness.counts.crashes) == (1, 0), harness.counts.failures
    assert set(commands) == {"check", "fmt", "plan", "checklist", "graph", "build", "simulate", "diff"}
    assert commands.count("check") == 5  # text, json, github, sarif, and stdin


def test_a_command_that_raises_is_counted_as_a_crash(monkeypatch):
    import hedgec.targets.plan as plan

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(plan, "build_plan", broken)
    harness = fuzz_harness.Harness()
    harness.run((SPECS / "eth-usdc-v2-neutral.hedge").read_text())
    assert harness.counts.crashes == 1
    assert any("internal error: RuntimeError: boom" in f.detail for f in harness.counts.failures)


def test_a_command_that_runs_too_long_is_counted_as_a_hang(monkeypatch):
    import time

    import hedgec.targets.plan as plan

    def slow(*args, **kwargs):
        time.sleep(5)

    monkeypatch.setattr(plan, "build_plan", slow)
    harness = fuzz_harness.Harness(limit=0.2)
    harness.run((SPECS / "eth-usdc-v2-neutral.hedge").read_text())
    assert (harness.counts.hangs, harness.counts.failures[0].kind) == (1, "hang")


@pytest.mark.parametrize("text, problem", [
    ('{"a": Infinity}', "invalid JSON: Infinity is not JSON"),
    ('{"a": [1, NaN]}', "invalid JSON: NaN is not JSON"),
    ('{"a": 1e999}', "non-finite number at $.a"),
    ('{"a": ', "invalid JSON"),
    ('{"a": [1.5, {"b": null}]}', None),
])
def test_json_is_strict_and_finite(text, problem):
    found = fuzz_harness.json_problem(text)
    assert (found is None) if problem is None else found.startswith(problem)


def test_a_wrong_settings_file_is_a_clean_refusal_and_a_right_one_reaches_every_command():
    harness = fuzz_harness.Harness()
    example = (SPECS / "eth-usdc-v2-aave-borrow.hedge").read_text()
    harness.run(example, "[thresholds]\nhealth-factor-act = 2\n")  # above the 1.25 alert: refused, in one line
    harness.run(example, "[thresholds]\nhealth-factor-alert = 3\nhealth-factor-act = 2\n")
    assert (harness.counts.refused, harness.counts.accepted, harness.counts.crashes) == (1, 1, 0), \
        harness.counts.failures
    harness.run(example)  # no settings file left behind
    assert harness.counts.accepted == 2 and not harness.settings.exists()


def test_generated_settings_include_allowed_and_wrong_values():
    import random
    import tomllib

    from hedgec.compiler.config import ConfigError, config_from_table

    outcomes = set()
    rng = random.Random(4)
    for _ in range(60):
        try:
            config_from_table(tomllib.loads(fuzz_harness.settings(rng)), "hedgec.toml")
            outcomes.add("allowed")
        except (ConfigError, tomllib.TOMLDecodeError):
            outcomes.add("wrong")
    assert outcomes == {"allowed", "wrong"}


def test_a_failure_keeps_the_settings_it_ran_with(monkeypatch):
    import hedgec.targets.plan as plan

    monkeypatch.setattr(plan, "build_plan", lambda *a, **k: 1 / 0)
    harness = fuzz_harness.Harness()
    harness.run((SPECS / "eth-usdc-v2-neutral.hedge").read_text(), "[thresholds]\nsize-tolerance = 0.1\n")
    assert harness.counts.crashes == 1
    assert {f.settings for f in harness.counts.failures} == {"[thresholds]\nsize-tolerance = 0.1\n"}
