"""Check results in each `--output-format`: text for people, json for tools,
github for Actions annotations, sarif for code scanning."""
from __future__ import annotations

import json
from collections import Counter

from hedgec.compiler.diagnostics import Severity
from hedgec.compiler.render import render, summary

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
                "strategy": r.strategy.name if r.strategy else None,
                "ok": r.ok,
                "diagnostics": [d.to_json() for d in r.diagnostics],
                "figures": r.figures,
            }
            for r in results
        ],
        "summary": {"files": len(results), "errors": c[Severity.ERROR],
                    "warnings": c[Severity.WARNING], "infos": c[Severity.INFO]},
    }
    return json.dumps(doc, indent=2, sort_keys=True, default=str) + "\n"


_GITHUB_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _github_escape(text: str, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


def as_github(results) -> str:
    lines = []
    for r in results:
        for d in r.diagnostics:
            props = (f"file={_github_escape(d.span.file, True)},line={d.span.line},col={d.span.column},"
                     f"endLine={d.span.end_line},endColumn={d.span.end_column},title={d.code}")
            message = d.message + (f"\n{d.hint}" if d.hint else "")
            lines.append(f"::{_GITHUB_LEVEL[d.severity]} {props}::{_github_escape(message)}")
    return "".join(line + "\n" for line in lines)


FORMATS = {"text": as_text, "json": as_json, "github": as_github}
