"""Hostile and broken input: random bytes, token soups and mutated examples
through the whole pipeline (and the formatter). Every outcome is success or
clean, located diagnostics; never an exception, never a hang.

Budget: 200 examples per strategy, no per-example deadline beyond
hypothesis's own (the pipeline is fast; a hang would be one slow example),
a few seconds per strategy in all.
"""
from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hedge_strategies import SPEC_TEXTS, hedge_source, mutated_spec, token_soup
from hedgec.compiler import formatter, syntax
from hedgec.compiler.catalog import load_catalog
from hedgec.compiler.pipeline import CheckResult, check_file, check_text, decode

CATALOG = load_catalog()
FUZZ = settings(max_examples=200, deadline=2000, suppress_health_check=[HealthCheck.too_slow])


def assert_clean(result: CheckResult, text: str) -> None:
    assert isinstance(result, CheckResult)
    lines = text.split("\n")
    for d in result.diagnostics:
        assert d.message and d.code
        assert 1 <= d.span.line <= len(lines), d
        assert d.span.column >= 1, d
        assert (d.span.end_line, d.span.end_column) >= (d.span.line, d.span.column), d


@FUZZ
@given(st.binary(max_size=400))
def test_random_bytes(data):
    source, problems = decode(data, "fuzz.hedge")
    if source is None:
        assert [p.code for p in problems] == ["H002"]
        return
    assert_clean(check_text(source.text, "fuzz.hedge", catalog=CATALOG), source.text)


@FUZZ
@given(token_soup)
def test_token_soups(text):
    assert_clean(check_text(text, "soup.hedge", catalog=CATALOG), text)


@FUZZ
@given(mutated_spec())
def test_mutated_examples(text):
    assert_clean(check_text(text, "mutant.hedge", catalog=CATALOG), text)


@FUZZ
@given(st.one_of(mutated_spec(), token_soup, hedge_source()))
def test_the_formatter_formats_or_refuses_cleanly(text):
    try:
        once = formatter.format_source(text, "f.hedge")
    except syntax.ParseError as err:
        assert err.code in ("H001", "H005", "H007") and err.span.line >= 1
        return
    assert formatter.format_source(once, "f.hedge") == once


@pytest.mark.parametrize("name", sorted(SPEC_TEXTS))
def test_file_access_is_limited_to_the_file_given(name, tmp_path, monkeypatch):
    """A strategy names no paths hedgec would open: checking one reads only it."""
    import builtins
    import io

    spec = tmp_path / name
    spec.write_text(SPEC_TEXTS[name] + '\n# include "/etc/passwd" ../../secret\n')
    opened = []
    real_open = builtins.open

    def watch(file, *args, **kwargs):
        opened.append(str(file))
        return real_open(file, *args, **kwargs)
    monkeypatch.setattr(builtins, "open", watch)
    monkeypatch.setattr(io, "open", watch)
    check_file(str(spec), catalog=CATALOG)
    assert all(path == str(spec) for path in opened), opened


def test_a_10_mb_file_gets_one_clear_diagnostic_quickly(tmp_path):
    big = tmp_path / "big.hedge"
    big.write_text("# padding\n" * 1_048_576)  # 10 MiB
    start = time.perf_counter()
    result = check_file(str(big))
    assert time.perf_counter() - start < 5
    assert [(d.code, d.message) for d in result.diagnostics] == [
        ("H004", "the file is 10.0 MiB; hedgec reads strategy files up to 1.0 MiB")]


def test_10_mb_of_text_from_an_editor_or_stdin_is_refused_too():
    result = check_text("# padding\n" * 1_048_576, "<stdin>")
    assert [d.code for d in result.diagnostics] == ["H004"]


@pytest.mark.parametrize("text, what, line", [
    ("strategy s {\n" * 10_000 + "}\n" * 10_000, "blocks", 9),
    ("a {" * 10_000 + "}" * 10_000, "blocks", 1),
    ("strategy s {\n  x = " + "[" * 10_000 + "]" * 10_000 + "\n}\n", "lists", 2),
])
def test_deep_nesting_gets_one_clear_diagnostic(text, what, line):
    start = time.perf_counter()
    result = check_text(text, "deep.hedge")
    assert time.perf_counter() - start < 5
    assert [(d.code, d.message, d.span.line) for d in result.diagnostics] == [
        ("H005", f"{what} are nested more than 8 deep", line)]


def test_braces_in_strings_and_comments_do_not_count_as_nesting():
    text = 'strategy s {\n  horizon = 1d\n  title = "{{{{{{{{{{[[[[[[[[[["  # }}}}}}}}}{{{{{{{{{{{\n}\n'
    assert [d.code for d in check_text(text, "s.hedge").diagnostics if d.code.startswith("H00")] == []
