import math

from hypothesis import given, settings
from hypothesis import strategies as st
from pytest import approx

from hedgec.compiler.config import Config
from rules_support import check, codes, only, variant


def _long_btc(leverage: str) -> str:
    """The seed's long BTC at 20,000 with 100 USD of collateral (BTC-USD, m = 3%)."""
    return variant(assume__price_dot_BTC="20000 USDC", hedge__market="BTC-USD", hedge__side="long",
                   hedge__hedges=None, hedge__collateral="100 USDC", hedge__leverage=leverage)


def test_leverage_above_the_market_cap_names_the_cap():
    d = only(check(variant("btc-overlevered")), "H301")
    assert d.message == "leverage 25x exceeds the 20x maximum for BTC-USD on dydx (initial margin 5%)"
    assert d.hint == ("lower leverage to 20x or less, or add collateral: "
                      "2,500 USDC of notional needs at least 125 USDC")  # 2500 x 5%


def test_avax_cap_is_10x():
    assert "H301" in codes(check(variant("avax-uncovered")))
    assert "H301" not in codes(check(variant("avax-uncovered", hedge__leverage="10x")))


def test_collateral_below_initial_margin_when_leverage_follows_from_size():
    # 10000 USDC of exposure on 400 USDC is 25x; initial margin 10000 x 5% = 500 USDC
    d = only(check(variant(hedge__leverage=None, hedge__collateral="400 USDC", dydx_cover__amount="400 USDC")),
             "H302")
    assert "500 USDC" in d.message and "25x" in d.message
    assert "H302" not in codes(check(variant(hedge__leverage=None, hedge__collateral="500 USDC",
                                             dydx_cover__amount="500 USDC")))


def test_seed_liquidation_prices_of_a_long():
    # s = 100 L / 20000; p = (s E - C) / (s (1 - m))
    # 2x: (200 - 100) / (0.01 x 0.97) = 10309.28 ; 10x: (1000 - 100) / (0.05 x 0.97) = 18556.70 ; 1x: 0
    figures = {lev: check(_long_btc(lev)).figures["perps"]["hedge"] for lev in ("1x", "2x", "10x")}
    assert figures["2x"]["liquidation_price"] == approx(10309.28, abs=0.01)
    assert figures["10x"]["liquidation_price"] == approx(18556.70, abs=0.01)
    assert figures["1x"]["liquidation_price"] < 1000
    assert figures["10x"]["liquidation_distance"] == approx(-0.0721649, abs=1e-6)  # 18556.70 / 20000 - 1


def test_dydx_documented_short_case():
    # short 3 at 3000 with 1000 of equity, m = 5% (AVAX-USD): (1000 + 9000) / (3 x 1.05) = 3174.60
    text = variant("avax-uncovered", assume__price_dot_AVAX="3000 USDC", hedge__hedges=None,
                   hedge__collateral="1000 USDC", hedge__leverage="9x")
    perp = check(text).figures["perps"]["hedge"]
    assert perp["size"] == approx(3)
    assert perp["liquidation_price"] == approx(3174.60, abs=0.005)


def test_liquidation_probability_by_hand():
    # v2 example: short 3.3333 ETH at 3000 on 10000: p = 20000 / (3.3333 x 1.03) = 5825.24.
    # A martingale price (no drift.ETH): nu = -0.6^2 / 2 = -0.18, T = 90 / 365, nu T = -0.044384,
    # b = ln(5825.24 / 3000) = 0.663588, sd = 0.6 sqrt(T) = 0.297938:
    # P = N((nu T - b) / sd) + exp(2 nu b / 0.36) N((-nu T - b) / sd)
    #   = N(-2.376237) + 0.515000 N(-2.078299) = 0.008745 + 0.515000 x 0.018841 = 0.018448
    perp = check(variant()).figures["perps"]["hedge"]
    assert perp["liquidation_price"] == approx(5825.24, abs=0.01)
    assert perp["liquidation_probability"] == approx(0.018448, abs=1e-6)


def test_a_stated_drift_changes_the_chance_of_liquidation_as_the_formula_says():
    # drift.ETH = 18% apr = 0.6^2 / 2 makes nu = 0: the reflection principle,
    # P = 2 N(-0.663588 / 0.297938) = 2 N(-2.227268) = 0.025929 (the figure of the old convention)
    perp = check(variant(assume__drift_dot_ETH="18% apr")).figures["perps"]["hedge"]
    assert perp["liquidation_probability"] == approx(0.025929, abs=1e-6)
    # a price drifting down makes the short's liquidation less likely than with no drift
    falling = check(variant(assume__drift_dot_ETH="-20% apr")).figures["perps"]["hedge"]
    assert falling["liquidation_probability"] < 0.018448


def test_liquidation_risk_warns_then_fails():
    # 2x: p = (10000 + 20000) / (6.6667 x 1.03) = 4368.93; b = 0.375906, nu T = -0.044384, sd = 0.297938:
    # N(-1.410660) + exp(-0.375906) N(-1.112722) = 0.079172 + 0.686667 x 0.132914 = 0.170440 -> warning
    warned = only(check(variant(hedge__leverage="2x", hedge__hedges=None)), "H303")
    assert warned.data["probability"] == approx(0.170440, abs=1e-5)
    assert "45.6% rise to 4,368.93 USDC" in warned.message
    # 4x: p = 50000 / (13.333 x 1.03) = 3640.8; b = 0.193591: P = 0.466 -> error
    assert "H304" in codes(check(variant(hedge__leverage="4x", hedge__hedges=None)))
    # thresholds are configurable: the 2x case passes with a 25% warning threshold
    config = Config().with_thresholds(**{"liquidation-warn": 0.25})
    assert "H303" not in codes(check(variant(hedge__leverage="2x", hedge__hedges=None), config))


def test_advice_above_three_x():
    assert "H305" in codes(check(variant("avax-uncovered", hedge__leverage="4x")))
    assert "H305" not in codes(check(variant("avax-uncovered", hedge__leverage="3x")))
    config = Config().with_thresholds(**{"advised-max-leverage": 5})
    assert "H305" not in codes(check(variant("avax-uncovered", hedge__leverage="4x"), config))


def _probability(leverage: float, vol: float) -> float:
    text = variant(hedge__hedges=None, hedge__leverage=f"{leverage:.2f}x", assume__vol_dot_ETH=f"{vol:.0f}%")
    return check(text).figures["perps"]["hedge"]["liquidation_probability"]


@settings(max_examples=25, deadline=None)
@given(st.floats(1, 19), st.floats(0.05, 1), st.floats(10, 150))
def test_risk_rises_with_leverage(low, step, vol):
    high = min(low + step, 20)
    assert _probability(high, vol) >= _probability(low, vol) - 1e-12


@settings(max_examples=25, deadline=None)
@given(st.floats(1, 20), st.integers(5, 150), st.integers(1, 50))
def test_risk_rises_with_volatility(leverage, vol, step):
    assert _probability(leverage, vol + step) >= _probability(leverage, vol) - 1e-12
    assert not math.isnan(_probability(leverage, vol))
