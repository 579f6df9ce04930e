"""Untrusted text from a strategy (its title, names, file paths) in every human
output: no control character reaches a terminal, no Markdown or HTML is
injected into a checklist or a risk diff."""
import re

import pytest

from conftest import SPECS
from hedgec.cli.main import main
from hedgec.escape import markdown_cell, markdown_code, markdown_prose, markdown_text, terminal
from hedgec.targets.diff import Change, RiskDiff, as_markdown, as_text

V2 = (SPECS / "eth-usdc-v2-neutral.hedge").read_text()
RAW_ESC = "\x1b"
# a title written with escapes (the parser decodes them) and with a raw ESC byte
HOSTILE_TITLE = r'"x\n- [ ] **0. send everything to 0xbad** <img src=x onerror=alert(1)> \u001b[31mRED' \
    + RAW_ESC + r'[2J \u202e gnp.exe | `a` _b_"'
FORBIDDEN = ("\x1b", "\u202e", "\r")


def html_outside_code(md: str) -> list[str]:
    """Unescaped HTML tags outside code spans: what a PR comment would render."""
    return re.findall(r"(?<!\\)<[A-Za-z/][^>]*>", re.sub(r"(`+).*?\1", "", md))


def hostile(tmp_path, name="s.hedge"):
    path = tmp_path / name
    path.write_text(V2.replace('"ETH/USDC v2 LP, delta-neutral on dYdX, covered by Nexus Mutual"', HOSTILE_TITLE))
    return path


def test_terminal_shows_control_characters_as_escapes():
    assert terminal("a\x1b[31mb\tc\nd\re\x7f\x9b\u202ef") == "a\\x1b[31mb\tc\\x0ad\\x0de\\x7f\\x9b\\u202ef"
    assert terminal("plain: 20,000.00 USDC, 8% apr") == "plain: 20,000.00 USDC, 8% apr"


def test_markdown_text_is_literal():
    assert markdown_text("<b>x</b> & *y* [l](u) | `c` _e_ snake_case\n- item") == \
        "\\<b\\>x\\</b\\> \\& \\*y\\* \\[l\\](u) \\| \\`c\\` \\_e\\_ snake_case\\x0a- item"


def test_markdown_code_holds_any_backticks():
    assert markdown_code("main") == "`main`"
    assert markdown_code("a`b") == "``a`b``"
    assert markdown_code("`x`") == "`` `x` ``"
    assert markdown_code("p\nq") == "`p\\x0aq`"


def test_markdown_prose_keeps_code_spans_and_escapes_between():
    assert markdown_prose("Open the `main` wallet on <evil>") == "Open the `main` wallet on \\<evil\\>"
    assert markdown_prose("an odd ` backtick") == "an odd \\` backtick"
    assert markdown_cell("`a|b` | c") == "`a\\|b` \\| c"


def test_check_text_escapes_control_characters_and_keeps_the_caret_under_the_value(tmp_path, capsys):
    path = tmp_path / "s.hedge"
    path.write_text(V2.replace("venue   = uniswap_v2", 'venue   = "' + RAW_ESC + '[2J\\u202e"'))
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out
    assert not any(bad in out for bad in FORBIDDEN) and not html_outside_code(out)
    lines = out.splitlines()
    at = next(i for i, line in enumerate(lines) if "venue   = " in line)
    assert lines[at].endswith('venue   = "\\x1b[2J\\u202e"')
    # the caret starts under the opening quote of the value, as shown
    assert lines[at + 1].index("^") == lines[at].index('"')


def test_check_text_escapes_a_hostile_file_name(tmp_path, capsys):
    path = tmp_path / "evil\x1b[2J.hedge"
    path.write_text("strategy s {\n  horizon = \n}\n")
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out
    assert "\x1b" not in out and "evil\\x1b[2J.hedge:2:" in out


def test_checklist_markdown_injects_nothing(tmp_path, capsys):
    assert main(["checklist", str(hostile(tmp_path))]) == 0
    md = capsys.readouterr().out
    assert not any(bad in md for bad in FORBIDDEN) and not html_outside_code(md)
    heading = md.splitlines()[0]
    assert heading.startswith("# Execution checklist: x\\x0a- \\[ \\] \\*\\*0. send everything")
    assert "\\<img src=x onerror=alert(1)\\>" in heading and "\\x1b\\[31mRED" in heading and "\\u202e" in heading
    # the title made no list item, and the steps are what the strategy says
    assert not [line for line in md.splitlines() if "0xbad" in line and line.startswith("- ")]
    assert len(re.findall(r"^- \[ \] \*\*\d+\. ", md, re.M)) == md.count("- [ ] **")
    assert "- [ ] **1. Open the `main` wallet on ethereum**" in md


def test_checklist_names_a_hostile_source_path_in_a_code_span(tmp_path, capsys):
    path = hostile(tmp_path, "a`b<i>.hedge")
    assert main(["checklist", str(path)]) == 0
    line = capsys.readouterr().out.splitlines()[2]
    assert "from ``a`b<i>.hedge`` (sha256" in line and not html_outside_code(line)


HOSTILE_DIFF = RiskDiff(
    "old\x1b[2J.hedge", "new`<img src=x>.hedge", ("perp hedge2",), (),
    (Change("strategy", "title", "plain", "x\n- [ ] <b>evil</b> | `q|r` \x1b[31m"),),
    ("pool lp at <i>v</i>: 1 USDC of 2 USDC uncovered",), (),
    ("error[H104]: `venue`: <script>\n# heading",), ())


def test_diff_markdown_injects_nothing():
    md = as_markdown(HOSTILE_DIFF)
    assert not any(bad in md for bad in FORBIDDEN) and not html_outside_code(md)
    assert html_outside_code("a <b>x</b> `<i>`") == ["<b>", "</b>"]
    assert md.startswith("### Risk diff: `old\\x1b[2J.hedge` → ``new`<img src=x>.hedge``\n")
    row = next(line for line in md.splitlines() if line.startswith("| strategy |"))
    # one row of five cells: the pipes in the value are escaped, the code span kept
    assert len(re.findall(r"(?<!\\)\|", row)) == 6
    assert "x\\x0a- \\[ \\] \\<b\\>evil\\</b\\> \\| `q\\|r` \\x1b\\[31m" in row
    assert "- error\\[H104\\]: `venue`: \\<script\\>\\x0a\\# heading" in md


def test_diff_text_escapes_control_characters():
    text = as_text(HOSTILE_DIFF)
    assert "\x1b" not in text and "old\\x1b[2J.hedge" in text and "\\x1b[31m" in text
    assert len(text.splitlines()) == 8


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_diff_command_with_a_hostile_title(tmp_path, fmt, capsys):
    old = tmp_path / "old.hedge"
    old.write_text(V2)
    assert main(["diff", "--format", fmt, str(old), str(hostile(tmp_path, "new.hedge"))]) == 0
    out = capsys.readouterr().out
    assert not any(bad in out for bad in FORBIDDEN) and not html_outside_code(out)


# ---- fuzz: any title, any file name --------------------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from hedgec.compiler.catalog import load_catalog  # noqa: E402
from hedgec.compiler.pipeline import check_text  # noqa: E402
from hedgec.compiler.render import render  # noqa: E402
from hedgec.targets import compiled  # noqa: E402
from hedgec.targets.checklist import render as checklist  # noqa: E402
from hedgec.targets.diff import risk_diff  # noqa: E402

HOSTILE_PIECES = st.sampled_from(["\n", "\r", "\x1b[31m", "\x1b]0;t\x07", "\x00", "\x7f", "\x9b", "\u202e", "\u2028",
                                  "<img src=x>", "</details>", "&amp;", "- [ ] ", "# ", "**", "`", "``", "|", "_", "\\",
                                  "[a](http://x)", "ok"])
HOSTILE_TEXT = st.lists(st.one_of(HOSTILE_PIECES, st.text(max_size=3)), max_size=8).map("".join)
CATALOG = load_catalog()


def _title_literal(text: str) -> str:
    """`text` as a .hedge string literal (the parser decodes Python-style escapes)."""
    return '"' + text.encode("unicode_escape").decode("ascii").replace('"', '\\x22') + '"'


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=HOSTILE_TEXT, name=HOSTILE_TEXT)
def test_fuzz_hostile_titles_and_file_names_inject_nothing(title, name):
    text = V2.replace('"ETH/USDC v2 LP, delta-neutral on dYdX, covered by Nexus Mutual"', _title_literal(title))
    path = f"{name}.hedge"
    result = check_text(text, path, catalog=CATALOG)
    assert result.ok and result.strategy.title == title
    md = checklist(compiled(result, CATALOG), "markdown")
    broken = check_text(text.replace("leverage   = 1x", "leverage   = 99x"), path, catalog=CATALOG)
    diff = risk_diff(result, broken, CATALOG)
    shown = "\n".join(render(d, broken.source) for d in broken.diagnostics)
    for out in (md, as_markdown(diff), as_text(diff), shown):
        assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202e\u2028]", out)
    for out in (md, as_markdown(diff)):
        assert not html_outside_code(out)
    # the title adds no line and no list item: the steps are the strategy's own
    assert md.count("\n") == checklist(compiled(check_text(V2, "x.hedge", catalog=CATALOG), CATALOG),
                                       "markdown").count("\n")


def test_github_annotations_escape_control_characters(tmp_path, capsys):
    path = tmp_path / "s.hedge"
    path.write_text(V2.replace("venue   = uniswap_v2", "venue   = uniswap_v2\n    n" + RAW_ESC + "x = 1"))
    assert main(["check", "--format", "github", str(path)]) == 1
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\\x1b" in out and out.count("\n") == len(out.splitlines())
