"""hedgec's scanner and LALR loop (compiler/scanner.py, compiler/lalr.py) give
what lark's own lexer and parser give on the same grammar: the same tree with
the same spans, or the same error at the same place with the same expectations."""
from __future__ import annotations

import functools

import lark
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lark.exceptions import UnexpectedCharacters, UnexpectedInput

from hedge_strategies import SPEC_TEXTS, hedge_source, mutated_spec, token_soup
from hedgec.compiler import lalr, syntax
from hedgec.compiler.scanner import TooDeep, UnexpectedCharacter


@functools.cache
def reference():
    """lark alone: its basic lexer and its parser loop, the same tree builder."""
    return lark.Lark(syntax.grammar_text(), parser="lalr", lexer="basic", transformer=syntax._Builder(),
                     maybe_placeholders=True)


def outcome(parse, text: str):
    syntax._Builder.path = "f.hedge"
    try:
        return "tree", parse(text)
    except UnexpectedCharacters as err:
        return "character", (err.line, err.column, err.pos_in_stream)
    except UnexpectedCharacter as err:
        return "character", (err.line, err.column, err.pos)
    except (UnexpectedInput, lalr.UnexpectedToken) as err:
        token = err.token
        return "token", (token.type, str(token), token.line, token.column, sorted(err.expected))


def ours(text: str):
    table, scanner = syntax._table()
    builder, callbacks = syntax._builder(table)
    builder.path = "f.hedge"
    return table.parse(scanner.lex(text, []), callbacks)


def assert_same(text: str) -> None:
    try:
        mine = outcome(ours, text)
    except TooDeep:  # refused before parsing, which lark alone does not do
        return
    assert mine == outcome(reference().parse, text)


@pytest.mark.parametrize("text", list(SPEC_TEXTS.values()) + ["", "   \n\t ", "strategy s {}   ", "strategy s {\n  a = 1  $\n}",
                                                  "strategy s {\n  a = \n}", "strategy s {\n  a = [1, 2,]\n}",
                                                  "strategy s {\r\n  a = 2..3 x # c\r\n\r\n}\r\n"])
def test_the_same_trees_and_errors_as_lark_on_examples_and_edges(text):
    assert_same(text)


@settings(max_examples=150, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(mutated_spec(), token_soup, hedge_source()))
def test_the_same_trees_and_errors_as_lark_on_broken_input(text):
    assert_same(text)


def test_blanks_before_an_unexpected_character_are_skipped_exactly():
    kind, (line, column, pos) = outcome(ours, "strategy s {\n" + " " * 5000 + "\t$")
    assert (kind, line, column, pos) == ("character", 2, 5002, 13 + 5001)


def test_the_cached_table_is_the_one_lark_builds():
    import json

    parser = syntax._parser()
    built = lalr.Table.from_lark(parser).to_data()
    again = lalr.Table.from_data(json.loads(json.dumps(built))).to_data()
    assert again == built and len(built["rules"]) > 40 and len(built["rows"]) > 50
    assert syntax._table()[0].to_data() == built  # what a check runs on


CHECK_AND_REPORT_LARK = """
import sys
from hedgec.cli.main import main
for path in sys.argv[1:]:
    code = main(["check", path])
    print("lark" in sys.modules, code)
"""


def test_a_check_imports_lark_only_to_build_the_table_or_word_an_error(tmp_path):
    import os
    import subprocess
    import sys

    from conftest import SPECS

    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path / "cache"))
    broken = tmp_path / "broken.hedge"
    broken.write_text("strategy s {\n  horizon = \n}\n")

    def run(*paths):
        done = subprocess.run([sys.executable, "-c", CHECK_AND_REPORT_LARK, *map(str, paths)], env=env,
                              capture_output=True, text=True, check=True)
        return [line for line in done.stdout.split("\n") if line.startswith(("True", "False"))]

    example = SPECS / "eth-usdc-v2-neutral.hedge"
    assert run(example) == ["True 0"]  # the first run builds the table with lark and caches it
    assert run(example, broken) == ["False 0", "False 1"]  # syntax errors are worded from the cache too


def test_a_damaged_cache_entry_is_built_again(tmp_path, monkeypatch):
    import json

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    syntax._table.cache_clear()
    try:
        syntax._table()
        cached = next((tmp_path / "hedgec").glob("grammar-*.json"))
        good = cached.read_text()
        broken_row = good.replace('"rows": {"0": {', '"rows": {"0": {"WORD": 9999, ', 1)
        assert broken_row != good
        for damage in ('{"format": 1, "rows": ', '{"format": 999}', broken_row,
                       '{"format": 1, "rows": {}, "rules": [], "start": 0, "end": 1, "scanner": {}}'):
            cached.write_text(damage)
            syntax._table.cache_clear()
            assert syntax.parse("strategy s {\n  horizon = 1d\n}\n", "f.hedge").blocks[0].name == "s"
            assert lalr.Table.from_data(json.loads(cached.read_text()))  # written again, whole
    finally:
        syntax._table.cache_clear()  # the next test reads the run's own cache again


def test_without_a_cache_folder_nothing_is_cached_anywhere(tmp_path):
    import os
    import subprocess
    import sys

    from conftest import SPECS

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    shared = tmp_path / "tmp"
    shared.mkdir()
    env = dict(os.environ, XDG_CACHE_HOME=str(blocker / "cache"), TMPDIR=str(shared), HOME=str(blocker))
    done = subprocess.run([sys.executable, "-c", CHECK_AND_REPORT_LARK, str(SPECS / "eth-usdc-v2-neutral.hedge")],
                          env=env, capture_output=True, text=True, check=True)
    assert done.stdout.split("\n")[-2] == "True 0"  # built with lark, and checked
    assert list(shared.iterdir()) == []  # and cached nowhere: never in a shared temporary folder


def test_an_attribute_takes_the_value_forms_a_list_item_takes():
    """The grammar spells the value forms out in `attribute` (one parser step
    fewer a line) as well as in `value`: the two lists must not drift apart."""
    rules = syntax._parser().rules
    attribute = {r.expansion[-1].name for r in rules if r.origin.name == "attribute"}
    value = {r.expansion[0].name for r in rules if r.origin.name == "value"}
    assert attribute == value and {"quantity", "range", "list", "string"} <= value
