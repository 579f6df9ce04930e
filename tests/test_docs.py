"""Documentation generated from code stays current."""
from hedgec.compiler.schema import reference_markdown

from conftest import ROOT


def test_language_reference_lists_every_key():
    doc = (ROOT / "docs" / "language.md").read_text()
    start = doc.index("<!-- generated")
    start = doc.index("\n", start) + 1
    end = doc.index("<!-- end generated -->")
    assert doc[start:end] == reference_markdown(), "regenerate the key tables in docs/language.md"


def test_readme_has_exactly_two_setup_commands():
    readme = (ROOT / "README.md").read_text()
    setup = readme.split("## Set up", 1)[1].split("\n## ", 1)[0]
    commands = [line.strip() for line in setup.splitlines() if line.startswith("    ")]
    assert commands == ["pip install -e . && hedgec check specs/eth-usdc-v2-neutral.hedge",
                        "pip install -e '.[test]' && python -m pytest"]
    ci = (ROOT / ".ci" / "run").read_text()
    assert commands[1] in ci
