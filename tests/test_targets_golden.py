"""Golden files: the Markdown checklist, DOT and Mermaid of every clean example,
compared byte for byte. Regenerate after an intended change with

    python -m pytest tests/test_targets_golden.py --update-goldens

and review the diff of tests/golden/ before committing it.
"""
from pathlib import Path

import pytest

from hedgec.targets.checklist import render
from hedgec.targets.graph import to_dot, to_mermaid
from targets_support import clean_examples, compile_path

GOLDEN = Path(__file__).parent / "golden"
TARGETS = {"checklist.md": lambda c: render(c, "markdown"), "graph.dot": to_dot, "graph.mmd": to_mermaid}


@pytest.mark.parametrize("suffix", sorted(TARGETS))
@pytest.mark.parametrize("path", clean_examples(), ids=lambda p: p.stem)
def test_matches_golden(path, suffix, request):
    text = TARGETS[suffix](compile_path(path))
    golden = GOLDEN / f"{path.stem}.{suffix}"
    if request.config.getoption("--update-goldens"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_bytes(text.encode("utf-8"))
    assert golden.exists(), f"no golden {golden.name}: run pytest {Path(__file__).name} --update-goldens"
    assert golden.read_bytes() == text.encode("utf-8"), f"{golden.name} differs; see the module docstring"
