"""`hedgec fmt` argument handling and exit codes."""
from hedgec.cli.main import main

MESSY = "strategy s {\nhorizon=1d\n}\n"
BROKEN = "strategy s {\n  horizon = \n}\n"


def test_diff_is_check_by_another_name(tmp_path, capsys):
    path = tmp_path / "s.hedge"
    path.write_text(MESSY)
    assert main(["fmt", "--diff", str(path)]) == 1
    out = capsys.readouterr().out
    assert "-horizon=1d\n+  horizon = 1d\n" in out
    assert path.read_text() == MESSY  # nothing rewritten
    assert main(["fmt", str(path)]) == 0 and main(["fmt", "--diff", str(path)]) == 0


def test_a_file_that_does_not_parse_says_so_and_exits_2(tmp_path, capsys):
    broken, messy = tmp_path / "broken.hedge", tmp_path / "messy.hedge"
    broken.write_text(BROKEN)
    messy.write_text(MESSY)
    assert main(["fmt", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "broken.hedge:2:13: error[H001]" in err
    assert "1 file reformatted, 0 left unchanged" in err  # the good file is still formatted
    assert "hedgec: 1 file not formatted: it does not parse or would change meaning (see above)" in err
    assert broken.read_text() == BROKEN
    assert main(["fmt", "--diff", str(broken)]) == 2
    assert "1 file not formatted" in capsys.readouterr().err
