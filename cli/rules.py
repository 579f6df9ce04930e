"""`hedgec rules` lists every diagnostic code; `hedgec explain CODE` explains
one, and `hedgec explain THRESHOLD` one setting."""
from __future__ import annotations

import json
import sys

from hedgec.cli.main import EXIT_OK, UsageError


def add_arguments(parser, name: str) -> None:
    if name == "explain":
        parser.add_argument("code", help="a diagnostic code or its name, e.g. H301, or a threshold, e.g. size-tolerance")
    else:
        parser.add_argument("--output-format", "--format", dest="format", default="text", choices=("text", "json"))


def all_rules():
    from hedgec.compiler.registry import rules

    return list(rules().values())


def run(args) -> int:
    rules = all_rules()
    if args.command == "explain":
        return explain(args.code.upper(), rules)
    if args.format == "json":
        doc = [{"code": r.code, "name": r.name, "severity": r.severity.value, "group": r.group,
                "summary": r.summary} for r in rules]
        sys.stdout.write(json.dumps(doc, indent=2) + "\n")
        return EXIT_OK
    for r in rules:
        sys.stdout.write(f"{r.code}  {r.severity.value:<7}  {r.name:<28} {r.summary}\n")
    return EXIT_OK


def explain(code: str, rules) -> int:
    by_code = {r.code: r for r in rules}
    by_name = {r.name: r for r in rules}
    from hedgec.compiler.config import declared_thresholds

    rule = by_code.get(code) or by_name.get(code.lower())
    if rule is None and code.lower() in declared_thresholds():
        return explain_threshold(code.lower())
    if rule is None:
        from hedgec.compiler.diagnostics import did_you_mean

        names = list(by_name) + list(declared_thresholds())
        hint = did_you_mean(code, list(by_code)) or did_you_mean(code.lower(), names)
        raise UsageError(f"no rule or threshold `{code}`" + (f"; {hint}" if hint else "; see `hedgec rules`"))
    sys.stdout.write(f"{rule.code} {rule.name} ({rule.severity.value}, {rule.group})\n\n"
                     f"{rule.summary}\n\n{rule.explain}\n")
    return EXIT_OK


def explain_threshold(name: str) -> int:
    from hedgec.compiler.config import THRESHOLD_DOCS, declared_thresholds, threshold_values

    default = declared_thresholds()[name]
    sys.stdout.write(f"{name} (threshold, default {default:,.15g}; {threshold_values(name)})\n\n"
                     f"{THRESHOLD_DOCS[name][:1].upper()}{THRESHOLD_DOCS[name][1:]}.\n\n"
                     f"Set it in [tool.hedgec.thresholds] of the nearest pyproject.toml or hedgec.toml:\n\n"
                     f"    {name} = {default:.15g}\n")
    return EXIT_OK
