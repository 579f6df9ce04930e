"""Thresholds and rule selection from [tool.hedgec], and suppression comments."""
import json

from hedgec.cli.main import main
from hedgec.compiler.config import DEFAULT_THRESHOLDS, Config
from rules_support import check, codes, example, variant


def _project(tmp_path, table: str, text: str | None = None):
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n\n" + table, "utf-8")
    sub = tmp_path / "strategies"
    sub.mkdir()
    path = sub / "s.hedge"
    path.write_text(text or example("btc-overlevered"), "utf-8")
    return path


def _codes(capsys, path) -> list[str]:
    main(["check", "--format", "json", str(path)])
    return sorted(d["code"] for d in json.loads(capsys.readouterr().out)["files"][0]["diagnostics"])


def test_rules_register_their_thresholds():
    for name in ("size-tolerance", "liquidation-warn", "liquidation-error", "advised-max-leverage",
                 "limit-tolerance", "adjustments-reserve"):
        assert name in DEFAULT_THRESHOLDS


def test_threshold_from_pyproject_found_upward(tmp_path, capsys):
    assert "H201" in _codes(capsys, _project(tmp_path, "[tool.hedgec]\n"))
    other = tmp_path / "other"
    other.mkdir()
    path = _project(other, "[tool.hedgec.thresholds]\nsize-tolerance = 0.9\n")
    assert "H201" not in _codes(capsys, path)  # 12.5% coverage is within 90%


def test_select_and_ignore(tmp_path, capsys):
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir(), second.mkdir()
    selected = _codes(capsys, _project(first, '[tool.hedgec]\nselect = ["H3"]\n'))
    assert selected and all(c.startswith("H3") for c in selected)
    ignored = _codes(capsys, _project(second, '[tool.hedgec]\nignore = ["H5", "H7"]\n'))
    assert "H301" in ignored and not any(c.startswith(("H5", "H7")) for c in ignored)


def test_unknown_threshold_is_a_usage_error(tmp_path, capsys):
    path = _project(tmp_path, "[tool.hedgec.thresholds]\nsize-tolerence = 0.1\n")
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert "unknown threshold `size-tolerence`" in err and "size-tolerance" in err


def test_suppression_silences_one_code_on_one_line():
    text = example("btc-overlevered").replace("leverage   = 25x", "leverage   = 25x  # hedgec: ignore[H301]")
    result = check(text)
    assert "H301" not in codes(result) and "H305" in codes(result)  # H305 is on the same line
    assert "H304" in codes(result)  # other lines untouched


def test_unused_suppression_is_reported():
    text = variant().replace("leverage   = 1x", "leverage   = 1x  # hedgec: ignore[H301]")
    result = check(text)
    assert codes(result) == ["H507", "H507", "H901"]


def test_config_thresholds_reach_rules():
    config = Config().with_thresholds(**{"size-tolerance": 0.9})
    assert "H201" not in codes(check(example("btc-overlevered"), config))
