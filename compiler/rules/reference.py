"""docs/rules.md, generated from the rule registry and the thresholds, so the
reference cannot drift from what the checker says.

Regenerate with: python -m hedgec.compiler.rules.reference > docs/rules.md
"""
from __future__ import annotations

from ..config import THRESHOLD_DOCS, declared_thresholds, threshold_values
from ..registry import registry

INTRO = """# hedgec diagnostic codes

Generated from the rule registry by `python -m hedgec.compiler.rules.reference`;
`hedgec explain CODE` prints the same text. Codes are stable: a code is never
reused for another check.

Groups: H0xx input, H1xx structure, H2xx hedge sizing, H3xx leverage, margin
and liquidation, H4xx funding, fees and carry, H5xx cover, H6xx wallet and
gas, H7xx assumptions, H9xx suppression comments.

Silence one code on one line with `# hedgec: ignore[CODE]`; select, ignore and
thresholds live in `[tool.hedgec]` of a `pyproject.toml` (or a `hedgec.toml`)
found upward from the checked file:

```toml
[tool.hedgec]
select = ["H2", "H3"]        # code prefixes; empty: every rule
ignore = ["H305"]

[tool.hedgec.thresholds]
size-tolerance = 0.10
```
"""


def markdown() -> str:
    parts = [INTRO, "## Thresholds\n", "| name | default | meaning | values |", "| --- | --- | --- | --- |"]
    for name, value in sorted(declared_thresholds().items()):
        shown = f"{int(value)}" if float(value).is_integer() else f"{value:g}"
        parts.append(f"| `{name}` | {shown} | {THRESHOLD_DOCS.get(name, '')} | {threshold_values(name)} |")
    parts += ["", "## Codes\n", "| code | name | severity | summary |", "| --- | --- | --- | --- |"]
    rules = list(registry().rules.values())
    parts += [f"| {r.code} | `{r.name}` | {r.severity.value} | {r.summary} |" for r in rules]
    for r in rules:
        parts += ["", f"### {r.code} `{r.name}` ({r.severity.value}, {r.group})", "", r.summary, "",
                  "```text", r.explain, "```"]
    return "\n".join(parts) + "\n"


if __name__ == "__main__":
    import sys

    sys.stdout.write(markdown())
