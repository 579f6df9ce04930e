"""The artefact commands: exit codes, refusal of broken strategies, files written."""
import json

import pytest

from hedgec.cli.main import main
from targets_support import TWO_POOLS, clean_examples, rejected_examples, validator

EXAMPLE = str(clean_examples()[0])
BROKEN = TWO_POOLS.replace("hedges     = eth_lp", "hedges     = eth_pool")  # an undefined reference


@pytest.fixture
def broken(tmp_path):
    path = tmp_path / "broken.hedge"
    path.write_text(BROKEN)
    return str(path)


@pytest.mark.parametrize("command", ["plan", "checklist", "graph"])
def test_a_strategy_with_errors_exits_1_with_diagnostics(command, broken, capsys):
    assert main([command, broken]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert "eth_pool" in err and "error" in err


def test_build_refuses_a_broken_strategy_and_writes_nothing(broken, tmp_path, capsys):
    out_dir = tmp_path / "out"
    assert main(["build", broken, "-o", str(out_dir)]) == 1
    assert not out_dir.exists()


@pytest.mark.parametrize("path", rejected_examples(), ids=lambda p: p.stem)
def test_rejected_examples_get_no_checklist(path, capsys):
    assert main(["checklist", str(path)]) == 1
    err = capsys.readouterr().err
    assert "error[H301]" in err and "maximum" in err


def test_plan_json_on_stdout_validates(capsys):
    assert main(["plan", EXAMPLE, "--format", "json", "--seed", "42"]) == 0
    doc = json.loads(capsys.readouterr().out)
    validator("plan").validate(doc)
    assert doc["scenarios"]["monte_carlo"]["seed"] == 42


def test_plan_option_out_of_range_is_a_usage_error(capsys):
    assert main(["plan", EXAMPLE, "--loss-share", "1.5"]) == 2
    assert "--loss-share" in capsys.readouterr().err


def test_output_file_is_written(tmp_path, capsys):
    target = tmp_path / "deep" / "checklist.md"
    assert main(["checklist", EXAMPLE, "-o", str(target)]) == 0
    assert capsys.readouterr().out == ""
    assert target.read_text().startswith("# Execution checklist")


def test_build_writes_every_artefact_identically_twice(tmp_path, capsys):
    first, second = tmp_path / "a", tmp_path / "b"
    assert main(["build", EXAMPLE, "-o", str(first)]) == 0
    assert main(["build", EXAMPLE, "-o", str(second)]) == 0
    names = ["checklist.json", "checklist.md", "graph.dot", "graph.mmd", "plan.json", "plan.yaml"]
    assert sorted(p.name for p in first.iterdir()) == names
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes()
    assert f"wrote {first / 'plan.yaml'}" in capsys.readouterr().out
    validator("checklist").validate(json.loads((first / "checklist.json").read_text()))


def test_build_needs_an_output_folder(capsys):
    assert main(["build", EXAMPLE]) == 2


def test_the_checklist_follows_the_alert_levels_of_the_settings_file(tmp_path, capsys):
    from targets_support import SPECS

    def checklist(settings: str | None):
        folder = tmp_path / str(len(list(tmp_path.iterdir())))  # settings are read once per folder and run
        folder.mkdir()
        (folder / "loan.hedge").write_text((SPECS / "eth-usdc-v2-aave-borrow.hedge").read_text())
        if settings is not None:
            (folder / "hedgec.toml").write_text("[thresholds]\n" + settings)
        code = main(["checklist", str(folder / "loan.hedge")])
        return code, *capsys.readouterr()

    assert "Set health factor alerts on `short_eth` at 1.25 and 1.1" in checklist(None)[1]
    code, out, _ = checklist("health-factor-alert = 1.5\nhealth-factor-act = 1.3\n")
    assert code == 0 and "Set health factor alerts on `short_eth` at 1.5 and 1.3" in out
    code, _, err = checklist("health-factor-act = 1.3\n")  # above the 1.25 alert
    assert code == 2 and "`health-factor-act` (1.3) must not be above `health-factor-alert` (1.25)" in err
