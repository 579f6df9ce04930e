from pytest import approx

from rules_support import check, codes, only, variant


def test_negative_funding_makes_a_short_pay():
    # 27964.11 USDC x 5% x 30 / 365 = 114.92 USDC; pool fees 50000 x 35% x 30 / 365 = 1438.36; 114.92 / 1438.36 = 7.99%
    d = only(check(variant("eth-usdc-v3-range")), "H401")
    assert "pay about 114.92 USDC over 30d (7.99% of pool `lp`'s expected 1,438.36 USDC of fees)" in d.message
    assert d.data["funding"] == approx(-114.92, abs=0.01)


def test_positive_funding_is_received_by_a_short():
    # 10000 x 8% x 90 / 365 = 197.26 USDC received
    result = check(variant())
    assert result.figures["perps"]["hedge"]["funding"] == approx(197.26, abs=0.01)
    assert "H401" not in codes(result)
    assert "H401" in codes(check(variant(hedge__side="long", hedge__hedges=None)))  # longs pay


def test_carry_by_hand():
    # fees 20000 x 15% x 90/365 = 739.73; funding +197.26; premiums 30000 x 2.6% x 90/365 = 192.33;
    # trading 2 x 10000 x 0.05% = 10; gas (1,630,000 + 3 x 150,000) x 20 gwei = 0.0416 ETH x 3000 = 124.80
    carry = check(variant()).figures["carry"]
    assert carry["net"] == approx(739.73 + 197.26 - 192.33 - 10 - 124.80, abs=0.02)


def test_negative_carry_warns():
    result = check(variant(lp__fee_apr="0%", assume__funding_dot_ETH_dash_USD="0% apr"))
    d = only(result, "H402")
    assert d.data["net"] < 0 and "expected carry over 90d is -" in d.message


def test_limit_order_far_from_the_price_may_not_fill():
    # a sell limit 3100 against 3000 is 3.33% away (> 2%) and rests above the market
    d = only(check(variant(hedge__order="limit 3100 USDC")), "H403")
    assert "3.33%" in d.message
    assert "H403" not in codes(check(variant(hedge__order="limit 3030 USDC")))  # 1%
    assert "H403" not in codes(check(variant(hedge__order="limit 2900 USDC")))  # marketable sell
