"""`hedgec fmt`: canonical layout, idempotence, meaning and comments kept."""
from __future__ import annotations

import os
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings

from hedge_strategies import SPEC_TEXTS, SPECS, hedge_source
from hedgec.compiler import formatter, syntax
from hedgec.compiler.lower import lower

from conftest import run_cli, run_process

MESSY = """\


# header comment

strategy   s {  # on the head line
horizon=+90.0d
    base = USDC
  # before assume


  assume { price.ETH=3000.50 USDC # price
  vol.ETH = 060%
  }
  pool lp { venue = uniswap_v3
  pair = ETH / USDC
  range = 2400..4000.0 USDC
  deposit = 1E+04 USDC }   # after the pool
  wallet w {}
  perp p { order = limit 20100.00 USDC
   # inside, before the brace
  }
}
"""

CANONICAL = """\
# header comment

strategy s {                       # on the head line
  horizon = 90d
  base    = USDC

  # before assume

  assume {
    price.ETH = 3000.5 USDC        # price
    vol.ETH   = 60%
  }

  pool lp {
    venue   = uniswap_v3
    pair    = ETH/USDC
    range   = 2400 .. 4000 USDC
    deposit = 1e4 USDC
  }                                # after the pool

  wallet w {}

  perp p {
    order = limit 20100 USDC
    # inside, before the brace
  }
}
"""


def hedgec(*args, stdin: str | None = None, process: bool = False):
    """`hedgec ARGS` in this process (or in a real one), as a completed process."""
    run = run_process if process else run_cli
    code, out, err = run(*args, stdin=None if stdin is None else stdin.encode())
    return SimpleNamespace(returncode=code, stdout=out, stderr=err)


@pytest.mark.parametrize("name", sorted(SPEC_TEXTS))
def test_the_examples_are_already_canonical(name):
    assert formatter.format_source(SPEC_TEXTS[name], name) == SPEC_TEXTS[name]


def test_a_messy_file_gets_the_canonical_layout():
    assert formatter.format_source(MESSY, "messy.hedge") == CANONICAL


@pytest.mark.parametrize("written, canonical", [
    ("+3", "3"), ("1.50", "1.5"), ("007", "7"), ("2.0", "2"), ("0.0", "0"), ("-0.0", "-0"),
    ("1E+03", "1e3"), ("1.0e-03", "1e-3"), ("20000", "20000"), ("-5", "-5"), ("2.5", "2.5"),
    ("1.0000000000000000000", "1.0000000000000000000"),  # 20 digits: refused as written, left as written
])
def test_numbers_are_normalised_without_changing_their_value(written, canonical):
    assert formatter.number_text(written) == canonical


def test_trailing_comments_align_past_long_lines_within_their_block():
    text = "strategy s {\n  horizon = 90d # short\n  title = \"" + "x" * 40 + "\" # long\n}\n"
    lines = formatter.format_source(text, "t").splitlines()
    assert lines[1].index("#") == lines[2].index("#") == len(lines[2].split("#")[0].rstrip()) + 2


def test_a_change_of_meaning_is_refused(monkeypatch):
    monkeypatch.setattr(formatter, "number_text", lambda text: "1")
    with pytest.raises(formatter.FormatError, match="change what it means"):
        formatter.format_source(SPEC_TEXTS["btc-overlevered.hedge"], "b.hedge")


def test_unparsable_input_raises_the_parse_error():
    with pytest.raises(syntax.ParseError):
        formatter.format_source("strategy s { horizon = }", "b.hedge")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hedge_source())
def test_formatting_is_idempotent_keeps_meaning_and_comments(text):
    once = formatter.format_source(text, "f.hedge")
    assert formatter.format_source(once, "f.hedge") == once
    before, after = syntax.parse(text, "f.hedge"), syntax.parse(once, "f.hedge")
    assert lower(before, "f.hedge")[0] == lower(after, "f.hedge")[0]
    assert [c.text for c in after.comments] == [c.text for c in before.comments]
    for comment in before.comments:
        assert comment.text in once


# ---- the command -------------------------------------------------------------

def test_check_passes_on_the_examples():
    result = hedgec("fmt", "--check", str(SPECS))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""


def test_check_fails_with_a_diff_on_a_misformatted_copy(tmp_path):
    bad = tmp_path / "messy.hedge"
    bad.write_text(MESSY)
    result = hedgec("fmt", "--check", str(tmp_path))
    assert result.returncode == 1
    assert f"--- {bad} (original)" in result.stdout
    assert "-horizon=+90.0d" in result.stdout and "+  horizon = 90d" in result.stdout
    assert bad.read_text() == MESSY  # --check writes nothing


def test_fmt_rewrites_in_place_and_keeps_the_mode(tmp_path):
    bad = tmp_path / "messy.hedge"
    bad.write_text(MESSY)
    os.chmod(bad, 0o640)
    result = hedgec("fmt", str(bad))
    assert result.returncode == 0, result.stderr
    assert bad.read_text() == CANONICAL
    assert os.stat(bad).st_mode & 0o777 == 0o640
    assert hedgec("fmt", "--check", str(bad)).returncode == 0
    assert [p.name for p in tmp_path.iterdir()] == ["messy.hedge"]  # no temporary file left


def test_an_unparsable_file_is_left_untouched_with_exit_2(tmp_path):
    broken = tmp_path / "broken.hedge"
    broken.write_text("strategy s {\n  horizon = \n}\n")
    result = hedgec("fmt", str(broken))
    assert result.returncode == 2
    assert "error[H001]" in result.stderr
    assert broken.read_text() == "strategy s {\n  horizon = \n}\n"


def test_a_binary_file_is_reported_not_formatted(tmp_path):
    binary = tmp_path / "bin.hedge"
    binary.write_bytes(b"strategy\0")
    result = hedgec("fmt", str(binary))
    assert result.returncode == 2 and "error[H002]" in result.stderr


def test_stdin_is_formatted_to_stdout():
    result = hedgec("fmt", "-", stdin=MESSY, process=True)
    assert result.returncode == 0 and result.stdout == CANONICAL
    checked = hedgec("fmt", "--check", "-", stdin=MESSY)
    assert checked.returncode == 1 and "--- <stdin> (original)" in checked.stdout


def test_comment_after_two_closing_braces_stays_put_and_is_stable():
    # Found by the fuzz test: the inner empty block once kept two lines for a
    # comment that belonged to the outer block's `}`, and collapsed on the next run.
    text = 'strategy {}\nstrategy {strategy {}\n  strategy { #\n  }}  #\n'
    once = formatter.format_source(text, "f.hedge")
    assert formatter.format_source(once, "f.hedge") == once
    assert once.count("#") == 2
