"""Every file hedgec writes goes through hedgec.atomic: atomic replacement of
regular files, special files written in place, modes from the umask,
recognisable temporary files cleaned after a kill, and write failures as one
line with exit 2."""
import os
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import SPECS
from hedgec import atomic
from hedgec.cli.main import main

EXAMPLE = str(SPECS / "eth-usdc-v2-neutral.hedge")


@pytest.fixture
def umask():
    """Set a umask for one test and put the old one back."""
    old = os.umask(0o022)
    yield os.umask
    os.umask(old)


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


# ---- modes -----------------------------------------------------------------------

def test_new_files_get_the_mode_the_umask_gives(tmp_path, umask, capsys):
    umask(0o027)
    assert main(["check", EXAMPLE, "-o", str(tmp_path / "report.txt")]) == 0
    assert main(["build", EXAMPLE, "-o", str(tmp_path / "out")]) == 0
    assert main(["simulate", EXAMPLE, "--paths", "50", "--plot", str(tmp_path / "plot.svg")]) == 0
    written = [tmp_path / "report.txt", tmp_path / "plot.svg", *sorted((tmp_path / "out").iterdir())]
    assert len(written) == 8
    assert {p.name: _mode(p) for p in written} == {p.name: 0o640 for p in written}


@pytest.mark.parametrize("mask, expected", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_the_writer_applies_the_umask(tmp_path, umask, mask, expected):
    umask(mask)
    atomic.write_text(tmp_path / "x.txt", "x")
    assert _mode(tmp_path / "x.txt") == expected


def test_a_replaced_file_keeps_its_mode(tmp_path, umask, capsys):
    target = tmp_path / "plan.yaml"
    target.write_text("old")
    os.chmod(target, 0o600)
    assert main(["plan", EXAMPLE, "-o", str(target)]) == 0
    assert target.read_text() != "old"
    assert _mode(target) == 0o600


def test_a_symlinked_target_keeps_its_link_and_gets_the_new_text(tmp_path):
    real = tmp_path / "real.txt"
    real.write_text("old")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    atomic.write_text(link, "new")
    assert link.is_symlink() and real.read_text() == "new"


# ---- special files ---------------------------------------------------------------

def test_a_fifo_is_written_in_place(tmp_path, capsys):
    fifo = tmp_path / "report.fifo"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_text()))
    reader.start()
    assert main(["check", EXAMPLE, "-o", str(fifo)]) == 0
    reader.join(timeout=30)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert got and got[0].endswith("2 info\n")


def test_a_character_device_stays_one(capsys):
    assert main(["check", EXAMPLE, "-o", os.devnull]) == 0
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)
    assert capsys.readouterr().out == ""


def test_dash_means_stdout(capsys):
    assert main(["checklist", EXAMPLE, "-o", "-"]) == 0
    assert capsys.readouterr().out.startswith("# Execution checklist")
    assert not os.path.exists("-")


def test_dev_stdout_reaches_stdout():
    proc = subprocess.run([sys.executable, "-m", "hedgec", "check", EXAMPLE, "-o", "/dev/stdout"],
                          capture_output=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.decode().endswith("checked 1 file: 0 errors, 0 warnings, 2 info\n")
    assert os.path.islink("/dev/stdout")


# ---- write failures: one line, exit 2 ----------------------------------------------

def _fails(argv, capsys, *words) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("hedgec: error: cannot ") and "internal" not in err
    for word in words:
        assert word in err


def test_plot_onto_a_folder(tmp_path, capsys):
    (tmp_path / "p.svg").mkdir()
    _fails(["simulate", EXAMPLE, "--paths", "20", "--plot", str(tmp_path / "p.svg")], capsys, "names a folder")


def test_plot_into_a_missing_folder_creates_it(tmp_path, capsys):
    target = tmp_path / "new" / "deeper" / "p.png"
    assert main(["simulate", EXAMPLE, "--paths", "20", "--plot", str(target)]) == 0
    assert target.read_bytes().startswith(b"\x89PNG")


def test_output_under_a_file(tmp_path, capsys):
    (tmp_path / "afile").write_text("x")
    _fails(["plan", EXAMPLE, "-o", str(tmp_path / "afile" / "plan.yaml")], capsys, "afile is not a folder")
    _fails(["check", EXAMPLE, "-o", str(tmp_path / "afile" / "x" / "r.txt")], capsys, "cannot create its folder")


def test_plan_onto_a_folder_name(tmp_path, capsys):
    _fails(["plan", EXAMPLE, "-o", str(tmp_path) + "/"], capsys, "names a folder")
    _fails(["plan", EXAMPLE, "-o", str(tmp_path / "new") + "/"], capsys, "names a folder")


def test_build_onto_an_existing_file(tmp_path, capsys):
    (tmp_path / "out").write_text("x")
    assert main(["build", EXAMPLE, "-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err == f"hedgec: error: build -o takes a folder, and {tmp_path / 'out'} is a file\n"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_output_into_an_unwritable_folder(tmp_path, capsys):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        _fails(["check", EXAMPLE, "-o", str(folder / "r.txt")], capsys, "permission denied")
    finally:
        folder.chmod(0o755)


def test_unwritable_in_place_file(capsys):
    # /proc/version is read-only even for root: written in place, refused by the kernel
    _fails(["check", EXAMPLE, "-o", "/proc/version"], capsys, "/proc/version")


# ---- temporary files -----------------------------------------------------------------

def test_a_failed_draw_leaves_the_old_file_and_no_temp(tmp_path):
    target = tmp_path / "plan.yaml"
    target.write_text("old")

    def draw(tmp):
        Path(tmp).write_text("half")
        raise ValueError("boom")

    with pytest.raises(ValueError):
        atomic.write_with(target, draw)
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["plan.yaml"]


KILLED_WRITER = """
import sys, time
from pathlib import Path
from hedgec import atomic

def draw(tmp):
    Path(tmp).write_text("partial")
    print(tmp, flush=True)
    time.sleep(60)

atomic.write_with(sys.argv[1], draw)
"""


def test_a_killed_write_leaves_a_recognisable_temp_that_the_next_write_removes(tmp_path):
    target = tmp_path / "report.json"
    target.write_text("old")
    writer = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, str(target)], stdout=subprocess.PIPE)
    try:
        tmp = writer.stdout.readline().decode().strip()
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=30)
        writer.stdout.close()
    left = Path(tmp)
    assert left.parent == tmp_path and left.exists()
    assert left.name.startswith(".report.json.hedgec-tmp-") and left.name.endswith(".json")
    assert target.read_text() == "old"

    # a temp of a live process (this one) is in use, and stays
    ours = tmp_path / f".report.json.hedgec-tmp-{os.getpid()}-0000.json"
    ours.write_text("in use")
    atomic.write_text(target, "new")
    assert target.read_text() == "new"
    assert not left.exists() and ours.exists()
    assert sorted(os.listdir(tmp_path)) == sorted(["report.json", ours.name])


def test_an_old_temp_goes_even_if_its_pid_is_alive(tmp_path):
    target = tmp_path / "x.txt"
    old = tmp_path / f".x.txt.hedgec-tmp-{os.getpid()}-abcd.txt"
    old.write_text("x")
    long_ago = time.time() - atomic.STALE_AGE - 60
    os.utime(old, (long_ago, long_ago))
    atomic.write_text(target, "y")
    assert not old.exists() and target.read_text() == "y"


def test_fmt_rewrites_through_the_atomic_writer(tmp_path, umask, capsys):
    source = tmp_path / "s.hedge"
    source.write_text((SPECS / "eth-usdc-v2-neutral.hedge").read_text().replace("horizon = 90d", "horizon    =   90d"))
    os.chmod(source, 0o640)
    assert main(["fmt", str(source)]) == 0
    assert "horizon = 90d" in source.read_text() and _mode(source) == 0o640
    assert os.listdir(tmp_path) == ["s.hedge"]


def test_cache_entries_are_written_by_the_atomic_writer(tmp_path, monkeypatch):
    from hedgec import cache

    seen = []
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(atomic, "write_text", lambda path, text: seen.append(path))
    cache.store_json("catalog-x.json", {})
    assert seen == [tmp_path / "hedgec" / "catalog-x.json"]


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full here")
@pytest.mark.parametrize("command", ["check", "plan"])
def test_a_full_disk_under_stdout_is_an_error_in_words(command):
    import subprocess
    import sys

    with open("/dev/full", "w") as full:
        proc = subprocess.run([sys.executable, "-m", "hedgec", command, str(SPECS / "eth-usdc-v2-neutral.hedge")],
                              stdout=full, stderr=subprocess.PIPE, text=True, timeout=60)
    assert proc.returncode == 2 and "No space left on device" in proc.stderr
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr


def test_a_reader_that_stops_early_is_not_an_error():
    import subprocess
    import sys

    big = "".join(f"# line {i}\n" for i in range(20_000))
    with subprocess.Popen([sys.executable, "-m", "hedgec", "fmt", "-"], stdin=subprocess.PIPE,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
        proc.stdin.write((big + (SPECS / "eth-usdc-v2-neutral.hedge").read_text()).encode())
        proc.stdin.close()
        proc.stdout.read(100)
        proc.stdout.close()  # as `| head -c 100` does
        assert proc.wait(timeout=60) == 0 and b"Traceback" not in proc.stderr.read()
