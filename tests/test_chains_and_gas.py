"""Gas keeps the asset it is set aside in; venues deployed on several chains
are used from a wallet on any of them."""
from __future__ import annotations

import pytest

from conftest import SPECS
from hedgec.compiler.catalog import CatalogError, load_catalog
from hedgec.compiler.pipeline import check_text

V2 = (SPECS / "eth-usdc-v2-neutral.hedge").read_text()

DYDX_WALLET = """strategy s {
  horizon = 90d
  assume {
    price.ETH = 3000 USDC
    price.DYDX = 2 USDC
    gas_price = 25 gwei
  }
  wallet main {
    chain = ethereum
    gas = 0.25 ETH
  }
  wallet dx {
    chain = dydx
    gas = GAS
  }
  pool lp {
    venue = uniswap_v2
    pair = ETH/USDC
    deposit = 20000 USDC
    from = main
  }
  perp hedge {
    venue = dydx_v4
    market = ETH-USD
    side = short
    hedges = lp
    collateral = 10000 USDC
    from = dx
  }
}
"""


def _run(argv):
    import fuzz_harness

    return fuzz_harness.run_command(argv)


def test_gas_in_usdc_on_the_dydx_chain_stays_usdc(tmp_path):
    path = tmp_path / "dx.hedge"
    path.write_text(DYDX_WALLET.replace("GAS", "5 USDC"))
    result = check_text(path.read_text(), str(path))
    assert result.ok, result.diagnostics
    wallet = result.figures["wallets"]["dx"]
    assert (wallet["native"], wallet["balance"], wallet["balance_asset"]) == ("USDC", 5.0, "USDC")
    # the same fee paid in USDC: 25 gwei of DYDX at 2 USDC is 50 gwei of USDC
    assert wallet["gas_price_gwei"] == pytest.approx(50.0)
    assert wallet["cost"] == pytest.approx((wallet["setup_units"] + wallet["reserve_units"]) * 50e-9)
    assert wallet["cost_base"] == pytest.approx(wallet["cost"])  # USDC is the base
    code, checklist, _ = _run(["checklist", str(path)])
    assert code == 0 and "Hold 5 USDC for gas" in checklist and "DYDX for gas" not in checklist
    assert "gas is paid in USDC" in checklist
    code, graph, _ = _run(["graph", str(path)])
    assert code == 0 and "gas 5 USDC" in graph
    code, plan, _ = _run(["plan", str(path)])
    assert code == 0 and "native: USDC" in plan


def test_gas_in_dydx_on_the_dydx_chain_is_priced_as_before():
    result = check_text(DYDX_WALLET.replace("GAS", "5 DYDX"), "dx.hedge")
    wallet = result.figures["wallets"]["dx"]
    assert (wallet["native"], wallet["gas_price_gwei"]) == ("DYDX", 25.0)
    assert wallet["cost_base"] == pytest.approx(wallet["cost"] * 2.0)


def test_gas_in_an_asset_the_chain_does_not_take_is_a_located_error():
    result = check_text(DYDX_WALLET.replace("GAS", "5 BTC"), "dx.hedge")
    found = [(d.code, d.span.line, d.span.column, d.message) for d in result.diagnostics if d.code == "H603"]
    assert found == [("H603", 14, 5, "gas on dydx is paid in DYDX or USDC, not BTC")]


def _two_chains(pool_venue: str, pool_chain: str) -> str:
    """The v2 example with its pool funded from a second wallet on `pool_chain`."""
    text = V2.replace("""  pool lp {
    venue   = uniswap_v2""", f"""  wallet l2 {{
    chain = {pool_chain}
    gas   = 0.01 ETH
  }}

  pool lp {{
    venue   = {pool_venue}""").replace("""    fee_apr = 15%
    from    = main""", """    fee_apr = 15%
    from    = l2""")
    assert "from    = l2" in text
    return text


@pytest.mark.parametrize("venue", ["uniswap_v2", "uniswap_v3"])
@pytest.mark.parametrize("chain", ["arbitrum", "optimism"])
def test_a_pool_sits_on_its_wallets_chain_where_uniswap_is_deployed(venue, chain):
    text = _two_chains(venue, chain)
    if venue == "uniswap_v3":
        text = text.replace("    fee_apr = 15%\n", "    fee_apr = 15%\n    range   = 2400 .. 4000 USDC\n")
    codes = [d.code for d in check_text(text, "l2.hedge").diagnostics]
    assert "H604" not in codes, codes


def test_a_pool_on_a_chain_without_the_venue_still_needs_a_bridge():
    found = [d for d in check_text(_two_chains("uniswap_v2", "dydx"), "l2.hedge").diagnostics if d.code == "H604"]
    assert [d.message for d in found] == [
        "`lp` is on uniswap_v2 (chain ethereum) but is funded from wallet `l2` on dydx: a bridge is needed"]


def test_deployments_are_recorded_with_their_sources():
    catalog = load_catalog()
    for name in ("uniswap_v2", "uniswap_v3"):
        venue = catalog.venue(name)
        assert venue.chain == "ethereum" and sorted(venue.deployments) == ["arbitrum", "optimism"]
        assert all(s.url_or_ref.startswith(("docs.uniswap.org", "Uniswap/")) and s.read for s in
                   venue.deployments.values())
        assert venue.on_chain("ethereum") and venue.on_chain("arbitrum") and not venue.on_chain("dydx")
    assert not catalog.venue("dydx").deployments


def test_a_deployment_on_an_unknown_chain_is_a_catalog_error(tmp_path):
    overlay = tmp_path / "o.yaml"
    overlay.write_text("""venues:
  uniswap_v2:
    deployments:
      mars:
        source: nowhere
        read: "2026-11-26"
""")
    with pytest.raises(CatalogError, match="unknown chain 'mars'"):
        load_catalog((str(overlay),))


def test_a_deployment_needs_a_source(tmp_path):
    overlay = tmp_path / "o.yaml"
    overlay.write_text("""venues:
  uniswap_v2:
    deployments:
      dydx:
        address: "0xf1D7CC64Fb4452F05c498126312eBE29f30Fbcf9"
""")
    with pytest.raises(CatalogError, match="source"):
        load_catalog((str(overlay),))


def test_a_wallet_on_the_dydx_chain_is_told_how_to_bridge_its_usdc(tmp_path):
    path = tmp_path / "dx.hedge"
    path.write_text(DYDX_WALLET.replace("GAS", "5 USDC"))
    code, checklist, _ = _run(["checklist", str(path)])
    assert code == 0
    steps = checklist.split("- [ ] **")
    bridge = next(s for s in steps if "Bridge USDC onto dydx" in s)  # gas and collateral alike
    assert "Noble" in bridge and "CCTP" in bridge and "chain dydx" in bridge
    holds = [i for i, s in enumerate(steps) if s.startswith(("2. Hold", "3. Hold", "4. Hold")) and "chain dydx" in s]
    assert holds and all(steps.index(bridge) < i for i in holds)  # bridged before it can be held there
    assert "Bridge" not in "".join(s for s in steps if "`main`" in s.split("\n")[0])  # Ethereum needs none


def test_no_erc20_approval_is_asked_for_on_the_dydx_chain(tmp_path):
    path = tmp_path / "dx.hedge"
    path.write_text(DYDX_WALLET.replace("GAS", "5 USDC"))
    code, checklist, _ = _run(["checklist", str(path)])
    assert code == 0 and "Deposit 10,000.00 USDC collateral on dydx_v4" in checklist
    assert "Approve USDC for the dydx_v4 deposit" not in checklist  # the catalog lists no approval there
    assert "Approve ETH for uniswap_v2" in checklist  # Ethereum venues still need theirs
