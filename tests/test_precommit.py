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

    def run(repo, hook: str | None):
        hooks = [hook] if hook else []
        return subprocess.run([*_pre_commit(), "try-repo", str(ROOT), *hooks, "--all-files"], cwd=repo,
                              env=env, capture_output=True, text=True, timeout=600)
    return run


def throwaway_repo(path, files: dict[str, str]):
    subprocess.run(["git", "init", "-q", str(path)], check=True)
    for name, text in files.items():
        (path / name).write_text(text)
    subprocess.run(["git", "add", *files], cwd=path, check=True)
    return path


def test_hooks_reject_then_accept(try_repo, tmp_path):
    example = (ROOT / "specs" / "eth-usdc-v2-neutral.hedge").read_text()
    repo = throwaway_repo(tmp_path, {"a.hedge": MESSY, "b.hedge": BROKEN, "notes.txt": "horizon=1d\n"})
    first = try_repo(repo, None)  # both hooks
    assert first.returncode == 1, first.stdout
    assert "files were modified by this hook" in first.stdout  # hedgec-fmt rewrote a.hedge
    assert "error[H001]" in first.stdout  # hedgec-check (and fmt) refuse b.hedge
    assert (repo / "a.hedge").read_text() == "strategy s {\n  horizon = 1d\n}\n"
    assert (repo / "b.hedge").read_text() == BROKEN  # unparsable: left untouched
    assert (repo / "notes.txt").read_text() == "horizon=1d\n"  # not a .hedge file
    (repo / "b.hedge").write_text(example)
    subprocess.run(["git", "add", "a.hedge", "b.hedge"], cwd=repo, check=True)
    second = try_repo(repo, None)
    assert second.returncode == 0, second.stdout
    assert "hedgec check" in second.stdout and "hedgec fmt" in second.stdout
