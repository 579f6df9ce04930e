import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs"
EXAMPLES = sorted(SPECS.glob("*.hedge"))


@pytest.fixture
def v2_text() -> str:
    return (SPECS / "eth-usdc-v2-neutral.hedge").read_text()


def run_cli(*args: str, stdin: bytes | None = None):
    """Run `hedgec` in a subprocess; returns (exit code, stdout, stderr)."""
    import subprocess

    proc = subprocess.run([sys.executable, "-m", "hedgec", *args], input=stdin,
                          capture_output=True, timeout=120)
    return proc.returncode, proc.stdout.decode(), proc.stderr.decode()
