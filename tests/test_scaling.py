"""Work grows linearly with the input: `check` in legs and diagnostics, and every
algorithm on user input (cycles, did-you-mean, suppressions, `fmt`, catalog
overlays). Each test compares an input with one 20 times larger: linear work
takes about 20x as long, quadratic work 400x. The whole check must stay under
40x; one step alone under 80x, as a loop over objects that outgrow the CPU's
caches slows per item as it grows. Times are the best of a few runs, and only
their ratio is checked, never a duration."""
from __future__ import annotations

import functools
import gc
import importlib.util
import sys

import pytest

from hedgec.cli.output import FORMATS
from hedgec.compiler import diagnostics as diag
from hedgec.compiler.catalog import CatalogError, load_catalog
from hedgec.compiler.catalog.merge import _merge
from hedgec.compiler.formatter import format_source
from hedgec.compiler.pipeline import apply_suppressions, check_text
from hedgec.compiler.source import SourceFile, Span
from hedgec.compiler.syntax import Comment

from conftest import ROOT

FACTOR = 20
BOUND_CHECK, BOUND_STEP = 40, 80


def growth(make, run, small: int, factor: int = FACTOR, runs: int = 3) -> float:
    """How many times longer `run(make(n))` takes at factor x n than at n (after a
    warm-up), with the garbage collector paused: its passes over every live object
    would make any allocating loop look superlinear."""
    run(make(2))
    small_input, large_input = make(small), make(small * factor)
    gc.collect()
    gc.disable()
    try:
        best_of = _bench().best_of
        return best_of(runs, lambda: run(large_input)) / best_of(runs * 3, lambda: run(small_input))
    finally:
        gc.enable()


@functools.cache
def _bench():
    """benchmarks/bench_check.py: its corpus and its timer."""
    spec = importlib.util.spec_from_file_location("bench_check", ROOT / "benchmarks" / "bench_check.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def check_and_render_all(text: str) -> None:
    result = check_text(text, "big.hedge")
    for render in FORMATS.values():
        render([result])


def test_check_with_a_diagnostic_per_unit_is_linear_in_every_format():
    bench = _bench()
    warnings = [d for d in check_text(bench.large_text(100, True)).diagnostics if d.severity.value == "warning"]
    assert len(warnings) == 25  # one a unit of four legs, as the benchmark says
    assert growth(lambda legs: bench.large_text(legs, True), check_and_render_all, small=50, runs=2) < BOUND_CHECK


def calls(run, argument) -> int:
    """How many Python functions `run(argument)` calls (generator resumptions
    included): an operation count, the same on any machine and under any load."""
    count = 0

    def profile(frame, event, arg):
        nonlocal count
        if event in ("call", "c_call"):
            count += 1

    sys.setprofile(profile)
    try:
        run(argument)
    finally:
        sys.setprofile(None)
    return count


def stage_work(text: str) -> dict[str, int]:
    """The operation count of each stage of `check`, of each check of the rule
    registry on its own, and of each output format, for one strategy."""
    from hedgec.compiler import pipeline
    from hedgec.compiler.config import Config
    from hedgec.compiler.registry import registry
    from hedgec.compiler.rules.base import Context
    from hedgec.compiler.source import SourceFile

    source, config, catalog = SourceFile("big.hedge", text), Config(), load_catalog()
    work = {"parse": calls(pipeline.parse, source)}
    tree, _ = pipeline.parse(source)
    work["lower"] = calls(lambda t: pipeline.lower(t, source.path), tree)
    strategy, _ = pipeline.lower(tree, source.path)
    work["link"] = calls(lambda s: pipeline.link(s, catalog), strategy)
    graph, _ = pipeline.link(strategy, catalog)
    work["analyse"] = calls(lambda s: pipeline.analyse(s, graph, catalog, config), strategy)
    ctx = Context(strategy, graph, catalog, config, pipeline.analyse(strategy, graph, catalog, config))
    for check in registry().checks:
        work[check.run.__qualname__] = calls(lambda c: list(check.run(c)), ctx)
    result = pipeline.check_source(source, config, catalog)
    for name, render in FORMATS.items():
        work[name] = calls(render, [result])
    return work


@pytest.mark.parametrize("diagnostic", [False, True], ids=["clean", "a-warning-a-unit"])
def test_every_stage_and_check_does_linear_work(diagnostic):
    """Each stage, rule check and output format alone: a loop over legs inside a
    loop over legs (every perp scanned for each pool) makes its count grow 400x
    rather than 20x, however fast or loaded the machine. Counting each check
    apart keeps one quadratic check from hiding in the whole's fixed costs."""
    bench = _bench()
    stage_work(bench.large_text(8, diagnostic))  # warm the caches: parser, catalog, registry
    small, large = (stage_work(bench.large_text(legs, diagnostic)) for legs in (12, 12 * FACTOR))
    grew = {name: large[name] / max(small[name], 1) for name in small}
    assert len(grew) > 30 and max(grew.values()) > FACTOR / 2  # the counts do see the legs
    assert {name: round(g) for name, g in grew.items() if g > FACTOR * 1.5} == {}


@pytest.mark.parametrize("fmt", ["text", "sarif"])  # the two that show each diagnostic's source line
def test_rendering_is_linear_in_lines_and_diagnostics(fmt):
    def make(n):  # n lines, a diagnostic on each
        source = SourceFile("f.hedge", "".join(f"  key{i} = {i}\n" for i in range(n)))
        found = tuple(diag.make("H102", f"no key `key{i}`", Span("f.hedge", i + 1, 3, i + 1, 7), hint="h")
                      for i in range(n))
        return [_Result(source, found)]

    assert growth(make, FORMATS[fmt], small=100) < BOUND_STEP


class _Result:
    """What the output formats read from a check result."""

    def __init__(self, source, found):
        self.path, self.source, self.diagnostics = source.path, source, found
        self.strategy, self.ok, self.figures = None, False, {}


HEAD = "strategy s {\n  horizon = 90d\n  wallet main {\n    custody = self\n    chain = ethereum\n  }\n"


def test_chained_cycles_are_reported_once_per_group_without_listing_every_cycle():
    # Twenty diamonds closed into a ring: 2**20 simple cycles through one group of blocks.
    parts = []
    for i in range(20):
        parts.append(f"  pool p{i} {{\n    venue = uniswap_v2\n    pair = ETH/USDC\n    deposit = 1 USDC\n"
                     f"    from = main\n  }}\n")
        for side in "vw":
            parts.append(f"  cover {side}{i} {{\n    provider = nexus_mutual\n    protects = p{(i + 1) % 20}\n"
                         f"    amount = 1 USDC\n    period = 30d\n    from = p{i}\n  }}\n")
    found = [d for d in check_text(HEAD + "".join(parts) + "}\n").diagnostics if d.code == "H109"]
    assert len(found) == 1 and found[0].notes == ()
    assert found[0].message.startswith("references form a cycle: p0 --> ")  # the shortest through `p0`
    assert found[0].message.count("-->") == 40


def test_many_separate_cycles_show_a_few_and_count_the_rest(v2_text):
    parts = [f"  pool a{i} {{\n    venue = uniswap_v2\n    pair = ETH/USDC\n    deposit = 1 USDC\n"
             f"    from = b{i}\n  }}\n  cover b{i} {{\n    provider = nexus_mutual\n    protects = a{i}\n"
             f"    amount = 1 USDC\n    period = 30d\n    from = a{i}\n  }}\n" for i in range(5)]
    found = [d for d in check_text(HEAD + "".join(parts) + "}\n").diagnostics if d.code == "H109"]
    assert [d.message for d in found] == [f"references form a cycle: a{i} --> b{i} --> a{i}" for i in range(3)]
    assert found[-1].notes == ("2 more cycles not shown",)


def test_did_you_mean_among_many_names_is_linear():
    def make(n):
        return [f"leg{i}" for i in range(n)]

    def run(names):
        suggest = diag.Suggestions(names)
        for name in names:
            suggest(name[:2] + "x" + name[3:])

    assert diag.Suggestions(make(3000))("lge1234") == "did you mean `leg1234`?"  # still helpful among many
    assert diag.Suggestions(make(3000))("le1234") == "did you mean `leg1234`?"
    assert growth(make, run, small=40) < BOUND_STEP


def test_many_undefined_references_are_linear():
    def make(n):
        legs = "".join(f"  pool lp{i} {{\n    venue = uniswap_v2\n    pair = ETH/USDC\n    deposit = 1 USDC\n"
                       f"    from = main\n  }}\n  perp h{i} {{\n    venue = dydx\n    market = ETH-USD\n"
                       f"    side = short\n    hedges = lq{i}\n    collateral = 1 USDC\n    from = main\n  }}\n"
                       for i in range(n))
        return HEAD + legs + "}\n"

    hints = {d.hint for d in check_text(make(150)).diagnostics if d.code == "H107"}
    assert "did you mean `lp7`?" in hints and "did you mean `lp123`?" in hints
    assert growth(make, check_text, small=20, runs=2) < BOUND_CHECK


def test_suppression_comments_are_applied_in_linear_time():
    def make(n):  # a warning on every line; every line silences it, and a code that silences nothing
        found = [diag.make("H201", "w", Span("f", i, 3, i, 9)) for i in range(1, n + 1)]
        comments = [Comment("# hedgec: ignore[H201, H202]", Span("f", i, 20, i, 48)) for i in range(1, n + 1)]
        return found, comments

    kept = apply_suppressions(*make(3), "f")
    assert [(d.code, d.span.line) for d in kept] == [("H901", 1), ("H901", 2), ("H901", 3)]
    assert growth(make, lambda made: apply_suppressions(*made, "f"), small=300) < BOUND_STEP


def test_suppression_comments_in_a_file():
    text = HEAD + "".join(f"  title{i} = 1  # hedgec: ignore[H102, H9{i}, H201]\n" for i in range(3)) + "}\n"
    found = check_text(text).diagnostics
    # H102 stops compilation, so it is never silenced; the stale silences say so on every line
    assert sorted({d.code for d in found}) == ["H102", "H901", "H902"]


def test_fmt_is_linear_in_comments():
    def make(n):
        body = "".join(f"  # about p{i}\n  pool p{i} {{  # trailing {i}\n    venue = uniswap_v2  # v\n  }}\n"
                       if i % 20 == 0 else f"  # comment {i}\n" for i in range(n))
        return HEAD + body + "}\n"

    assert "# comment 7\n" in format_source(make(10))
    assert growth(make, format_source, small=300, runs=2) < BOUND_CHECK  # below ~300 lines it all fits in cache


def test_catalog_overlay_nested_deep_is_refused_at_once(tmp_path):
    overlay = tmp_path / "deep.yaml"
    overlay.write_text("venues: " + "[" * 100_000 + "]" * 100_000 + "\n")
    with pytest.raises(CatalogError, match="nested more than 16 levels deep"):
        load_catalog([overlay])
    overlay.write_text("".join("  " * i + f"k{i}:\n" for i in range(300)) + "  " * 300 + "x: 1\n")
    with pytest.raises(CatalogError, match="nested more than 16 levels deep") as info:
        load_catalog([overlay])
    assert info.value.path.startswith("k0.k1.k2")


def test_catalog_overlay_with_too_many_keys_is_refused(tmp_path):
    overlay = tmp_path / "keys.yaml"
    overlay.write_text("defaults:\n" + "".join(f"  k{i}: 1\n" for i in range(60_000)))
    with pytest.raises(CatalogError, match="more than 20,000 entries"):
        load_catalog([overlay])


def test_catalog_overlay_impossible_date_is_a_located_error(tmp_path):
    overlay = tmp_path / "date.yaml"
    overlay.write_text("chains:\n  ethereum:\n    read: 2024-13-45\n")
    with pytest.raises(CatalogError) as info:
        load_catalog([overlay])
    assert info.value.path == "chains.ethereum.read"
    assert "2024-13-45 is not a valid date (month must be in 1..12)" in info.value.message
    assert "line 3, column 11" in info.value.message
    overlay.write_text("chains:\n  ethereum:\n    read: 2024-02-29\n")  # a real day is read as before
    assert load_catalog([overlay]).chains["ethereum"].source.read == "2024-02-29"


def test_catalog_merge_is_linear_in_keys():
    def run(n):  # a first overlay sets n subtrees, a second replaces each with a value
        data, origin = {"a": {}}, {}
        _merge(data, {"a": {f"k{i}": {"x": 1, "y": {"z": 2}} for i in range(n)}}, 1, origin, ())
        _merge(data, {"a": {f"k{i}": 2 for i in range(n)}}, 2, origin, ())
        assert origin[("a", "k1")] == 2 and ("a", "k1", "x") not in origin

    assert growth(lambda n: n, run, small=200) < BOUND_STEP
