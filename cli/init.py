"""`hedgec init [DIR]`: what a desk needs to start, in one command: a commented
starter strategy that checks clean, a settings file, a pre-commit config and a
GitHub Actions workflow. An existing file is never overwritten; init says so.

The workflow and the pre-commit config are the ones docs/ci.md shows (a test
holds them equal, and runs the workflow's shell steps on a real repository).
"""
from __future__ import annotations

import sys
from pathlib import Path

from hedgec.cli import common
from hedgec.cli.main import EXIT_OK, UsageError

STARTER = """\
# A starter strategy: ETH/USDC liquidity on Uniswap v2, its ETH exposure
# shorted on dYdX, and both venues insured with Nexus Mutual cover.
# Edit the figures, then run `hedgec check strategies/`; `hedgec explain CODE`
# explains any diagnostic, and docs/language.md lists every key.
strategy starter {
  title   = "ETH/USDC v2 LP, delta-neutral on dYdX, covered by Nexus Mutual"
  horizon = 90d                    # how long the position is held
  base    = USDC                   # the currency every figure is reported in

  # What the figures assume; the catalog's defaults stand in for what is left out.
  assume {
    price.ETH       = 3000 USDC
    vol.ETH         = 60%          # annualised
    funding.ETH-USD = 8% apr       # positive: longs pay shorts
    gas_price       = 20 gwei
  }

  # The wallet that funds every leg, with gas for setup, adjustments and unwind.
  wallet main {
    custody = self
    chain   = ethereum
    gas     = 0.25 ETH
  }

  # The liquidity position: half ETH, half USDC at entry.
  pool lp {
    venue   = uniswap_v2
    pair    = ETH/USDC
    deposit = 20000 USDC
    fee_apr = 15%
    from    = main
  }

  # The short perp sized to the pool's ETH exposure; at 1x it is far from liquidation.
  perp hedge {
    venue      = dydx
    market     = ETH-USD
    side       = short
    hedges     = lp
    collateral = 10000 USDC
    leverage   = 1x
    order      = market
    from       = main
  }

  # Protocol cover for every venue that holds funds.
  cover dydx_cover {
    provider = nexus_mutual
    protects = hedge               # the margin collateral held on dYdX
    amount   = 10000 USDC
    period   = 90d
    from     = main
  }

  cover pool_cover {
    provider = nexus_mutual
    protects = lp                  # the Uniswap deposit
    amount   = 20000 USDC
    period   = 90d
    from     = main
  }
}
"""

PRE_COMMIT = """\
# .pre-commit-config.yaml: hedgec must be installed where `git commit` runs
repos:
  - repo: local
    hooks:
      - id: hedgec-fmt
        name: hedgec fmt
        entry: hedgec fmt
        language: system
        files: \\.hedge$
      - id: hedgec-check
        name: hedgec check
        entry: hedgec check
        language: system
        files: \\.hedge$
"""

WORKFLOW = """\
# .github/workflows/hedge.yml
name: hedge strategies
on: [push, pull_request]

permissions:
  contents: read
  security-events: write   # for the SARIF upload

jobs:
  check:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0        # `hedgec diff` reads the base revision
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - run: pip install hedgec     # or: pip install 'git+<URL of the hedgec git repository>'
      - name: Format
        if: always()
        run: hedgec fmt --diff strategies/
      - name: Check (annotations)
        if: always()
        run: hedgec check --format github strategies/
      - name: Check (code scanning)
        if: always()
        run: hedgec check --format sarif -o hedgec.sarif strategies/ || true
      - uses: github/codeql-action/upload-sarif@v3
        if: always()
        with:
          sarif_file: hedgec.sarif
          category: hedgec
      - name: Risk diff
        if: always() && github.event_name == 'pull_request'
        run: |
          # added and deleted strategies too (a diff against nothing); one failure keeps the others
          status=0
          while IFS= read -r -d '' f; do
            hedgec diff --format markdown "origin/${{ github.base_ref }}" -- "$f" >> "$GITHUB_STEP_SUMMARY" || status=1
          done < <(git diff -z --no-renames --name-only "origin/${{ github.base_ref }}" -- '*.hedge')
          exit $status
"""


def settings() -> str:
    """hedgec.toml with every threshold, commented out at its default."""
    from hedgec.compiler.config import THRESHOLD_DOCS, declared_thresholds

    lines = ["# hedgec settings, found upward from each checked file (see docs/rules.md).",
             "[tool.hedgec]",
             "select = []     # code prefixes to report, e.g. [\"H2\", \"H3\"]; empty: every rule",
             "ignore = []     # code prefixes never to report, e.g. [\"H305\"]",
             "catalogs = []   # catalog files layered over the bundled one",
             "",
             "[tool.hedgec.thresholds]",
             "# uncomment to change; the defaults are shown"]
    lines += [f"# {name} = {value:.15g}    # {THRESHOLD_DOCS.get(name, '')}".rstrip(" #")
              for name, value in sorted(declared_thresholds().items())]
    return "\n".join(lines) + "\n"


def files() -> dict[str, str]:
    """Path (relative to DIR) -> text of everything init writes."""
    return {"strategies/starter.hedge": STARTER, "hedgec.toml": settings(),
            ".pre-commit-config.yaml": PRE_COMMIT, ".github/workflows/hedge.yml": WORKFLOW}


def add_arguments(parser, name: str) -> None:
    parser.add_argument("dir", nargs="?", default=".", metavar="DIR",
                        help="the folder to set up (default: the current one); existing files are kept")


def run(args) -> int:
    root = Path(args.dir)
    for relative, text in files().items():
        target = root / relative
        if target.exists():
            print(f"kept {target}: it exists (not overwritten)", file=sys.stderr)
        elif relative == "hedgec.toml" and _has_pyproject_settings(root):
            print(f"kept the settings in {root / 'pyproject.toml'} [tool.hedgec] (no hedgec.toml written)",
                  file=sys.stderr)
        else:
            try:
                common.write_atomic(str(target), text)
            except OSError as err:
                raise UsageError(f"cannot write {target}: {err.strerror or err}") from None
            print(f"created {target}", file=sys.stderr)
    print(f"next: hedgec check {root / 'strategies'}", file=sys.stderr)
    return EXIT_OK


def _has_pyproject_settings(root: Path) -> bool:
    import tomllib

    try:
        data = tomllib.loads((root / "pyproject.toml").read_text("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False
    return isinstance(data.get("tool"), dict) and "hedgec" in data["tool"]
