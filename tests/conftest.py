"""Shared fixtures and options. `--update-goldens` rewrites tests/golden/ from
the current output instead of comparing against it (see docs/targets.md)."""
import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings

# In CI the property and fuzz tests draw the same examples every run, so a
# red build always reproduces; locally they keep exploring new ones.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs"
EXAMPLES = sorted(SPECS.glob("*.hedge"))

# The commands the tests run in subprocesses write their compiled modules as
# Python normally does: where PYTHONDONTWRITEBYTECODE is set, each of them would
# otherwise compile all of hedgec again (about 75 ms a process).
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

# The run's own cache folder (parse table, validated catalog), shared by every
# test and subprocess: the tests neither read nor fill the user's ~/.cache.
_CACHE = tempfile.mkdtemp(prefix="hedgec-tests-cache-")
os.environ["XDG_CACHE_HOME"] = _CACHE
atexit.register(shutil.rmtree, _CACHE, ignore_errors=True)


def pytest_addoption(parser):
    parser.addoption("--update-goldens", action="store_true", default=False,
                     help="rewrite the golden files in tests/golden/ from the current output")


@pytest.fixture
def v2_text() -> str:
    return (SPECS / "eth-usdc-v2-neutral.hedge").read_text()


def run_cli(*args: str, stdin: bytes | None = None):
    """Run `hedgec` in this process, as `hedgec.cli.main.main`; returns (exit code,
    stdout, stderr). Starting an interpreter costs about 0.3 s a call, so only the
    tests about the process itself (exit status, stdin, hash seeds) use run_process."""
    from contextlib import redirect_stderr, redirect_stdout

    from hedgec.cli.main import main

    out, err = _stream(), _stream()
    saved_stdin = sys.stdin
    sys.stdin = _stream(stdin or b"")
    try:
        with redirect_stdout(out), redirect_stderr(err):
            try:
                code = main(list(args))
            except SystemExit as stop:  # as the interpreter would turn it into a status
                code = stop.code if isinstance(stop.code, int) else 1
    finally:
        sys.stdin = saved_stdin
    return code, _text(out), _text(err)


def _stream(data: bytes = b""):
    import io

    return io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", newline="")


def _text(stream) -> str:
    stream.flush()
    return stream.buffer.getvalue().decode()


def run_process(*args: str, stdin: bytes | None = None, env: dict | None = None):
    """Run `hedgec` in a subprocess; returns (exit code, stdout, stderr)."""
    import os
    import subprocess

    proc = subprocess.run([sys.executable, "-m", "hedgec", *args], input=stdin, capture_output=True,
                          timeout=120, env={**os.environ, **(env or {})})
    return proc.returncode, proc.stdout.decode(), proc.stderr.decode()
