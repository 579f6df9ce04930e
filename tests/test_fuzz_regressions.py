"""Each input the fuzz harness (or a person trying hedgec as a new user would)
found to crash a command, as a regression test: `check` refuses it with a
located diagnostic, or every command handles it."""
from __future__ import annotations

import json
import os
import threading

import pytest

import fuzz_harness
from conftest import SPECS, run_cli
from hedgec.compiler.pipeline import check_text

V2 = (SPECS / "eth-usdc-v2-neutral.hedge").read_text()


def _errors(text: str) -> list[tuple[str, int, int, str]]:
    return [(d.code, d.span.line, d.span.column, d.message) for d in check_text(text, "f.hedge").diagnostics
            if d.severity.value == "error"]


def _handled_by_every_command(text: str) -> fuzz_harness.Counts:
    harness = fuzz_harness.Harness()
    harness.run(text)
    assert (harness.counts.crashes, harness.counts.hangs) == (0, 0), harness.counts.failures
    return harness.counts


def _title(escape: str) -> str:
    text = V2.replace('"ETH/USDC v2 LP, delta-neutral', '"a' + escape + 'b')
    assert text != V2
    return text


@pytest.mark.parametrize("escape, shown", [("\\N", "\\N"), ("\\x", "\\x"), ("\\u12", "\\u"),
                                           ("\\U99999999", "\\U99999999"), ("\\0", "\\0")])
def test_an_unknown_escape_in_a_string_is_a_located_error(escape, shown):
    assert _errors(_title(escape)) == [("H007", 4, 15, f"`{shown}` is not an escape hedgec knows")]
    assert _handled_by_every_command(_title(escape)).refused == 1


def test_the_escapes_a_string_knows_are_decoded():
    from hedgec.compiler import syntax

    tree = syntax.parse('strategy s {\n  title = "a\\tb\\nc \\x41\\u00e9\\U0001F600"\n}\n', "f.hedge")
    assert tree.blocks[0].attributes[0].value.value == "a\tb\nc A\u00e9\U0001F600"
    assert _errors(_title("\\n")) == []


def test_the_two_escapes_a_string_knows_are_read_as_written():
    from hedgec.compiler import syntax

    tree = syntax.parse('strategy s {\n  title = "say \\"hi\\" C:\\\\dir\\\\"\n}\n', "f.hedge")
    assert tree.blocks[0].attributes[0].value.value == 'say "hi" C:\\dir\\'
    # an escaped backslash before a letter is two characters, not an escape of the letter
    assert _errors(_title("\\\\n")) == []


def test_fmt_refuses_a_bad_escape_with_its_location(tmp_path):
    path = tmp_path / "t.hedge"
    path.write_text(_title("\\xZ1"))
    code, out, err = fuzz_harness.run_command(["fmt", str(path)])
    assert code == 2 and f"{path}:4:15: error[H007]" in out + err and "internal error" not in err


@pytest.mark.parametrize("number, message", [
    ("1e9999999", "`1e9999999` is out of range (numbers must be below 1e15)"),
    ("-1e99999999", "`-1e99999999` is out of range (numbers must be below 1e15)"),
    ("1e-320", "`1e-320` is too small (nonzero numbers must be at least 1e-15)"),
    ("4.9e-324", "`4.9e-324` is too small (nonzero numbers must be at least 1e-15)"),
    ("1e-9999999", "`1e-9999999` is too small (nonzero numbers must be at least 1e-15)"),
])
def test_numbers_that_overflow_or_underflow_are_located_errors(number, message):
    text = V2.replace("price.ETH       = 3000 USDC", f"price.ETH       = {number} USDC")
    assert _errors(text) == [("H006", 9, 23, f"`price.ETH`: {message}")]


@pytest.mark.parametrize("key, value", [("vol.ETH ", "1e-320%"), ("price.ETH", "1e-300 USDC"),
                                        ("vol.ETH ", "1e-16%")])
def test_denormal_prices_and_volatilities_do_not_divide_by_zero(key, value):
    text = V2.replace("vol.ETH         = 60%", f"{key} = {value}") if key.startswith("vol") else \
        V2.replace("price.ETH       = 3000 USDC", f"price.ETH = {value}")
    assert [e[0] for e in _errors(text)] == ["H006"]
    _handled_by_every_command(text)


def test_the_smallest_and_largest_numbers_allowed_are_handled_by_every_command():
    text = V2.replace("vol.ETH         = 60%", "vol.ETH = 1e-13%").replace("gas_price       = 20 gwei",
                                                                          "gas_price = 999999999999999 gwei")
    assert not [e for e in _errors(text) if e[0] == "H006"]
    _handled_by_every_command(text)


COVER_PAID_BY_ITS_HEDGE = V2.replace("""    protects = lp
    amount   = 20000 USDC
    period   = 90d
    from     = main""", """    protects = lp
    amount   = 20000 USDC
    period   = 90d
    from     = hedge""")


def test_a_pools_cover_paid_for_by_the_pools_hedge_is_a_cycle_check_reports():
    assert COVER_PAID_BY_ITS_HEDGE != V2
    errors = _errors(COVER_PAID_BY_ITS_HEDGE)
    assert [e[0] for e in errors] == ["H109"], errors
    assert errors[0][3] == ("the legs cannot be put on in any order: lp --> hedge --> pool_cover --> lp "
                            "(each must come before the next)")
    counts = _handled_by_every_command(COVER_PAID_BY_ITS_HEDGE)
    assert counts.refused == 1


def test_checklist_and_build_refuse_the_cycle_cleanly(tmp_path):
    path = tmp_path / "c.hedge"
    path.write_text(COVER_PAID_BY_ITS_HEDGE)
    for argv in (["checklist", str(path)], ["build", str(path), "-o", str(tmp_path / "out")]):
        code, out, err = fuzz_harness.run_command(argv)
        assert code == 1 and "NetworkX" not in err + out and "internal error" not in err, (argv, err)


OVERFLOWING_FUNDING = """defaults:
  funding_apr:
    value: 1.0e+308
    unit: annual fraction
    note: absurd on purpose
    source: test
    read: "2026-11-25"
"""


def test_a_figure_that_overflows_is_a_located_error_and_json_stays_json(tmp_path):
    catalog = tmp_path / "overlay.yaml"
    catalog.write_text(OVERFLOWING_FUNDING)
    spec = tmp_path / "s.hedge"
    spec.write_text(V2.replace("    funding.ETH-USD = 8% apr       # positive: longs pay shorts\n", ""))
    code, out, err = fuzz_harness.run_command(["check", "--format", "json", "--catalog", str(catalog), str(spec)])
    assert code == 1, err
    assert fuzz_harness.json_problem(out) is None
    found = json.loads(out)["files"][0]
    assert found["figures"]["perps"]["hedge"]["funding"] is None
    h120 = [(d["code"], d["message"]) for d in found["diagnostics"] if d["code"] == "H120"]
    assert ("H120", "cannot compute the figures of `hedge`: funding is not finite") in h120
    code, out, err = fuzz_harness.run_command(["plan", "--catalog", str(catalog), str(spec)])
    assert code == 1 and "internal error" not in err


def test_a_price_in_an_asset_not_priced_in_the_base_is_an_error():
    text = V2.replace("price.ETH       = 3000 USDC", "price.ETH       = 3000 BTC")
    errors = _errors(text)
    assert errors[0] == ("H115", 9, 5, "`price.ETH` is in BTC, which is neither the base currency USDC nor priced in it")


def test_a_price_in_an_asset_priced_in_the_base_is_converted():
    text = V2.replace("price.ETH       = 3000 USDC", "price.ETH = 0.05 BTC\n    price.BTC = 60000 USDC")
    result = check_text(text, "f.hedge")
    assert result.ok
    assert result.figures["prices"] == {"BTC": 60000.0, "ETH": 3000.0}
    assert result.figures["perps"]["hedge"]["liquidation_price"] == pytest.approx(5825.24, abs=0.01)


# ---- unbounded reads: every read stops at the limit, files and streams alike --------------------

def test_check_of_dev_zero_is_refused_at_the_limit():
    code, out, err = run_cli("check", "/dev/zero")
    assert code == 1 and "/dev/zero:1:1: error[H004]: the input is larger than the 1.0 MiB hedgec reads" in out


def test_an_endless_stdin_is_refused_at_the_limit():
    import subprocess
    import sys

    with open("/dev/zero", "rb") as zeros:
        proc = subprocess.run([sys.executable, "-m", "hedgec", "check", "-"], stdin=zeros, capture_output=True,
                              timeout=60)
    assert proc.returncode == 1 and b"<stdin>:1:1: error[H004]" in proc.stdout


def test_a_fifo_written_without_end_is_refused_at_the_limit(tmp_path):
    fifo = tmp_path / "pipe.hedge"
    os.mkfifo(fifo)

    def write_forever():
        try:
            with open(fifo, "w") as handle:
                while True:
                    handle.write("# padding\n" * 1000)
        except BrokenPipeError:
            pass

    writer = threading.Thread(target=write_forever, daemon=True)
    writer.start()
    result = check_text_file(str(fifo))
    writer.join(timeout=10)
    assert [d.code for d in result.diagnostics] == ["H004"]


def check_text_file(path: str):
    from hedgec.compiler.pipeline import check_file

    return check_file(path)


@pytest.mark.parametrize("option", ["--catalog", "--prices"])
def test_catalog_and_price_files_from_a_device_are_refused_cleanly(option):
    code, out, err = run_cli("simulate", str(SPECS / "eth-usdc-v2-neutral.hedge"), option, "/dev/zero",
                             "--paths", "10")
    assert code == 2 and err.startswith("hedgec: error: /dev/zero") and "larger than" in err, err


@pytest.mark.parametrize("settings", ['select = ["H2"]', 'ignore = ["H1", "H7"]', None])
def test_no_selection_passes_a_strategy_whose_figures_cannot_be_computed(settings):
    """`price.USDC` given in place of `price.ETH`: no figures for the pool and its hedge (H115). A selection
    skipped the check that says so, and check passed what every other command then refused."""
    text = V2.replace("price.ETH       = 3000 USDC", "price.USDC = 3000 USDC")
    harness = fuzz_harness.Harness()
    harness.run(text, f"{settings}\n" if settings else None)
    assert (harness.counts.refused, harness.counts.crashes) == (1, 0), harness.counts.failures
    from hedgec.compiler.config import Config

    config = Config(select=("H2",)) if settings and "select" in settings else Config()
    found = check_text(text, "f.hedge", config).diagnostics
    assert [d.code for d in found if d.severity.value == "error"] == ["H115", "H115"]
