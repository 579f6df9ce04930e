"""Helpers for the target tests: the example specs and compiling a strategy."""
from __future__ import annotations

import functools
from pathlib import Path

from hedgec.compiler.catalog import load_catalog
from hedgec.compiler.pipeline import check_file, check_text
from hedgec.targets import compiled

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs"
SCHEMAS = SPECS / "schema"


def must_be_rejected(path: Path) -> bool:
    return path.read_text().lstrip().startswith("# Must be rejected")


def clean_examples() -> list[Path]:
    return [p for p in sorted(SPECS.glob("*.hedge")) if not must_be_rejected(p)]


def rejected_examples() -> list[Path]:
    return [p for p in sorted(SPECS.glob("*.hedge")) if must_be_rejected(p)]


def compile_path(path: Path):
    catalog = load_catalog()
    return compiled(check_file(str(path), catalog=catalog), catalog)


def compile_text(text: str, name: str = "test.hedge"):
    catalog = load_catalog()
    result = check_text(text, name, catalog=catalog)
    assert result.ok, result.diagnostics
    return compiled(result, catalog)


@functools.cache  # checking a schema is a tenth of a second; the validator is reusable
def validator(name: str):
    import json

    import jsonschema

    schema = json.loads((SCHEMAS / f"{name}.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


# Two pools, each hedged on dYdX, every venue covered.
TWO_POOLS = """
strategy two_pools {
  horizon = 60d
  base    = USDC
  assume {
    price.ETH = 2000 USDC
    price.BTC = 40000 USDC
    vol.ETH   = 60%
    vol.BTC   = 50%
    funding.ETH-USD = 5% apr
    gas_price = 10 gwei
  }
  wallet main {
    custody = self
    chain   = ethereum
    gas     = 0.5 ETH
  }
  pool eth_lp {
    venue   = uniswap_v2
    pair    = ETH/USDC
    deposit = 10000 USDC
    fee_apr = 12%
    from    = main
  }
  pool btc_lp {
    venue   = uniswap_v2
    pair    = WBTC/USDC
    deposit = 40000 USDC
    fee_apr = 8%
    from    = main
  }
  perp eth_short {
    venue      = dydx
    market     = ETH-USD
    side       = short
    hedges     = eth_lp
    collateral = 5000 USDC
    leverage   = 1x
    order      = market
    rebalance  = 20%
    from       = main
  }
  perp btc_short {
    venue      = dydx
    market     = BTC-USD
    side       = short
    hedges     = btc_lp
    collateral = 10000 USDC
    leverage   = 2x
    order      = limit 40100 USDC
    from       = main
  }
  cover dydx_cover {
    provider = nexus_mutual
    protects = eth_short
    amount   = 15000 USDC
    period   = 60d
    from     = main
  }
  cover pool_cover {
    provider = nexus_mutual
    protects = btc_lp
    amount   = 40000 USDC
    period   = 60d
    from     = main
  }
}
"""
