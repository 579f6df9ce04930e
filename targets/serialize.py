"""Deterministic YAML and JSON for artefacts: the same document gives the
same bytes on every run and platform, so artefacts can be committed and diffed.

Floats are rounded to 10 significant digits (enough for money to the cent
on balances up to 10^8, and free of the last-bit noise of float arithmetic);
mapping keys are sorted; integers stay integers.
"""
from __future__ import annotations

import io
import json
import math

SIGNIFICANT = 10


def normalised(value):
    """A plain, rounded copy: dicts with sorted str keys, lists, rounded floats."""
    if isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"artefacts hold finite numbers only, not {value}")
        rounded = float(f"{value:.{SIGNIFICANT}g}")
        return 0.0 if rounded == 0 else rounded  # no "-0.0"
    if isinstance(value, dict):
        return {str(k): normalised(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, (list, tuple)):
        return [normalised(v) for v in value]
    raise TypeError(f"cannot serialise {type(value).__name__}")


def to_json(document) -> str:
    return json.dumps(normalised(document), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def to_yaml(document) -> str:
    from ruamel.yaml import YAML

    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.allow_unicode = True
    yaml.width = 4096  # long strings stay on one line: stable diffs
    out = io.StringIO()
    yaml.dump(normalised(document), out)
    return out.getvalue()


FORMATS = {"yaml": to_yaml, "json": to_json}
