"""The shipped pre-commit hooks, run by pre-commit itself in a throwaway repository."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
from ruamel.yaml import YAML

from conftest import ROOT

MESSY = "strategy s {\nhorizon=1d\n}\n"
BROKEN = "strategy s {\n  horizon = \n}\n"


def test_the_hooks_run_hedgec_on_hedge_files():
    hooks = {h["id"]: h for h in YAML(typ="safe").load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert hooks["hedgec-check"]["entry"] == "hedgec check"
    assert hooks["hedgec-fmt"]["entry"] == "hedgec fmt"
    assert all(h["files"] == r"\.hedge$" and h["language"] == "python" for h in hooks.values())


def _pre_commit() -> list[str] | None:
    try:
        import pre_commit  # noqa: F401
    except ImportError:
        return None
    return [sys.executable, "-m", "pre_commit"]


def _in_git_checkout() -> bool:
    if shutil.which("git") is None:
        return False
    probe = subprocess.run(["git", "rev-parse", "--is-inside-work-tree"], cwd=ROOT, capture_output=True)
    return probe.returncode == 0


@pytest.fixture(scope="module")
def try_repo(tmp_path_factory):
    if _pre_commit() is None:
        pytest.skip("pre-commit is not installed (pip install pre-commit)")
    if not _in_git_checkout():
        pytest.skip("pre-commit try-repo needs hedgec's own git checkout")
    home = tmp_path_factory.mktemp("pre-commit-home")
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "GIT_AUTHOR_NAME": "t", "GIT_COMMITTER_NAME": "t",
           "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_EMAIL": "t@example.org"}

    def run(repo, hook: str):
        return subprocess.run([*_pre_commit(), "try-repo", str(ROOT), hook, "--all-files"], cwd=repo,
                              env=env, capture_output=True, text=True, timeout=600)
    return run


def throwaway_repo(path, files: dict[str, str]):
    subprocess.run(["git", "init", "-q", str(path)], check=True)
    for name, text in files.items():
        (path / name).write_text(text)
    subprocess.run(["git", "add", *files], cwd=path, check=True)
    return path


def test_fmt_hook_rewrites_then_passes(try_repo, tmp_path):
    repo = throwaway_repo(tmp_path, {"a.hedge": MESSY, "notes.txt": "horizon=1d\n"})
    first = try_repo(repo, "hedgec-fmt")
    assert first.returncode == 1, first.stdout
    assert "files were modified by this hook" in first.stdout
    assert (repo / "a.hedge").read_text() == "strategy s {\n  horizon = 1d\n}\n"
    assert (repo / "notes.txt").read_text() == "horizon=1d\n"  # not a .hedge file
    subprocess.run(["git", "add", "a.hedge"], cwd=repo, check=True)
    second = try_repo(repo, "hedgec-fmt")
    assert second.returncode == 0, second.stdout


def test_check_hook_fails_on_a_broken_strategy_and_passes_on_an_example(try_repo, tmp_path):
    example = (ROOT / "specs" / "eth-usdc-v2-neutral.hedge").read_text()
    broken = try_repo(throwaway_repo(tmp_path / "broken", {"s.hedge": BROKEN}), "hedgec-check")
    assert broken.returncode == 1 and "error[H001]" in broken.stdout
    good = try_repo(throwaway_repo(tmp_path / "good", {"s.hedge": example}), "hedgec-check")
    assert good.returncode == 0, good.stdout
