"""The command line: exit codes, formats, folders, determinism, bad input."""
import json
import shutil

import jsonschema
import pytest

from conftest import ROOT, SPECS, run_cli, run_process


def test_clean_example_exits_0():
    code, out, err = run_process("check", str(SPECS / "eth-usdc-v2-neutral.hedge"))
    assert code == 0, out + err
    assert "checked 1 file: 0 errors" in out


def test_structural_fault_exits_1_with_location(tmp_path, v2_text):
    bad = tmp_path / "bad.hedge"
    bad.write_text(v2_text.replace("collateral = 10000 USDC", "colateral = 10000 USDC"))
    code, out, _ = run_cli("check", str(bad))
    assert code == 1
    assert f"{bad}:35:5: error[H102]: `perp` has no key `colateral`" in out
    assert "35 |     colateral = 10000 USDC\n" in out and "   |     ^^^^^^^^^\n" in out
    assert "hint: did you mean `collateral`?" in out


def test_folder_is_searched_recursively_and_sorted(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    shutil.copy(SPECS / "eth-usdc-v2-neutral.hedge", tmp_path / "a" / "b" / "z.hedge")
    shutil.copy(SPECS / "eth-usdc-v3-range.hedge", tmp_path / "a" / "y.hedge")
    (tmp_path / "a" / "notes.txt").write_text("not a strategy")
    code, out, _ = run_cli("check", "--format", "json", str(tmp_path))
    paths = [f["path"] for f in json.loads(out)["files"]]
    assert paths == [str(tmp_path / "a" / "b" / "z.hedge"), str(tmp_path / "a" / "y.hedge")]


def test_json_output_validates_against_its_schema(tmp_path, v2_text):
    bad = tmp_path / "bad.hedge"
    bad.write_text(v2_text.replace("hedges     = lp", "hedges     = nowhere"))
    code, out, _ = run_cli("check", "--format", "json", str(SPECS), str(bad))
    doc = json.loads(out)
    schema = json.loads((ROOT / "specs" / "schema" / "check.schema.json").read_text())
    jsonschema.validate(doc, schema)
    assert code == 1 and doc["summary"]["errors"] >= 1
    (entry,) = [f for f in doc["files"] if f["path"] == str(bad)]
    assert entry["ok"] is False and entry["diagnostics"][0]["code"] == "H107"


def test_output_is_byte_identical_across_runs():
    first = run_process("check", "--format", "json", str(SPECS), env={"PYTHONHASHSEED": "1"})
    second = run_process("check", "--format", "json", str(SPECS), env={"PYTHONHASHSEED": "2"})
    assert first == second
    assert run_cli("check", str(SPECS))[1] == run_cli("check", str(SPECS))[1]


def test_github_format(tmp_path, v2_text):
    bad = tmp_path / "bad.hedge"
    bad.write_text(v2_text.replace("leverage   = 1x", "leverage   = 1"))
    code, out, _ = run_cli("check", "--format", "github", str(bad))
    assert code == 1
    assert out.startswith(f"::error file={bad},line=36,col=18,")
    assert "title=H104::`leverage`: expected leverage, e.g. `2.5x`" in out


def test_usage_errors_exit_2(tmp_path):
    assert run_process()[0] == 2
    assert run_cli("check")[0] == 2
    assert run_cli("check", "--format", "xml", str(SPECS))[0] == 2
    assert run_cli("frobnicate")[0] == 2
    (tmp_path / "empty").mkdir()
    code, _, err = run_cli("check", str(tmp_path / "empty"))
    assert code == 2 and "no .hedge files" in err


def test_broken_catalog_is_a_usage_error_naming_file_and_path(tmp_path):
    overlay = tmp_path / "mine.yaml"
    overlay.write_text("venues:\n  dydx:\n    markets:\n      BTC-USD:\n        imf: -1\n")
    code, out, err = run_cli("check", "--catalog", str(overlay), str(SPECS / "eth-usdc-v2-neutral.hedge"))
    assert code == 2 and "Traceback" not in err
    assert str(overlay) in err and "venues.dydx.markets.BTC-USD.imf" in err


def test_catalog_overlay_changes_the_outcome(tmp_path, v2_text):
    overlay = tmp_path / "mine.yaml"
    overlay.write_text("venues:\n  dydx:\n    markets:\n      DOGE-USD:\n        base: DOGE\n        quote: USD\n"
                       "        imf: 0.1\n        mmf: 0.05\n        source: my desk\n        read: '2026-11-25'\n")
    text = tmp_path / "doge.hedge"
    text.write_text(v2_text.replace("ETH-USD", "DOGE-USD"))
    assert "H112" in run_cli("check", str(text))[1]
    assert "H112" not in run_cli("check", "--catalog", str(overlay), str(text))[1]


def test_stdin(v2_text):
    code, out, _ = run_cli("check", "-", stdin=v2_text.encode())
    assert code == 0
    code, out, _ = run_process("check", "-", stdin=b"strategy s {\n  horizon = 30\n}\n")
    assert code == 1 and out.startswith("<stdin>:2:13: error[H104]")


def test_rules_and_explain():
    code, out, _ = run_cli("rules")
    assert code == 0 and "H102  error    unknown-key" in out
    code, out, _ = run_cli("explain", "H102")
    assert code == 0 and out.startswith("H102 unknown-key (error, structure)") and "colateral" in out
    assert run_cli("explain", "unknown-key")[0] == 0
    code, _, err = run_cli("explain", "H999")
    assert code == 2 and "no rule or threshold `H999`" in err


def test_explain_a_threshold():
    code, out, _ = run_cli("explain", "Health-Factor-Act")
    assert code == 0 and out.startswith("health-factor-act (threshold, default 1.1; above 1, at most 100, at most "
                                        "`health-factor-alert`)") and "    health-factor-act = 1.1\n" in out
    code, _, err = run_cli("explain", "size-tolerence")
    assert code == 2 and "did you mean `size-tolerance`?" in err


BAD_INPUTS = {
    "empty": (b"", "H003", (1, 1)),
    "only-comments": (b"# nothing here\n", "H003", (1, 1)),
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00", "H002", (3, 1)),
    "latin-1": ("strategy s {\n  title = \"caf\u00e9\"\n}\n".encode("latin-1"), "H002", (2, 15)),
    "truncated": (b"strategy s {\n  horizon = 30d\n  pool lp {\n    venue = uniswap_v2\n", "H001", (4, 23)),
    "unknown-key": (b"strategy s {\n  horizon = 30d\n  risk = high\n}\n", "H102", (3, 3)),
    "huge-number": (b"strategy s {\n  horizon = 1e999d\n}\n", "H006", (2, 13)),
    "deeply-nested": (b"strategy s {\n" + b"a {\n" * 10000 + b"}\n" * 10001, "H005", (9, 3)),
    "negative-zero": (b"strategy s {\n  horizon = 30d\n  wallet w {\n    gas = -0 ETH\n  }\n}\n", "H006", (4, 11)),
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_inputs_get_one_located_diagnostic(tmp_path, name):
    data, code, (line, column) = BAD_INPUTS[name]
    path = tmp_path / f"{name}.hedge"
    path.write_bytes(data)
    exit_code, out, err = run_cli("check", "--format", "json", str(path))
    assert exit_code == 1 and "Traceback" not in err
    (entry,) = json.loads(out)["files"]
    first = entry["diagnostics"][0]
    assert (first["code"], first["line"], first["column"]) == (code, line, column)


def test_ten_megabyte_file_and_missing_file_do_not_stop_the_others(tmp_path):
    big = tmp_path / "big.hedge"
    big.write_bytes(b"# padding\n" * 1_100_000)
    code, out, err = run_cli("check", str(big), str(tmp_path / "missing.hedge"),
                             str(SPECS / "eth-usdc-v2-neutral.hedge"))
    assert code == 1 and "Traceback" not in err
    assert f"{big}:1:1: error[H004]: the file is 10.5 MiB" in out
    assert f"{tmp_path / 'missing.hedge'}:1:1: error[H002]: cannot read the file" in out
    assert "checked 3 files: 2 errors" in out


def test_parallel_check_gives_the_same_report(tmp_path):
    for i in range(70):  # above the size where check runs worker processes
        text = (SPECS / "eth-usdc-v2-neutral.hedge").read_text()
        (tmp_path / f"s{i:02}.hedge").write_text(text.replace("leverage   = 1x", f"leverage   = {1 + i % 30}x"))
    serial = run_cli("check", "--format", "json", "--jobs", "1", str(tmp_path))
    parallel = run_cli("check", "--format", "json", "--jobs", "2", str(tmp_path))
    assert serial == parallel and serial[0] == 1
    assert run_cli("check", "--jobs", "0", str(tmp_path))[0] == 2


@pytest.mark.parametrize("command", sorted(__import__("hedgec.cli.main", fromlist=["COMMANDS"]).COMMANDS))
def test_every_command_has_help(command, capsys):
    from hedgec.cli.main import main

    assert main([command, "--help"]) == 0
    assert f"hedgec {command}" in capsys.readouterr().out


def test_internal_errors_are_reported_without_a_traceback(monkeypatch, capsys):
    from hedgec.cli import check
    from hedgec.cli.main import main

    def broken(args):
        raise RuntimeError("boom")

    monkeypatch.setattr(check, "run", broken)
    monkeypatch.delenv("HEDGEC_DEBUG", raising=False)
    assert main(["check", str(SPECS)]) == 2
    err = capsys.readouterr().err
    assert "internal error: RuntimeError: boom" in err and "Traceback" not in err


def test_an_internal_error_quoting_a_whole_object_is_cut_short(monkeypatch, capsys):
    from hedgec.cli import check
    from hedgec.cli.main import main

    def broken(args):
        raise RuntimeError("cannot send \x1b[2J" + "x" * 100_000)

    monkeypatch.setattr(check, "run", broken)
    monkeypatch.delenv("HEDGEC_DEBUG", raising=False)
    assert main(["check", str(SPECS)]) == 2
    err = capsys.readouterr().err
    assert "internal error: RuntimeError: cannot send \\x1b[2Jxxx" in err and "(99,516 more characters)" in err
    assert len(err) < 1000 and "\x1b" not in err


def test_a_run_collects_garbage_less_often_and_restores_the_setting(monkeypatch):
    import gc

    from hedgec.cli import check
    from hedgec.cli.main import main

    seen = []
    monkeypatch.setattr(check, "run", lambda args: seen.append((gc.isenabled(), gc.get_threshold())) or 0)
    before = gc.get_threshold()
    assert main(["check", str(SPECS)]) == 0 and main(["rules"]) == 0
    assert seen[0] == (True, (200_000, *before[1:])) and gc.get_threshold() == before and gc.isenabled()
    try:  # the command itself (entry) leaves the process next: check collects nothing, and nothing is put back
        assert main(["check", str(SPECS)], then_exit=True) == 0
        assert seen[1][0] is False and not gc.isenabled()
    finally:
        gc.set_threshold(*before)
        gc.enable()


def _collecting(path, args) -> bool:
    import gc

    return gc.isenabled()


def test_check_workers_collect_garbage_though_the_command_does_not(tmp_path, monkeypatch, v2_text):
    """A worker drops each file's result once sent: it has garbage to collect."""
    import argparse
    import gc

    from hedgec.cli import check
    from hedgec.cli.main import collector_for_a_run

    paths = []
    for i in range(check.PARALLEL_MIN_FILES):
        paths.append(tmp_path / f"s{i}.hedge")
        paths[-1].write_text(v2_text)
    monkeypatch.setattr(check, "_check_for_report", _collecting)
    args = argparse.Namespace(jobs=2, format="text", select=None, ignore=None, config=None, catalog=None)
    with collector_for_a_run(off=True):
        assert not gc.isenabled()
        assert check.check_all([str(p) for p in paths], args) == [True] * len(paths)
    assert gc.isenabled()


NUMPY_PROBE = """
import sys
from hedgec.cli.main import main
for path in sys.argv[1:]:
    code = main(["check", path])
    print("numpy" in sys.modules, code)
"""


@pytest.mark.parametrize("examples, loaded", [
    (("eth-usdc-v2-neutral", "eth-usdc-v2-aave-borrow"), ["False 0", "True 0"]),
    (("eth-usdc-v2-straddle",), ["True 0"]),
])
def test_check_loads_numpy_only_for_the_formulas_that_need_it(examples, loaded):
    """numpy is a third of a small file's start-up: a perp hedge is checked without
    it; a loan or an option loads it (each in a fresh process: it stays loaded)."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", NUMPY_PROBE, *(str(SPECS / f"{e}.hedge") for e in examples)],
                          capture_output=True, text=True, check=True)
    assert [line for line in done.stdout.split("\n") if line.startswith(("True", "False"))] == loaded
