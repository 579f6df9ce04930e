"""Check results in each `--output-format`: text for people, json for tools,
github for Actions annotations, sarif for code scanning."""
from __future__ import annotations

import functools
import json
import math
from collections import Counter

from hedgec.compiler.diagnostics import Severity
from hedgec.compiler.render import render, summary
from hedgec.escape import terminal

JSON_VERSION = 1


def counts(results) -> Counter:
    return Counter(d.severity for r in results for d in r.diagnostics)


def as_text(results) -> str:
    blocks = [render(d, r.source) for r in results for d in r.diagnostics]
    blocks.append(summary(counts(results), len(results)))
    return "\n\n".join(blocks) + "\n"


def as_json(results) -> str:
    c = counts(results)
    doc = {
        "version": JSON_VERSION,
        "tool": "hedgec",
        "files": [
            {
                "path": r.path,
                "strategy": r.name,
                "ok": r.ok,
                "diagnostics": [d.to_json() for d in r.diagnostics],
                "figures": r.figures,
            }
            for r in results
        ],
        "summary": {"files": len(results), "errors": c[Severity.ERROR],
                    "warnings": c[Severity.WARNING], "infos": c[Severity.INFO]},
    }
    return json.dumps(_finite(doc), indent=2, sort_keys=True, default=str, allow_nan=False) + "\n"


def _finite(value):
    """JSON has no Infinity or NaN: a figure that is not finite (H117 says why) is null."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


_GITHUB_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _github_escape(text: str, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


def as_github(results) -> str:
    lines = []
    for r in results:
        for d in r.diagnostics:
            # the Actions log renders ANSI escapes: a strategy's text shows its control characters escaped
            props = (f"file={_github_escape(terminal(d.span.file), True)},line={d.span.line},col={d.span.column},"
                     f"endLine={d.span.end_line},endColumn={d.span.end_column},title={d.code}")
            message = terminal(d.message, lines=True) + (f"\n{terminal(d.hint, lines=True)}" if d.hint else "")
            lines.append(f"::{_GITHUB_LEVEL[d.severity]} {props}::{_github_escape(message)}")
    return "".join(line + "\n" for line in lines)


SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
_SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def as_sarif(results) -> str:
    """SARIF 2.1.0 for GitHub code scanning: every rule hedgec has, and one
    result per diagnostic with its physical location."""
    from hedgec import __version__
    from hedgec.compiler.registry import rules

    RULES = rules()

    codes_in_order = sorted(RULES)
    driver = {"name": "hedgec", "version": __version__, "semanticVersion": __version__,
              "rules": [_sarif_rule(RULES[code], docs_url()) for code in codes_in_order]}
    seen: Counter = Counter()
    found = [_sarif_result(d, r.source, codes_in_order.index(d.code), seen)
             for r in results for d in r.diagnostics]
    run = {"tool": {"driver": driver}, "columnKind": "unicodeCodePoints", "results": found,
           "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "the folder hedgec was run in"}}}}
    doc = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"


def _sarif_rule(rule, docs: str | None) -> dict:
    out = {"id": rule.code, "name": _camel(rule.name),
           "shortDescription": {"text": rule.summary}, "fullDescription": {"text": rule.explain},
           "help": {"text": rule.explain, "markdown": f"**{rule.code} {rule.name}**\n\n{rule.explain}"},
           "defaultConfiguration": {"level": _SARIF_LEVEL[rule.severity]},
           "properties": {"tags": [rule.group]}}
    if docs:
        out["helpUri"] = f"{docs}/rules.md#{rule.code.lower()}"
    return out


@functools.lru_cache(maxsize=1)
def docs_url() -> str | None:
    """Where docs/ is published: the package's `Documentation` project URL, if it declares one
    (SARIF wants an absolute helpUri, so none is better than a made-up one)."""
    from importlib import metadata

    try:
        urls = metadata.metadata("hedgec").get_all("Project-URL") or []
    except metadata.PackageNotFoundError:
        return None
    found = dict(u.split(", ", 1) for u in urls if ", " in u)
    return found.get("Documentation", "").rstrip("/") or None


def _camel(name: str) -> str:
    head, *rest = name.split("-")
    return head + "".join(word.capitalize() for word in rest)


def _sarif_result(d, source, rule_index: int, seen: Counter) -> dict:
    span = d.span
    region = {"startLine": span.line, "startColumn": span.column,
              "endLine": max(span.end_line, span.line), "endColumn": max(span.end_column, 1)}
    message = d.message + (f"\nhint: {d.hint}" if d.hint else "") + "".join(f"\nnote: {n}" for n in d.notes)
    return {"ruleId": d.code, "ruleIndex": rule_index, "level": _SARIF_LEVEL[d.severity],
            "message": {"text": message},
            "locations": [{"physicalLocation": {"artifactLocation": _artifact(span.file), "region": region}}],
            "partialFingerprints": {"hedgecFingerprint/v1": _fingerprint(d, source, seen)}}


def _artifact(path: str) -> dict:
    """A path relative to the run folder (what code scanning expects), else a file URI."""
    from pathlib import Path
    from urllib.parse import quote

    if path.startswith("<"):
        return {"uri": quote(path.strip("<>"))}
    target = Path(path)
    if target.is_absolute():
        try:
            target = target.relative_to(Path.cwd())
        except ValueError:
            return {"uri": target.as_uri()}
    return {"uri": quote(target.as_posix()), "uriBaseId": "%SRCROOT%"}


def _fingerprint(d, source, seen: Counter) -> str:
    """Stable across runs and across edits that only move the line: the code,
    file, message and the text of the line, numbered among identical ones."""
    import hashlib

    line = source.line_text(d.span.line).strip() if source else ""
    key = "\0".join((d.code, d.span.file, d.message, line))
    seen[key] += 1
    return hashlib.sha256(f"{key}\0{seen[key]}".encode()).hexdigest()[:32]


FORMATS = {"text": as_text, "json": as_json, "github": as_github, "sarif": as_sarif}
