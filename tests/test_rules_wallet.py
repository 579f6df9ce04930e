from pytest import approx

from hedgec.compiler.config import Config
from rules_support import check, codes, only, variant


def test_gas_estimate_by_hand():
    # pool: approve x2 (46,000) + add 150,000 + remove 150,000 = 392,000
    # perp: approve 46,000 + deposit 150,000 + withdraw 150,000 = 346,000 (orders are off-chain)
    # covers: 2 x (approve 46,000 + buy 400,000) = 892,000 ; setup 1,630,000
    # reserve: 3 adjustments x deposit 150,000 = 450,000 ; (1,630,000 + 450,000) x 20 gwei = 0.0416 ETH
    wallet = check(variant()).figures["wallets"]["main"]
    assert wallet["setup_units"] == 1_630_000 and wallet["reserve_units"] == 450_000
    assert wallet["cost"] == approx(0.0416)


def test_wallet_that_cannot_pay_for_gas():
    d = only(check(variant(main__gas="0.04 ETH")), "H601")
    assert "holds 0.04 ETH" in d.message and "needs about 0.0416 ETH" in d.message
    assert "H601" not in codes(check(variant(main__gas="0.05 ETH")))


def test_adjustments_reserve_is_configurable():
    # without the reserve: 1,630,000 x 20 gwei = 0.0326 ETH
    config = Config().with_thresholds(**{"adjustments-reserve": 0})
    assert "H601" not in codes(check(variant(main__gas="0.035 ETH"), config))


def test_wallet_without_gas_balance():
    assert "H602" in codes(check(variant(main__gas=None)))


def test_gas_in_the_wrong_asset():
    assert "H603" in codes(check(variant(main__gas="100 USDC")))


def test_wallet_on_the_wrong_chain_for_the_venue():
    d = only(check(variant(hedge__venue="dydx_v4")), "H604")
    assert "chain dydx" in d.message and "on ethereum" in d.message and "bridge" in d.message


def test_custodial_wallet_warns():
    d = only(check(variant(main__custody="custodial")), "H605")
    assert d.severity.value == "warning"
