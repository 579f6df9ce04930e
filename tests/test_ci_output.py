"""CI formats of `hedgec check`: GitHub workflow commands and SARIF 2.1.0."""
from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from hedgec.cli import output
from hedgec.compiler.diagnostics import Diagnostic, Severity
from hedgec.compiler.pipeline import CheckResult, check_text
from hedgec.compiler.source import SourceFile, Span

# The OASIS SARIF 2.1.0 schema (errata 01), as published at the `id` it declares.
SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text("utf-8"))

BROKEN = """\
strategy s {
  horizon = 90d
  pool lp {
    venue   = uniswap_v2
    pair    = ETH/USDC
    deposit = 100 USDC
    from    = nobody
    colour  = red
  }
}
"""


def result_with(*diagnostics, path="a.hedge", text="x = 1\n"):
    return CheckResult(path, SourceFile(path, text), None, None, tuple(diagnostics))


def diagnostic(message, severity=Severity.ERROR, file="a.hedge", hint=None, code="H104"):
    return Diagnostic(code, severity, message, Span(file, 1, 2, 1, 5), hint)


# ---- github ------------------------------------------------------------------

def test_github_command_carries_file_line_col_and_code():
    line = output.as_github([result_with(diagnostic("bad value"))])
    assert line == "::error file=a.hedge,line=1,col=2,endLine=1,endColumn=5,title=H104::bad value\n"


def test_github_escapes_percent_and_newlines_in_the_message():
    line = output.as_github([result_with(diagnostic("100% sure: a, b", hint="try\r\nthis"))])
    # `:` and `,` are safe in the message; `%`, CR and LF are not.
    assert line.endswith("::100%25 sure: a, b%0Atry%0D%0Athis\n")
    assert line.count("\n") == 1


def test_github_escapes_colon_and_comma_in_properties():
    line = output.as_github([result_with(diagnostic("m", file="C:/x,y%.hedge"))])
    assert "file=C%3A/x%2Cy%25.hedge,line=1" in line


@pytest.mark.parametrize("severity, command", [(Severity.ERROR, "::error "), (Severity.WARNING, "::warning "),
                                               (Severity.INFO, "::notice ")])
def test_github_levels_follow_severities(severity, command):
    assert output.as_github([result_with(diagnostic("m", severity))]).startswith(command)


# ---- sarif -------------------------------------------------------------------

def sarif_of(results) -> dict:
    return json.loads(output.as_sarif(results))


def test_sarif_of_a_broken_file_validates_against_the_schema():
    doc = sarif_of([check_text(BROKEN, "specs/broken.hedge")])
    jsonschema.Draft4Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(doc)
    assert doc["version"] == "2.1.0"
    assert len(doc["runs"][0]["results"]) >= 2  # the unknown key and the unknown reference


def test_sarif_of_the_examples_validates():
    from conftest import EXAMPLES
    from hedgec.compiler.pipeline import check_file

    doc = sarif_of([check_file(str(p)) for p in EXAMPLES])
    jsonschema.Draft4Validator(SCHEMA).validate(doc)


def test_sarif_results_point_at_their_rule_and_location():
    result = check_text(BROKEN, "specs/broken.hedge")
    doc = sarif_of([result])
    run = doc["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    for d, found in zip(result.diagnostics, run["results"]):
        assert rules[found["ruleIndex"]]["id"] == found["ruleId"] == d.code
        assert found["level"] == {"error": "error", "warning": "warning", "info": "note"}[d.severity.value]
        location = found["locations"][0]["physicalLocation"]
        assert location["artifactLocation"] == {"uri": "specs/broken.hedge", "uriBaseId": "%SRCROOT%"}
        assert location["region"]["startLine"] == d.span.line
        assert location["region"]["startColumn"] == d.span.column
    unknown_key = next(r for r in run["results"] if r["ruleId"] == "H102")
    assert unknown_key["locations"][0]["physicalLocation"]["region"]["startLine"] == 8  # `colour`


def test_sarif_lists_every_registered_rule_with_its_default_level():
    from hedgec.compiler.registry import rules

    RULES = rules()

    rules = sarif_of([])["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == sorted(RULES)
    h901 = next(r for r in rules if r["id"] == "H901")
    assert h901["defaultConfiguration"]["level"] == "warning"


def test_sarif_fingerprints_are_deterministic_and_distinct():
    twice = [diagnostic("same"), diagnostic("same")]
    first = sarif_of([result_with(*twice)])
    assert output.as_sarif([result_with(*twice)]) == output.as_sarif([result_with(*twice)])
    prints = [r["partialFingerprints"]["hedgecFingerprint/v1"] for r in first["runs"][0]["results"]]
    assert len(set(prints)) == 2


def test_sarif_fingerprint_survives_the_line_moving():
    before = result_with(Diagnostic("H104", Severity.ERROR, "m", Span("a.hedge", 1, 1, 1, 2)), text="x = 1\n")
    after = result_with(Diagnostic("H104", Severity.ERROR, "m", Span("a.hedge", 3, 1, 3, 2)), text="\n\nx = 1\n")
    fingerprint = [sarif_of([r])["runs"][0]["results"][0]["partialFingerprints"] for r in (before, after)]
    assert fingerprint[0] == fingerprint[1]


def test_sarif_help_uri_follows_the_documentation_url(monkeypatch):
    monkeypatch.setattr(output, "docs_url", lambda: "https://example.org/hedgec/docs")
    rule = sarif_of([])["runs"][0]["tool"]["driver"]["rules"][0]
    assert rule["helpUri"] == "https://example.org/hedgec/docs/rules.md#h001"
    monkeypatch.setattr(output, "docs_url", lambda: None)
    assert "helpUri" not in sarif_of([])["runs"][0]["tool"]["driver"]["rules"][0]


def test_sarif_stdin_gets_a_valid_uri():
    doc = sarif_of([result_with(diagnostic("m", file="<stdin>"), path="<stdin>")])
    jsonschema.Draft4Validator(SCHEMA).validate(doc)
    assert doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"] == {"uri": "stdin"}


def test_check_writes_sarif_with_output_file(tmp_path):
    from conftest import run_cli

    broken = tmp_path / "broken.hedge"
    broken.write_text(BROKEN)
    report = tmp_path / "out.sarif"
    code, _, _ = run_cli("check", "--format", "sarif", "-o", str(report), str(broken))
    assert code == 1
    jsonschema.Draft4Validator(SCHEMA).validate(json.loads(report.read_text()))


def test_the_documented_workflow_is_valid_yaml_using_both_formats():
    from ruamel.yaml import YAML

    from conftest import ROOT

    doc = (ROOT / "docs" / "ci.md").read_text()
    blocks = doc.split("```yaml\n")[1:]
    workflow = YAML(typ="safe").load(blocks[0].split("```")[0])
    steps = workflow["jobs"]["check"]["steps"]
    runs = " ".join(s.get("run", "") for s in steps)
    assert "hedgec check --format github" in runs and "--format sarif -o hedgec.sarif" in runs
    assert "hedgec fmt --diff" in runs
    upload = next(s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif"))
    assert upload["with"]["sarif_file"] == "hedgec.sarif"
    hooks = YAML(typ="safe").load(blocks[1].split("```")[0])["repos"][0]["hooks"]
    assert [h["id"] for h in hooks] == ["hedgec-fmt", "hedgec-check"]
