"""`hedgec init [DIR]`: a folder a desk can start from in one command."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from hedgec.cli.main import main
from hedgec.compiler.config import DEFAULT_THRESHOLDS, load_config

WRITTEN = ("strategies/starter.hedge", "hedgec.toml", ".pre-commit-config.yaml", ".github/workflows/hedge.yml")


def test_init_writes_a_starter_that_checks_clean(tmp_path, capsys):
    assert main(["init", str(tmp_path)]) == 0
    err = capsys.readouterr().err
    for name in WRITTEN:
        assert (tmp_path / name).is_file() and f"created {tmp_path / name}" in err
    starter = tmp_path / "strategies" / "starter.hedge"
    assert starter.read_text().startswith("# A starter strategy")
    assert main(["check", "--min-severity", "warning", "--format", "json", str(tmp_path / "strategies")]) == 0
    assert '"errors": 0' in capsys.readouterr().out
    assert main(["check", "--strict", str(starter)]) == 0  # not even a warning
    capsys.readouterr()
    assert main(["fmt", "--diff", str(starter)]) == 0  # already in canonical layout


def test_the_settings_file_holds_every_threshold_at_its_default(tmp_path, capsys):
    main(["init", str(tmp_path)])
    settings = tmp_path / "hedgec.toml"
    assert load_config(settings).thresholds == DEFAULT_THRESHOLDS
    uncommented = settings.read_text().replace("\n# ", "\n").replace("uncomment to change", "# uncomment")
    edited = tmp_path / "edited" / "hedgec.toml"
    edited.parent.mkdir()
    edited.write_text(uncommented)
    config = load_config(edited)
    assert set(DEFAULT_THRESHOLDS) <= set(uncommented.split()) and config.thresholds == DEFAULT_THRESHOLDS


def test_a_fresh_process_lists_every_threshold_too():
    """Thresholds are declared when the registry is built: init builds it (a
    test process may have built it already, so this runs in a new one)."""
    import subprocess
    import sys

    from hedgec.compiler.registry import registry

    written = subprocess.run([sys.executable, "-c", "from hedgec.cli.init import settings; print(settings())"],
                             capture_output=True, text=True, check=True).stdout
    listed = {line.split()[1] for line in written.splitlines() if line.startswith("# ") and " = " in line}
    assert listed == set(registry().thresholds) | {"max-file-bytes"} and "perp-alert-share" in listed


def test_init_never_overwrites(tmp_path, capsys):
    (tmp_path / "strategies").mkdir()
    (tmp_path / "strategies" / "starter.hedge").write_text("mine\n")
    (tmp_path / "pyproject.toml").write_text("[tool.hedgec]\nignore = [\"H5\"]\n")
    assert main(["init", str(tmp_path)]) == 0
    err = capsys.readouterr().err
    assert (tmp_path / "strategies" / "starter.hedge").read_text() == "mine\n"
    assert f"kept {tmp_path / 'strategies' / 'starter.hedge'}: it exists (not overwritten)" in err
    assert not (tmp_path / "hedgec.toml").exists()  # it would shadow the pyproject settings
    assert "kept the settings in" in err and "pyproject.toml [tool.hedgec]" in err
    workflow = tmp_path / ".github" / "workflows" / "hedge.yml"
    workflow.write_text("changed\n")
    assert main(["init", str(tmp_path)]) == 0
    assert workflow.read_text() == "changed\n" and "created" not in capsys.readouterr().err


def test_init_into_a_file_is_a_usage_error(tmp_path, capsys):
    (tmp_path / "taken").write_text("a file\n")
    assert main(["init", str(tmp_path / "taken")]) == 2
    assert "hedgec: error: cannot write" in capsys.readouterr().err


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_the_pre_commit_config_runs_hedgec(tmp_path):
    pytest.importorskip("pre_commit")
    main(["init", str(tmp_path)])
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / ".cache"),
           "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")}
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    (tmp_path / "strategies" / "messy.hedge").write_text("strategy s {\nhorizon=1d\n}\n")
    subprocess.run(["git", "add", "."], cwd=tmp_path, check=True)

    def pre_commit():
        return subprocess.run([sys.executable, "-m", "pre_commit", "run", "--all-files"], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=300)
    done = pre_commit()
    assert done.returncode == 1 and "files were modified by this hook" in done.stdout  # hedgec fmt
    assert (tmp_path / "strategies" / "messy.hedge").read_text() == "strategy s {\n  horizon = 1d\n}\n"
    assert re.search(r"hedgec check\.+Passed", done.stdout)  # the starter and the formatted file check clean
    assert (tmp_path / "strategies" / "starter.hedge").read_text().startswith("# A starter strategy")
