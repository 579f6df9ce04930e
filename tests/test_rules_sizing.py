from pytest import approx

from rules_support import check, codes, only, variant


def test_v2_hedge_is_half_the_deposit():
    result = check(variant())
    pool, perp = result.figures["pools"]["lp"], result.figures["perps"]["hedge"]
    # 20000 USDC / (2 x 3000) = 3.3333 ETH; 10000 USDC at 1x / 3000 = 3.3333 ETH
    assert pool["volatile_amount"] == approx(10000 / 3000)
    assert perp["required_size"] == approx(10000 / 3000)
    assert perp["coverage"] == approx(1.0)
    assert "H201" not in codes(result)


def test_v3_hedge_comes_from_the_concentrated_liquidity_formulas():
    result = check(variant("eth-usdc-v3-range"))
    perp = result.figures["perps"]["hedge"]
    # L = 50000 / (2 sqrt 3000 - sqrt 2400 - 3000 / sqrt 4000)
    #   = 50000 / (109.5445 - 48.9898 - 47.4342) = 50000 / 13.1205 = 3810.8
    # x = L (sqrt 4000 - sqrt 3000) / (sqrt 3000 sqrt 4000) = 3810.8 x 8.4733 / 3464.10 = 9.3214 ETH
    assert perp["required_size"] == approx(9.3214, abs=1e-3)
    assert perp["notional"] == approx(27964, abs=5)  # about 27,960 USDC, not 25,000
    # leverage follows from the size: 27964.11 / 20000 = 1.398x
    assert perp["leverage"] == approx(1.3982, abs=1e-3) and perp["leverage_derived"]
    info = only(result, "H203")
    assert "9.321 ETH (27,964.11 USDC)" in info.message and "1.4x" in info.message


def test_undersized_hedge_warns_with_both_figures():
    # 100 USDC x 25x = 2500 USDC = 0.125 BTC against a pool of 40000 / 2 / 20000 = 1 BTC
    d = only(check(variant("btc-overlevered")), "H201")
    assert "0.125 BTC (2,500 USDC)" in d.message and "1 WBTC" in d.message and "12.5%" in d.message
    assert d.data["coverage"] == approx(0.125)


def test_size_tolerance_is_five_percent_by_default():
    # collateral at 1x / 3000 against 3.3333 ETH: 10400 -> 104% (inside), 10600 -> 106% (outside)
    assert "H201" not in codes(check(variant(hedge__collateral="10400 USDC", dydx_cover__amount="10600 USDC")))
    assert "H201" in codes(check(variant(hedge__collateral="10600 USDC", dydx_cover__amount="10600 USDC")))


def test_ratio_scales_the_required_size():
    result = check(variant(hedge__ratio="50%", hedge__collateral="5000 USDC", dydx_cover__amount="5000 USDC"))
    assert result.figures["perps"]["hedge"]["required_size"] == approx(5000 / 3000)
    assert "H201" not in codes(result)


def test_naked_short_above_the_v3_range_top():
    d = only(check(variant("eth-usdc-v3-range")), "H202")
    assert "above 4,000 USDC" in d.message and d.data["range_high"] == 4000
    assert "H202" not in codes(check(variant()))  # a v2 pool always holds some ETH
    # following the hint silences it: a rebalanced short shrinks with the pool's ETH
    assert "rebalance = 10%" in d.hint
    assert "H202" not in codes(check(variant("eth-usdc-v3-range", hedge__rebalance="10%")))


def test_long_perp_does_not_hedge_a_pool():
    assert "H204" in codes(check(variant(hedge__side="long")))


def test_perp_in_another_asset_does_not_hedge_the_pool():
    text = variant(hedge__market="BTC-USD", assume__price_dot_BTC="60000 USDC")
    d = only(check(text), "H205")
    assert "BTC-USD" in d.message and "ETH" in d.message


def test_leverage_table_of_the_seed():
    # 100 USDC of collateral controls 100, 1,000 and 2,000 USDC of contracts at 1x, 10x and 20x
    for leverage, notional in (("1x", 100), ("10x", 1000), ("20x", 2000)):
        text = variant(hedge__hedges=None, hedge__collateral="100 USDC", hedge__leverage=leverage)
        assert check(text).figures["perps"]["hedge"]["notional"] == approx(notional)


def test_pool_entered_outside_its_range_is_refused():
    # at 3000 a 1000 .. 2000 position is all USDC (nothing to hedge), a 3500 .. 4000 one all ETH
    result = check(variant("eth-usdc-v3-range", lp__range="1000 .. 2000 USDC"))
    d = only(result, "H119")
    assert "does not contain the entry price 3000" in d.message and "all USDC" in d.message
    assert result.blocked
    d = only(check(variant("eth-usdc-v3-range", lp__range="3500 .. 4000 USDC")), "H119")
    assert "all ETH" in d.message


def test_a_v2_range_and_a_v3_without_one_are_errors():
    assert "H119" in codes(check(variant(lp__range="2000 .. 4000 USDC")))
    assert "H119" in codes(check(variant("eth-usdc-v3-range", lp__range=None)))
