"""The Python API of docs/api.md: the doc's example runs as written, and the
API answers as the commands do."""
from __future__ import annotations

import os
import re
import subprocess
import sys

import numpy as np
import pytest

import hedgec
from conftest import ROOT, SPECS

V2 = (SPECS / "eth-usdc-v2-neutral.hedge").read_text()


def test_the_docs_example_runs(capsys):
    blocks = re.findall(r"```python\n(.*?)```", (ROOT / "docs" / "api.md").read_text(), re.S)
    assert len(blocks) == 3
    namespace: dict = {}
    cwd = os.getcwd()
    os.chdir(ROOT)  # the example's paths are relative to the repository, as in a notebook opened there
    try:
        for block in blocks:
            exec(compile(block, "docs/api.md", "exec"), namespace)
    finally:
        os.chdir(cwd)
    out = capsys.readouterr().out
    # short 1x: liquidation P = (C + s E) / (s (1 + mmf)) = 20000 / 3.43333 = 5,825.24 USDC (test_diff.py)
    assert "liquidation at 5,825.24 USDC" in out
    # 25x: over dYdX's 20x cap for ETH-USD (H301), and liquidation 1/25 away is near certain (H304)
    assert "False ['H304 at line 29', 'H301 at line 36']" in out and "2 errors" in out
    assert namespace["sim"].summary.paths == 2000 and namespace["plan"]["strategy"]["horizon_days"] == 90.0


def test_the_readme_example_runs():
    block = (ROOT / "README.md").read_text().split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict = {}
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        exec(compile(block, "README.md", "exec"), namespace)
    finally:
        os.chdir(cwd)
    assert namespace["result"].ok and namespace["text"].startswith("# Execution checklist")
    assert namespace["sim"].summary.paths == 2000


def test_import_hedgec_is_cheap():
    probe = "import sys, hedgec; print(sorted(m for m in ('numpy', 'lark', 'networkx', 'hedgec.api') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
    assert "check_file" in dir(hedgec)
    with pytest.raises(AttributeError):
        hedgec.no_such_function


def test_check_gives_what_check_json_gives(tmp_path, capsys):
    path = tmp_path / "s.hedge"
    path.write_text(V2.replace("leverage   = 1x", "leverage   = 25x"))
    result = hedgec.check_file(path)
    from hedgec.cli.main import main

    code, out = main(["check", "--format", "json", str(path)]), capsys.readouterr().out
    import json

    files = json.loads(out)["files"][0]
    assert result.ok is files["ok"] is False and code == 1
    assert [(d.code, d.severity, d.line, d.column, d.message, d.hint) for d in result.diagnostics] == \
        [(d["code"], d["severity"], d["line"], d["column"], d["message"], d["hint"]) for d in files["diagnostics"]]
    assert json.loads(json.dumps(result.figures, default=str)) == files["figures"]


def test_check_file_reads_the_settings_above_it(tmp_path):
    (tmp_path / "hedgec.toml").write_text('[tool.hedgec]\nignore = ["H507"]\n')
    (tmp_path / "s.hedge").write_text(V2)
    assert "H507" in {d.code for d in hedgec.check_text(V2).diagnostics}
    assert "H507" not in {d.code for d in hedgec.check_file(tmp_path / "s.hedge").diagnostics}
    (tmp_path / "hedgec.toml").write_text('[tool.hedgec]\nignroe = ["H507"]\n')
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "hedgec.toml").write_text('ignroe = ["H507"]\n')
    with pytest.raises(hedgec.HedgecError, match="did you mean `ignore`"):
        hedgec.check_file(tmp_path / "other" / "s.hedge")


def test_plan_and_checklist_are_the_commands_output(tmp_path, capsys):
    path = tmp_path / "s.hedge"
    path.write_text(V2)
    import json

    from hedgec.cli.main import main
    from hedgec.targets.serialize import FORMATS

    assert main(["plan", "--format", "json", str(path)]) == 0
    assert FORMATS["json"](hedgec.plan(path)) == capsys.readouterr().out
    assert main(["checklist", str(path)]) == 0
    assert hedgec.checklist(hedgec.check_file(path)) == capsys.readouterr().out
    assert json.loads(hedgec.checklist(path, format="json"))["strategy"]
    with pytest.raises(ValueError):
        hedgec.checklist(path, format="pdf")


def test_simulation_arrays():
    result = hedgec.check_text(V2, name="v2.hedge")
    sim = hedgec.simulate(result, paths=1000, seed=3)
    again = hedgec.simulate(result, paths=1000, seed=3, workers=2)
    assert sim.summary == again.summary  # the seed decides, not the workers
    assert sim.summary.paths == 1000 and sim.return_counts.sum() == 1000
    assert isinstance(sim.grid["hedged"], np.ndarray) and len(sim.return_edges) == len(sim.return_counts) + 1
    grid = sim.grid
    at_entry = int(np.argmin(abs(grid["ratios"] - 1.0)))
    assert grid["prices"][at_entry] == pytest.approx(3000.0)  # price.ETH
    # v2 at entry: no impermanent loss, the pool is worth its 20,000 USDC deposit
    assert grid["impermanent_loss"][at_entry] == pytest.approx(0.0, abs=1e-12)


def test_a_strategy_with_errors_compiles_to_nothing():
    broken = hedgec.check_text(V2.replace("protects = lp", "protects = nowhere"), name="b.hedge")
    assert not broken.ok and broken.figures == {}
    with pytest.raises(hedgec.StrategyError) as caught:
        hedgec.simulate(broken, paths=10)
    assert [d.code for d in caught.value.diagnostics] == ["H107"]
    assert "b.hedge:" in str(caught.value)


def test_check_file_reads_the_settings_as_they_are_now(tmp_path):
    """A Python session runs on while its settings are added and edited."""
    path = tmp_path / "s.hedge"
    path.write_text((SPECS / "eth-usdc-v2-neutral.hedge").read_text().replace("leverage   = 1x", "leverage   = 5x"))
    codes = lambda: {d.code for d in hedgec.check_file(path).diagnostics}  # noqa: E731
    assert "H305" in codes()
    (tmp_path / "hedgec.toml").write_text("[thresholds]\nadvised-max-leverage = 10\n")
    assert "H305" not in codes()
    (tmp_path / "hedgec.toml").write_text("[thresholds]\nadvised-max-leverage = 2\n")
    assert "H305" in codes()
    (tmp_path / "hedgec.toml").write_text("[thresholds]\nadvised-max-leverage = 0\n")
    with pytest.raises(hedgec.HedgecError, match="advised-max-leverage"):
        hedgec.check_file(path)
