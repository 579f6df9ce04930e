"""Shared pytest options. `--update-goldens` rewrites tests/golden/ from the
current output instead of comparing against it (see docs/targets.md)."""


def pytest_addoption(parser):
    parser.addoption("--update-goldens", action="store_true", default=False,
                     help="rewrite the golden files in tests/golden/ from the current output")
