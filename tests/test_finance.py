"""Tests for hedgec/finance.py against hand-computed figures (domain.md, seed article)."""

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from hedgec import finance as f
from hedgec.finance import (
    annual_rate_from_8h,
    cover_premium,
    funding_pnl,
    gas_cost,
    impermanent_loss,
    initial_margin,
    leverage_for,
    liquidation_distance,
    liquidation_price,
    liquidation_price_linear,
    maintenance_margin,
    max_leverage,
    normal_cdf,
    notional,
    pool_fees,
    touch_probability,
    v2_static_hedge_delta,
    v2_static_hedge_pnl,
    v2_value,
    v2_volatile_amount,
    v3_amounts,
    v3_liquidity,
    v3_value,
    v3_volatile_amount,
    with_commission,
)

approx = pytest.approx


# ------------------------------------------------------------------ every formula documents itself

def test_every_public_function_has_a_formula_docstring():
    for name in f.__all__:
        fn = getattr(f, name)
        assert fn.__doc__ and fn.__doc__.strip(), name
        assert "=" in fn.__doc__ or ":" in fn.__doc__, name


# ------------------------------------------------------------------ Uniswap v2

def test_v2_volatile_amount():
    # $10k pool at 2000: 10000 / (2 * 2000) = 2.5 ETH
    assert v2_volatile_amount(10_000, 2000) == approx(2.5)


def test_v2_value():
    # V0 sqrt(r): 10000 * sqrt(4) = 20000 ; 10000 * sqrt(0.25) = 5000
    assert v2_value(10_000, 4) == approx(20_000)
    assert v2_value(10_000, 0.25) == approx(5_000)
    assert v2_value(10_000, 1) == approx(10_000)


@pytest.mark.parametrize(
    "r, il_pct",
    [
        # 2*sqrt(1.25)/2.25 - 1 = 2*1.118034/2.25 - 1 = -0.006192
        (1.25, -0.6192), (0.8, -0.6192),
        # 2*1.224745/2.5 - 1 = -0.020204
        (1.5, -2.0204),
        # 2*1.414214/3 - 1 = -0.057191
        (2.0, -5.7191), (0.5, -5.7191),
        # 2*1.732051/4 - 1 = -0.133975
        (3.0, -13.3975),
        # 2*2/5 - 1 = -0.2
        (4.0, -20.0), (0.25, -20.0),
        # 2*2.236068/6 - 1 = -0.254644
        (5.0, -25.4644),
    ],
)
def test_impermanent_loss_table(r, il_pct):
    assert 100 * impermanent_loss(r) == approx(il_pct, abs=5e-5)


def test_impermanent_loss_is_v2_value_over_hold():
    # hold value at ratio r: V0/2 * r + V0/2 ; IL = V0 sqrt(r) / hold - 1
    for r in (0.1, 0.5, 1.7, 9.0):
        hold = 5_000 * r + 5_000
        assert impermanent_loss(r) == approx(v2_value(10_000, r) / hold - 1)


@pytest.mark.parametrize(
    "price, pnl",
    [
        # r = 0.5: -(5000)(0.707107 - 1)^2 = -5000 * 0.0857864 = -428.93
        (1000, -428.93),
        # r = 1.1: -(5000)(1.048809 - 1)^2 = -5000 * 0.0023823 = -11.91
        (2200, -11.91),
        # r = 1.5: -(5000)(1.224745 - 1)^2 = -5000 * 0.0505103 = -252.55
        (3000, -252.55),
        # r = 2:   -(5000)(1.414214 - 1)^2 = -5000 * 0.1715729 = -857.86
        (4000, -857.86),
    ],
)
def test_v2_static_hedge_pnl_cases(price, pnl):
    assert v2_static_hedge_pnl(10_000, price / 2000) == approx(pnl, abs=0.005)


def test_v2_static_hedge_pnl_is_pool_plus_short():
    # $10k at 2000, short 2.5 ETH; at 3000: pool 10000*sqrt(1.5) - 10000 = 2247.45,
    # short -2.5 * 1000 = -2500 ; sum -252.55
    for price in (500, 1000, 2200, 3000, 4000, 8000):
        r = price / 2000
        pool = v2_value(10_000, r) - 10_000
        short = -2.5 * (price - 2000)
        assert v2_static_hedge_pnl(10_000, r) == approx(pool + short)


def test_v2_static_hedge_pnl_as_fraction():
    # -(sqrt(r) - 1)^2 / 2: r=2 -> -(0.414214)^2/2 = -0.085786 ; r=0.5 -> -(0.292893)^2/2 = -0.042893
    assert 100 * v2_static_hedge_pnl(1, 2) == approx(-8.58, abs=0.005)
    assert 100 * v2_static_hedge_pnl(1, 0.5) == approx(-4.29, abs=0.005)


def test_v2_static_hedge_delta():
    # x0 = 2.5 ; at r = 4: 2.5 (1/2 - 1) = -1.25 ; at r = 0.25: 2.5 (2 - 1) = +2.5
    assert v2_static_hedge_delta(10_000, 2000, 4) == approx(-1.25)
    assert v2_static_hedge_delta(10_000, 2000, 0.25) == approx(2.5)
    assert v2_static_hedge_delta(10_000, 2000, 1) == approx(0.0)


# ------------------------------------------------------------------ Uniswap v3

# sqrt(1500) = 38.729833, sqrt(2000) = 44.721360, sqrt(2500) = 50
# L = 10000 / (2*44.721360 - 38.729833 - 2000/50) = 10000 / 10.712887 = 933.4553
L_CASE = 933.4553


def test_v3_worked_case_liquidity_and_amounts():
    L = v3_liquidity(10_000, 2000, 1500, 2500)
    assert L == approx(L_CASE, abs=5e-5)
    eth, usdc = v3_amounts(L, 2000, 1500, 2500)
    # amount0 = L (50 - 44.721360) / (44.721360 * 50) = 933.4553 * 0.00236068 = 2.203589
    assert eth == approx(2.203589, abs=5e-7)
    # amount1 = L (44.721360 - 38.729833) = 933.4553 * 5.991527 = 5592.82
    assert usdc == approx(5592.82, abs=0.005)
    assert 2000 * eth + usdc == approx(10_000)


@pytest.mark.parametrize(
    "price, value",
    [
        # at/below low: all ETH, L (50 - 38.729833)/(38.729833*50) * 1500 = 8148.91
        (1500, 8148.91),
        # inside: L (2*46.904158 - 38.729833 - 2200/50) = 933.4553 * 11.078483 = 10341.27
        (2200, 10341.27),
        # at/above high: all USDC, L (50 - 38.729833) = 10520.20
        (2500, 10520.20),
        (3000, 10520.20),
        (10_000, 10520.20),
    ],
)
def test_v3_worked_case_values(price, value):
    L = v3_liquidity(10_000, 2000, 1500, 2500)
    assert v3_value(L, price, 1500, 2500) == approx(value, abs=0.005)


def test_v3_out_of_range_amounts():
    L = v3_liquidity(10_000, 2000, 1500, 2500)
    eth_below, usdc_below = v3_amounts(L, 1000, 1500, 2500)
    assert usdc_below == 0.0
    # all volatile: L (50 - 38.729833) / (38.729833 * 50) = 5.432606 ETH, worth 5432.61 at 1000
    assert eth_below == approx(5.432606, abs=5e-6)
    assert v3_value(L, 1000, 1500, 2500) == approx(1000 * eth_below)
    eth_above, usdc_above = v3_amounts(L, 4000, 1500, 2500)
    assert eth_above == 0.0
    assert usdc_above == approx(10520.20, abs=0.005)


def test_v3_liquidity_out_of_range_deposits():
    # below: all ETH, value = p * L (1/sa - 1/sb) ; above: all USDC, value = L (sb - sa)
    L_below = v3_liquidity(10_000, 1000, 1500, 2500)
    assert v3_value(L_below, 1000, 1500, 2500) == approx(10_000)
    assert v3_amounts(L_below, 1000, 1500, 2500)[1] == 0.0
    L_above = v3_liquidity(10_000, 3000, 1500, 2500)
    assert v3_value(L_above, 3000, 1500, 2500) == approx(10_000)
    assert v3_amounts(L_above, 3000, 1500, 2500)[0] == 0.0


def test_v3_repo_example_hedge_size():
    # examples/eth-usdc-v3-range.hedge: 50,000 USDC in [2400, 4000] at 3000.
    # sqrt: 2400 -> 48.989795, 3000 -> 54.772256, 4000 -> 63.245553 ; 3000/63.245553 = 47.434165
    # L = 50000 / (109.544512 - 48.989795 - 47.434165) = 50000 / 13.120552 = 3810.82
    # amount0 = L (63.245553 - 54.772256) / (54.772256 * 63.245553) = 3810.82 * 0.00244603 = 9.3214 ETH
    # hedge notional 9.3214 * 3000 = 27,964 USDC (not 25,000 = half the deposit)
    L = v3_liquidity(50_000, 3000, 2400, 4000)
    assert L == approx(3810.82, abs=0.01)
    eth = v3_volatile_amount(50_000, 3000, 2400, 4000)
    assert eth == approx(9.32137, abs=5e-5)
    assert eth * 3000 == approx(27_964.1, abs=0.1)
    assert eth > v2_volatile_amount(50_000, 3000)


def test_v3_full_range_limit_matches_v2():
    # a very wide range behaves like v2: x -> V / (2p)
    x = v3_volatile_amount(10_000, 2000, 1e-9, 1e15)
    assert x == approx(2.5, rel=1e-3)


@settings(max_examples=200)
@given(
    low=st.floats(10, 5_000),
    width=st.floats(1.01, 10),
    value=st.floats(1, 1e7),
    at=st.floats(0.05, 0.95),
)
def test_v3_value_continuous_at_range_edges(low, width, value, at):
    high = low * width
    price = low + at * (high - low)
    L = v3_liquidity(value, price, low, high)
    eps = 1e-9
    for edge in (low, high):
        inside = v3_value(L, edge * (1 + eps) if edge == low else edge * (1 - eps), low, high)
        outside = v3_value(L, edge * (1 - eps) if edge == low else edge * (1 + eps), low, high)
        assert inside == approx(v3_value(L, edge, low, high), rel=1e-6)
        assert outside == approx(v3_value(L, edge, low, high), rel=1e-6)
    assert v3_value(L, price, low, high) == approx(value, rel=1e-9)


@given(
    low=st.floats(10, 5_000),
    width=st.floats(1.01, 10),
    r=st.floats(0.1, 10),
)
def test_v3_value_below_hold_and_delta_nonnegative(low, width, r):
    high = low * width
    price = math.sqrt(low * high)
    L = v3_liquidity(10_000, price, low, high)
    eth, usdc = v3_amounts(L, price, low, high)
    new = price * r
    # an LP never beats holding the entry amounts
    assert v3_value(L, new, low, high) <= eth * new + usdc + 1e-6
    assert v3_amounts(L, new, low, high)[0] >= 0


# ------------------------------------------------------------------ perps: leverage

@pytest.mark.parametrize("lev, controls", [(1, 100), (10, 1_000), (20, 2_000)])
def test_seed_leverage_table(lev, controls):
    # seed: 100 USDC controls 100 / 1,000 / 2,000 USDC at 1x / 10x / 20x
    assert notional(100, lev) == approx(controls)
    assert leverage_for(controls, 100) == approx(lev)


def test_max_leverage_and_margins():
    # 1 / 0.05 = 20x (dYdX BTC-USD) ; 1 / 0.10 = 10x (AVAX-USD) ; 1 / 0.02 = 50x (v4 large cap)
    assert max_leverage(0.05) == approx(20)
    assert max_leverage(0.10) == approx(10)
    assert max_leverage(0.02) == approx(50)
    # 2000 notional * 5% = 100 initial margin ; * 3% = 60 maintenance
    assert initial_margin(2_000, 0.05) == approx(100)
    assert maintenance_margin(2_000, 0.03) == approx(60)


# ------------------------------------------------------------------ perps: liquidation

def test_dydx_docs_short_case():
    # (1000 + 3*3000) / (3 * 1.05) = 10000 / 3.15 = 3174.60
    assert liquidation_price("short", 3, 3000, 1000, 0.05) == approx(3174.60, abs=0.005)


def test_dydx_general_formula_agrees():
    # p' = (e - s p) / (|s| MMF - s) with signed s
    def dydx(s, p, e, m):
        return (e - s * p) / (abs(s) * m - s)

    assert liquidation_price("short", 3, 3000, 1000, 0.05) == approx(dydx(-3, 3000, 1000, 0.05))
    assert liquidation_price("long", 0.05, 20_000, 100, 0.03) == approx(dydx(0.05, 20_000, 100, 0.03))


@pytest.mark.parametrize(
    "lev, exact, linear",
    [
        # size = 100 * lev / 20000
        # 1x:  s = 0.005: (100 - 100) / (0.005 * 0.97) = 0        ; 20000 (1 - 1 + 0.03) = 600
        (1, 0.0, 600.0),
        # 2x:  s = 0.01:  (200 - 100) / (0.01 * 0.97) = 10309.28  ; 20000 (1 - 0.5 + 0.03) = 10600
        (2, 10_309.28, 10_600.0),
        # 10x: s = 0.05:  (1000 - 100) / (0.05 * 0.97) = 18556.70 ; 20000 (1 - 0.1 + 0.03) = 18600
        (10, 18_556.70, 18_600.0),
    ],
)
def test_seed_btc_long_liquidation(lev, exact, linear):
    size = notional(100, lev) / 20_000
    assert liquidation_price("long", size, 20_000, 100, 0.03) == approx(exact, abs=0.005)
    assert liquidation_price_linear("long", 20_000, lev, 0.03) == approx(linear, abs=1e-6)


def test_seed_ten_x_is_about_a_seven_percent_drop():
    # (18600 - 20000) / 20000 = -7% ; exact (18556.70 - 20000) / 20000 = -7.22%
    assert liquidation_distance(20_000, 18_600) == approx(-0.07)
    liq = liquidation_price("long", 0.05, 20_000, 100, 0.03)
    assert liquidation_distance(20_000, liq) == approx(-0.072165, abs=1e-6)


def test_liquidation_distance_signs():
    # short: (3174.60 - 3000) / 3000 = +5.82% ; long at 0 -> -100%
    assert liquidation_distance(3000, 3174.6031746) == approx(0.0582011, abs=1e-6)
    assert liquidation_distance(20_000, 0) == -1.0


def test_linear_minus_exact_gap():
    # linear - exact = E m (1/L - m) / (1 -+ m) ; 2x long: 20000*0.03*0.47/0.97 = 290.72
    exact = liquidation_price("long", 0.01, 20_000, 100, 0.03)
    assert liquidation_price_linear("long", 20_000, 2, 0.03) - exact == approx(290.72, abs=0.005)
    # short 2x: s = 0.01: (100 + 200) / (0.01 * 1.03) = 29126.21 ; linear 20000 (1.5 - 0.03) = 29400
    exact_s = liquidation_price("short", 0.01, 20_000, 100, 0.03)
    assert exact_s == approx(29_126.21, abs=0.005)
    assert liquidation_price_linear("short", 20_000, 2, 0.03) - exact_s == approx(
        20_000 * 0.03 * 0.47 / 1.03
    )


def test_liquidation_price_is_where_equity_meets_maintenance():
    for side, size, entry, coll, m in [("long", 2, 3000, 1500, 0.03), ("short", 2, 3000, 1500, 0.05)]:
        p = liquidation_price(side, size, entry, coll, m)
        pnl = size * (p - entry) * (1 if side == "long" else -1)
        assert coll + pnl == approx(maintenance_margin(size * p, m))


@settings(max_examples=200)
@given(
    entry=st.floats(1, 1e5),
    coll=st.floats(1, 1e6),
    lev=st.floats(1.0, 49.0),
    dlev=st.floats(0.01, 10.0),
    m=st.floats(0.001, 0.2),
)
def test_liquidation_price_moves_towards_entry_with_leverage(entry, coll, lev, dlev, m):
    s1 = notional(coll, lev) / entry
    s2 = notional(coll, lev + dlev) / entry
    long1 = liquidation_price("long", s1, entry, coll, m)
    long2 = liquidation_price("long", s2, entry, coll, m)
    short1 = liquidation_price("short", s1, entry, coll, m)
    short2 = liquidation_price("short", s2, entry, coll, m)
    assert long2 >= long1 - 1e-9 * entry
    assert short2 < short1
    if lev * m < 1:  # any tradable leverage (L <= 1/IMF < 1/MMF) starts above maintenance
        assert long1 < entry < short1


@settings(max_examples=100)
@given(
    coll=st.floats(100, 1e6),
    lev=st.floats(1.0, 19.0),
    dlev=st.floats(0.05, 10.0),
    vol=st.floats(0.05, 2.0),
    days=st.floats(1, 365),
)
def test_liquidation_probability_rises_with_leverage(coll, lev, dlev, vol, days):
    entry, m, years = 3000.0, 0.03, days / 365
    probs = []
    for L in (lev, lev + dlev):
        size = notional(coll, L) / entry
        liq = liquidation_price("short", size, entry, coll, m)
        probs.append(touch_probability(entry, liq, vol, years, direction="up"))
    assert probs[1] >= probs[0]


@pytest.mark.parametrize(
    "call",
    [
        lambda: liquidation_price("long", -1, 3000, 100, 0.03),
        lambda: liquidation_price("long", 1, 0, 100, 0.03),
        lambda: liquidation_price("long", 1, 3000, 100, 1.0),
        lambda: liquidation_price("sideways", 1, 3000, 100, 0.03),
        lambda: liquidation_price("short", 1, 3000, -5, 0.03),
        lambda: liquidation_price_linear("long", 3000, 0, 0.03),
        lambda: v3_liquidity(10_000, 2000, 2500, 1500),
        lambda: v3_liquidity(10_000, 2000, 2000, 2000),
        lambda: v3_amounts(100, 0, 1500, 2500),
        lambda: v2_volatile_amount(10_000, 0),
        lambda: v2_value(-1, 1.5),
        lambda: impermanent_loss(0),
        lambda: impermanent_loss(-1),
        lambda: max_leverage(0),
        lambda: initial_margin(1000, 1.5),
        lambda: leverage_for(1000, 0),
        lambda: with_commission(10, 1.0),
        lambda: cover_premium(-1, 0.02, 30),
        lambda: gas_cost(-1, 25),
        lambda: touch_probability(0, 100, 0.5, 1),
        lambda: touch_probability(100, 120, -0.5, 1),
        lambda: funding_pnl("short", 1000, float("nan"), 30),
        lambda: pool_fees(1000, 0.3, -1),
    ],
)
def test_invalid_inputs_raise_value_error(call):
    with pytest.raises(ValueError):
        call()


def test_error_messages_are_clear():
    with pytest.raises(ValueError, match="low must be < high"):
        v3_liquidity(1, 2000, 2500, 1500)
    with pytest.raises(ValueError, match="mmf"):
        liquidation_price("long", 1, 3000, 100, 1.0)
    with pytest.raises(ValueError, match="size"):
        liquidation_price("long", -1, 3000, 100, 0.03)


# ------------------------------------------------------------------ touch probability

def test_normal_cdf():
    assert normal_cdf(0) == approx(0.5)
    assert normal_cdf(1.959964) == approx(0.975, abs=1e-6)
    assert normal_cdf(-1) == approx(0.158655, abs=1e-6)


def test_touch_probability_hand_value():
    # spot 100, barrier 120, vol 60%, 30 days, drift vol^2 / 2 (a driftless LOG price, nu = 0):
    # a = ln 1.2 = 0.182322 ; vol sqrt T = 0.6 * sqrt(30/365) = 0.172015
    # 2 N(-0.182322 / 0.172015) = 2 N(-1.059918) = 2 * 0.144591 = 0.289182
    assert touch_probability(100, 120, 0.6, 30 / 365, drift=0.18) == approx(0.289182, abs=2e-6)
    # symmetric in log distance when nu = 0: barrier 100/1.2 gives the same
    assert touch_probability(100, 100 / 1.2, 0.6, 30 / 365, drift=0.18) == approx(0.289182, abs=2e-6)


def test_touch_probability_is_that_of_a_martingale_price_by_default():
    # The v2 example's short: ETH 3,000, vol 60%, 90 days, liquidation at 5,825.24
    # (domain-options.md, "Price dynamics"): 1.845% for a martingale price.
    years = 90 / 365
    assert touch_probability(3000, 5825.24, 0.6, years) == approx(0.01845, abs=5e-6)
    # A stated drift of vol^2 / 2 makes the log price driftless: the reflection
    # principle, 2 N(-a / (vol sqrt T)), a = ln(5825.24 / 3000) = 0.663588,
    # vol sqrt T = 0.297938: 2 N(-2.227268) = 2.593%, the old convention's figure.
    a, sd = math.log(5825.24 / 3000), 0.6 * math.sqrt(years)
    assert a / sd == approx(2.227268, abs=1e-6)
    reflection = math.erfc(a / sd / math.sqrt(2))
    assert touch_probability(3000, 5825.24, 0.6, years, drift=0.18) == approx(reflection, rel=1e-9)
    assert reflection == approx(0.025929, abs=5e-6)
    # a long liquidated below: a martingale price drifts down in log, so it is touched more often
    assert touch_probability(3000, 3000 ** 2 / 5825.24, 0.6, years) > reflection


def test_touch_probability_edges():
    assert touch_probability(100, 100, 0.5, 1) == 1.0
    assert touch_probability(100, 100, 0.0, 0.0) == 1.0
    assert touch_probability(100, 120, 0.0, 1) == 0.0
    assert touch_probability(100, 120, 0.5, 0.0) == 0.0
    assert touch_probability(100, 0, 0.5, 1) == 0.0  # long liquidated at 0 is never reached
    # deterministic drift reaching the barrier
    assert touch_probability(100, 120, 0.0, 1, drift=0.2) == 1.0
    assert touch_probability(100, 120, 0.0, 1, drift=0.1) == 0.0


def test_touch_probability_with_log_drift_matches_reflection_when_zero():
    for B in (80, 95, 105, 150):
        p0 = touch_probability(100, B, 0.4, 0.5, drift=0.08)  # nu = 0
        assert touch_probability(100, B, 0.4, 0.5, drift=0.08 + 1e-12) == approx(p0, rel=1e-6)


def test_touch_probability_drift_direction():
    # drift towards the barrier raises the probability, away lowers it
    base = touch_probability(100, 130, 0.5, 0.5)
    assert touch_probability(100, 130, 0.5, 0.5, drift=0.3) > base
    assert touch_probability(100, 130, 0.5, 0.5, drift=-0.3) < base
    assert touch_probability(100, 70, 0.5, 0.5, drift=-0.3) > touch_probability(100, 70, 0.5, 0.5)


def test_touch_probability_extreme_drift_is_finite():
    # exp(2 nu a / vol^2) overflows naively; must stay a probability
    p = touch_probability(100, 110, 0.01, 1, drift=0.5)
    assert 0.0 <= p <= 1.0 and p == approx(1.0)
    q = touch_probability(100, 110, 0.01, 1, drift=-0.5)
    assert 0.0 <= q <= 1e-12


@given(
    barrier=st.floats(1, 1000),
    vol=st.floats(0.01, 3),
    dvol=st.floats(0.001, 1),
    years=st.floats(0.001, 3),
    dyears=st.floats(0.001, 1),
)
def test_touch_probability_monotone(barrier, vol, dvol, years, dyears):
    spot = 100.0
    assume(abs(barrier - spot) > 1e-6)
    p = touch_probability(spot, barrier, vol, years)
    assert 0.0 <= p <= 1.0
    assert touch_probability(spot, barrier, vol + dvol, years) >= p
    assert touch_probability(spot, barrier, vol, years + dyears) >= p
    # a barrier further away is touched less often
    further = barrier * 1.1 if barrier > spot else barrier / 1.1
    assert touch_probability(spot, further, vol, years) <= p


@given(spot=st.floats(1, 1e5), frac=st.floats(0.0, 0.99), vol=st.floats(0, 2), years=st.floats(0, 2))
def test_touch_probability_one_at_or_through_spot(spot, frac, vol, years):
    # a barrier equal to spot is already touched
    assert touch_probability(spot, spot, vol, years) == 1.0
    # a short's liquidation price at/below spot, or a long's at/above, is already crossed
    assert touch_probability(spot, spot * (1 - frac), vol, years, direction="up") == 1.0
    assert touch_probability(spot, spot / (1 - frac), vol, years, direction="down") == 1.0


def test_touch_probability_direction_matches_inferred():
    assert touch_probability(100, 120, 0.6, 0.1, direction="up") == touch_probability(100, 120, 0.6, 0.1)
    assert touch_probability(100, 80, 0.6, 0.1, direction="down") == touch_probability(100, 80, 0.6, 0.1)
    with pytest.raises(ValueError, match="direction"):
        touch_probability(100, 80, 0.6, 0.1, direction="sideways")


def _simulated_touch(spot, barrier, vol, years, log_drift, n_paths, n_steps, seed):
    rng = np.random.default_rng(seed)
    dt = years / n_steps
    steps = log_drift * dt + vol * math.sqrt(dt) * rng.standard_normal((n_paths, n_steps))
    logs = np.cumsum(steps, axis=1)
    a = math.log(barrier / spot)
    hit = (logs.max(axis=1) >= a) if a > 0 else (logs.min(axis=1) <= a)
    return hit.mean()


@pytest.mark.parametrize(
    "barrier, log_drift",
    [(120.0, 0.0), (85.0, 0.0), (120.0, -0.6**2 / 2), (85.0, -0.6**2 / 2)],
)
def test_touch_probability_monte_carlo(barrier, log_drift):
    spot, vol, years = 100.0, 0.6, 30 / 365
    n_paths, n_steps = 20_000, 500
    mc = _simulated_touch(spot, barrier, vol, years, log_drift, n_paths, n_steps, seed=7)
    p = touch_probability(spot, barrier, vol, years, drift=log_drift + vol * vol / 2)
    # discrete monitoring misses crossings between steps: the continuous
    # probability is an upper bound, the gap shrinks like sqrt(dt).  Use the
    # Broadie-Glasserman-Kou shift (barrier moved out by exp(0.5826 vol sqrt dt))
    # to compare like with like, then allow 4 standard errors.
    shift = math.exp(0.5826 * vol * math.sqrt(years / n_steps))
    shifted = barrier * shift if barrier > spot else barrier / shift
    p_discrete = touch_probability(spot, shifted, vol, years, drift=log_drift + vol * vol / 2)
    se = math.sqrt(p_discrete * (1 - p_discrete) / n_paths)
    assert abs(mc - p_discrete) < 4 * se
    assert mc <= p + 4 * se


# ------------------------------------------------------------------ funding

def test_funding_sign_convention():
    # 10,000 notional at +10% apr for 36.5 days: 10000 * 0.1 * 0.1 = 100
    assert funding_pnl("short", 10_000, 0.10, 36.5) == approx(100)   # longs pay shorts
    assert funding_pnl("long", 10_000, 0.10, 36.5) == approx(-100)
    # repo example: -5% apr on 27,964 notional for 30 days: 27964 * 0.05 * 30/365 = 114.92 paid by the short
    assert funding_pnl("short", 27_964, -0.05, 30) == approx(-114.92, abs=0.005)
    assert funding_pnl("long", 27_964, -0.05, 30) == approx(114.92, abs=0.005)


def test_annual_rate_from_8h():
    # 0.0001 * 3 * 365 = 0.1095
    assert annual_rate_from_8h(0.0001) == approx(0.1095)
    assert annual_rate_from_8h(-0.0001) == approx(-0.1095)


# ------------------------------------------------------------------ cover

def test_cover_premium_and_commission():
    # 20,000 * 2.6% * 30/365 = 42.74 ; with 15% commission 42.74 / 0.85 = 50.28
    prem = cover_premium(20_000, 0.026, 30)
    assert prem == approx(42.74, abs=0.005)
    assert with_commission(prem, 0.15) == approx(50.28, abs=0.005)
    # a full year at 1% (the minimum price ratio) costs 1% of the amount
    assert cover_premium(10_000, 0.01, 365) == approx(100)
    assert with_commission(100, 0) == approx(100)


# ------------------------------------------------------------------ fees, gas

def test_pool_fees():
    # repo example: 50,000 at 35% apr for 30 days: 50000 * 0.35 * 30/365 = 1438.36
    assert pool_fees(50_000, 0.35, 30) == approx(1438.36, abs=0.005)


def test_gas_cost():
    # 200,000 gas at 25 gwei: 200000 * 25e-9 = 0.005 ETH ; 21,000 at 1 gwei = 0.000021
    assert gas_cost(200_000, 25) == approx(0.005)
    assert gas_cost(21_000, 1) == approx(2.1e-5)


# ------------------------------------------------------------------ properties

@given(r=st.floats(1e-6, 1e6))
def test_impermanent_loss_nonpositive_and_symmetric(r):
    il = impermanent_loss(r)
    assert -1.0 < il <= 0.0
    assert il == approx(impermanent_loss(1 / r), abs=1e-12)


@given(r=st.floats(1e-4, 1e4), v=st.floats(0, 1e9))
def test_static_hedge_pnl_nonpositive(r, v):
    assert v2_static_hedge_pnl(v, r) <= 0.0
