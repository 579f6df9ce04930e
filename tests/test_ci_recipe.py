"""The CI recipe of docs/ci.md, run as written on a real repository: a base
branch and a pull request that adds, modifies and deletes strategies. The
workflow's shell steps are taken from the doc itself, so the doc cannot drift."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest
from ruamel.yaml import YAML

from conftest import ROOT, SPECS
from hedgec.cli.init import PRE_COMMIT, WORKFLOW

pytestmark = pytest.mark.skipif(shutil.which("git") is None or shutil.which("bash") is None,
                                reason="needs git and bash")

DOC = (ROOT / "docs" / "ci.md").read_text()
V2 = (SPECS / "eth-usdc-v2-neutral.hedge").read_text()
V3 = (SPECS / "eth-usdc-v3-range.hedge").read_text()
OVERLEVERED = (SPECS / "btc-overlevered.hedge").read_text()


def yaml_block(first_line: str) -> str:
    """The ```yaml block of docs/ci.md that starts with `first_line`."""
    blocks = re.findall(r"```yaml\n(.*?)```", DOC, re.S)
    return next(b for b in blocks if b.startswith(first_line))


def test_init_writes_the_recipe_the_doc_shows():
    assert yaml_block("# .github/workflows/hedge.yml") == WORKFLOW
    assert yaml_block("# .pre-commit-config.yaml") == PRE_COMMIT
    assert "rev:" not in PRE_COMMIT  # nothing to pin to a tag that does not exist


def git(repo, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_COMMITTER_NAME": "t",
           "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_EMAIL": "t@example.org"}
    return subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def pull_request(tmp_path):
    """A clone whose `origin/main` is the base and whose work tree is the head of a
    pull request: one strategy added (unformatted, with errors), one modified
    (leverage 1x -> 2x), one deleted (with its folder)."""
    upstream = tmp_path / "upstream"
    (upstream / "strategies" / "old").mkdir(parents=True)
    (upstream / "strategies" / "modified.hedge").write_text(V2)
    (upstream / "strategies" / "old" / "deleted.hedge").write_text(V3)
    git(upstream, "init", "-q", "-b", "main")
    git(upstream, "add", ".")
    git(upstream, "commit", "-qm", "base")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(upstream), str(clone))
    git(clone, "checkout", "-qb", "change")
    (clone / "strategies" / "modified.hedge").write_text(V2.replace("leverage   = 1x", "leverage   = 2x"))
    git(clone, "rm", "-rq", "strategies/old")
    (clone / "strategies" / "added strategy.hedge").write_text(OVERLEVERED.replace("  horizon", "horizon"))
    git(clone, "add", ".")
    git(clone, "commit", "-qm", "head")
    return clone


def _expression(condition: str, succeeded: bool) -> bool:
    """The few GitHub expressions the recipe uses, for a pull_request event; a
    condition without a status function implies success(), as on GitHub."""
    if not condition:
        return succeeded
    terms = [t.strip() for t in condition.split("&&")]
    known = {"always()": True, "success()": succeeded, "github.event_name == 'pull_request'": True}
    assert all(t in known for t in terms), f"the test does not know how to evaluate `{condition}`"
    status_given = any(t in ("always()", "success()") for t in terms)
    return all(known[t] for t in terms) and (status_given or succeeded)


def run_workflow(repo, base_ref: str = "main", only: str | None = None) -> tuple[dict, str]:
    """Run the doc's `run:` steps as GitHub would (bash -e -o pipefail, in order,
    honouring `if:`); the install step is skipped, hedgec is already installed.
    Returns {step name: (exit code, stdout + stderr) or None if skipped}, and the step summary."""
    workflow = YAML(typ="safe").load(yaml_block("# .github/workflows/hedge.yml"))
    summary = repo / "step-summary.md"
    summary.write_text("")
    env = {**os.environ, "GITHUB_STEP_SUMMARY": str(summary),
           "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")}
    outcomes, succeeded = {}, True
    for step in workflow["jobs"]["check"]["steps"]:
        if "run" not in step or step["run"].startswith("pip install") or only not in (None, step.get("name")):
            continue
        name = step.get("name", step["run"])
        if not _expression(step.get("if", ""), succeeded):
            outcomes[name] = None
            continue
        script = step["run"].replace("${{ github.base_ref }}", base_ref)
        assert "${{" not in script, "an expression the test does not substitute"
        done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script], cwd=repo,
                              env=env, capture_output=True, text=True, timeout=300)
        outcomes[name] = (done.returncode, done.stdout + done.stderr)
        succeeded = succeeded and done.returncode == 0
    return outcomes, summary.read_text()


def test_the_recipe_on_a_pull_request_that_adds_modifies_and_deletes(pull_request):
    outcomes, summary = run_workflow(pull_request)
    fmt_code, fmt_out = outcomes["Format"]
    assert fmt_code == 1 and "added strategy.hedge (formatted)" in fmt_out  # the unformatted new file
    # ... and the format failure hides nothing: the annotations still come
    check_code, annotations = outcomes["Check (annotations)"]
    assert check_code == 1
    assert "::error file=strategies/added strategy.hedge,line=32" in annotations and "title=H301" in annotations
    assert "::notice" not in annotations  # the github format reports warnings and above
    # overlevered: 2 errors, 2 warnings, 5 info; v2 at 2x: H303 and H201 (200% coverage), 2 info
    assert annotations.endswith("hedgec: checked 2 files: 2 errors, 4 warnings, 0 info; left out 7 info below "
                                "--min-severity warning (--min-severity info shows everything)\n")
    assert outcomes["Check (code scanning)"][0] == 0 and (pull_request / "hedgec.sarif").is_file()
    assert outcomes["Risk diff"] == (0, "")
    # one summary per changed file, each with its figures
    assert summary.count("### Risk diff:") == 3
    assert "### Risk diff: new strategy `strategies/added strategy.hedge`" in summary
    assert "| perp hedge | leverage | none | 25.00x |" in summary
    assert "### Risk diff: deleted strategy `strategies/old/deleted.hedge@origin/main`" in summary
    assert "| strategy | gas_price | 25 gwei | none |" in summary
    assert "### Risk diff: `strategies/modified.hedge@origin/main` → `strategies/modified.hedge`" in summary
    # short 1x -> 2x: liquidation price 5,825.24 -> 4,368.93 USDC (see test_diff.py for the arithmetic)
    assert "| perp hedge | liquidation price | 5,825.24 USDC | 4,368.93 USDC | -25.0% |" in summary


def test_one_failing_diff_keeps_the_other_summaries(pull_request):
    # the base branch gains a file git cannot show as text, so diffing it fails (exit 2)
    upstream = pull_request.parent / "upstream"
    (upstream / "strategies" / "latin1.hedge").write_bytes("# caf\xe9\n".encode("latin-1"))
    git(upstream, "add", ".")
    git(upstream, "commit", "-qm", "a file that is not UTF-8")
    git(pull_request, "fetch", "-q", "origin")
    (pull_request / "strategies" / "latin1.hedge").write_text(V2)
    outcomes, summary = run_workflow(pull_request, only="Risk diff")
    code, told = outcomes["Risk diff"]
    assert code == 1 and "latin1.hedge at revision `origin/main` is not UTF-8 text" in told
    assert summary.count("### Risk diff:") == 3  # the other files are still summarised
