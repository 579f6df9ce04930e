"""The shipped pre-commit hooks, run by pre-commit itself in a throwaway repository."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from importlib.metadata import PackageNotFoundError, version

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
def run_hooks(tmp_path_factory):
    """Run the hooks of hedgec's working tree with pre-commit, as a user's repository would.

    The working tree (uncommitted changes too) is committed once into a snapshot
    repository, and every run names that snapshot and revision with one
    PRE_COMMIT_HOME: pre-commit builds the hooks' environment once per test run
    (`pre-commit try-repo` would build it afresh for each call)."""
    if _pre_commit() is None:
        pytest.skip("pre-commit is not installed (pip install pre-commit)")
    if not _in_git_checkout():
        pytest.skip("pre-commit needs hedgec's own git checkout to snapshot")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path_factory.mktemp("pre-commit-home")),
           "GIT_AUTHOR_NAME": "t", "GIT_COMMITTER_NAME": "t",
           "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_EMAIL": "t@example.org",
           **_shared_dependencies()}
    snapshot, rev = _snapshot(tmp_path_factory.mktemp("hedgec-snapshot"), env)
    config = tmp_path_factory.mktemp("config") / ".pre-commit-config.yaml"
    config.write_text(f"repos:\n- repo: {snapshot}\n  rev: {rev}\n  hooks:\n"
                      "  - id: hedgec-check\n  - id: hedgec-fmt\n")

    def run(repo):
        return subprocess.run([*_pre_commit(), "run", "-c", str(config), "--all-files"], cwd=repo,
                              env=env, capture_output=True, text=True, timeout=600)
    return run


def _shared_dependencies() -> dict[str, str]:
    """Let the hooks' environment see the packages this run already has.

    pre-commit still builds hedgec from the snapshot into a fresh environment
    and runs it from there; only downloading and installing lark, numpy and the
    rest again is skipped (5 of the test's 11 s). Without a setuptools new
    enough to build hedgec here, pip builds in isolation as usual."""
    shared = {"VIRTUALENV_SYSTEM_SITE_PACKAGES": "1"}
    try:
        major = int(version("setuptools").split(".")[0])
    except (PackageNotFoundError, ValueError):
        return shared
    if major >= 64:  # the oldest setuptools that builds pyproject.toml's layout
        shared["PIP_NO_BUILD_ISOLATION"] = "0"  # pip reads "0" here as: do not isolate
    return shared


def _snapshot(folder, env) -> tuple[str, str]:
    """hedgec's working tree, tracked and untracked files alike, as one commit."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=ROOT, capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        if (ROOT / name).is_file():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, folder / name)
    subprocess.run(["git", "init", "-q", str(folder)], check=True)
    subprocess.run(["git", "add", "-A"], cwd=folder, check=True)
    subprocess.run(["git", "commit", "-q", "-m", "snapshot"], cwd=folder, env=env, check=True)
    rev = subprocess.run(["git", "rev-parse", "HEAD"], cwd=folder, capture_output=True, text=True, check=True)
    return str(folder), rev.stdout.strip()


def throwaway_repo(path, files: dict[str, str]):
    subprocess.run(["git", "init", "-q", str(path)], check=True)
    for name, text in files.items():
        (path / name).write_text(text)
    subprocess.run(["git", "add", *files], cwd=path, check=True)
    return path


def test_hooks_reject_then_accept(run_hooks, tmp_path):
    example = (ROOT / "specs" / "eth-usdc-v2-neutral.hedge").read_text()
    repo = throwaway_repo(tmp_path, {"a.hedge": MESSY, "b.hedge": BROKEN, "notes.txt": "horizon=1d\n"})
    first = run_hooks(repo)  # both hooks
    assert first.returncode == 1, first.stdout
    assert "files were modified by this hook" in first.stdout  # hedgec-fmt rewrote a.hedge
    assert "error[H001]" in first.stdout  # hedgec-check (and fmt) refuse b.hedge
    assert (repo / "a.hedge").read_text() == "strategy s {\n  horizon = 1d\n}\n"
    assert (repo / "b.hedge").read_text() == BROKEN  # unparsable: left untouched
    assert (repo / "notes.txt").read_text() == "horizon=1d\n"  # not a .hedge file
    (repo / "b.hedge").write_text(example)
    subprocess.run(["git", "add", "a.hedge", "b.hedge"], cwd=repo, check=True)
    second = run_hooks(repo)
    assert second.returncode == 0, second.stdout
    assert "hedgec check" in second.stdout and "hedgec fmt" in second.stdout
