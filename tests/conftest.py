"""Shared fixtures and options. `--update-goldens` rewrites tests/golden/ from
the current output instead of comparing against it (see docs/targets.md)."""
import os
import sys
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


def pytest_addoption(parser):
    parser.addoption("--update-goldens", action="store_true", default=False,
                     help="rewrite the golden files in tests/golden/ from the current output")


@pytest.fixture
def v2_text() -> str:
    return (SPECS / "eth-usdc-v2-neutral.hedge").read_text()


def run_cli(*args: str, stdin: bytes | None = None):
    """Run `hedgec` in a subprocess; returns (exit code, stdout, stderr)."""
    import subprocess

    proc = subprocess.run([sys.executable, "-m", "hedgec", *args], input=stdin,
                          capture_output=True, timeout=120)
    return proc.returncode, proc.stdout.decode(), proc.stderr.decode()
