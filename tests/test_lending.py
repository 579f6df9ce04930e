"""Aave v3 lending formulas: the issue's reference figures, hand-computed liquidations, properties."""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hedgec import lending as L
from hedgec.compiler.catalog import CatalogError, load_catalog

USDC_LT, USDC_LTV, USDC_BONUS = 0.78, 0.75, 0.045
WETH_CURVE = L.RateCurve(base=0.0, slope1=0.027, slope2=0.80, optimal=0.90, reserve_factor=0.15)

# the short: 19,230.77 USDC supplied, 3.3333 WETH borrowed at 3,000
C, Q, S0 = 19230.77, 3.3333, 3000.0


# --- reference figures (issue 12) ---------------------------------------------


def test_reference_health_factor_is_1_5():
    # 19,230.77 x 0.78 = 15,000.00 against 3.3333 x 3,000 = 9,999.90 of debt
    assert L.short_health_factor(C, Q, S0, USDC_LT) == pytest.approx(1.5, abs=1e-4)
    assert L.health_factor([(C, 1.0, USDC_LT)], [(Q, S0)]) == pytest.approx(15000.0006 / 9999.9)


def test_reference_liquidation_price_4500():
    s_liq = L.short_liquidation_price(C, Q, USDC_LT)
    assert s_liq == pytest.approx(4500.0, abs=0.1)
    assert s_liq / S0 - 1 == pytest.approx(0.50, abs=1e-4)


def test_reference_liquidation_price_with_proceeds_supplied_6840():
    # collateral is the 19,230.77 USDC plus the 9,999.90 USDC the 3.3333 WETH sold for:
    # (19,230.77 + 9,999.90) x 0.78 / 3.3333 = 22,799.92 / 3.3333 = 6,840.05
    s_liq = L.short_liquidation_price(C, Q, USDC_LT, proceeds=Q * S0)
    assert s_liq == pytest.approx(6840.0, abs=0.1)
    # = C·LT/q + LT·S0: the proceeds move the liquidation price up by 78 % of the entry price
    assert s_liq == pytest.approx(L.short_liquidation_price(C, Q, USDC_LT) + USDC_LT * S0)
    assert L.short_health_factor(C, Q, S0, USDC_LT, proceeds=Q * S0) == pytest.approx(2.28, abs=1e-4)


def test_reference_weth_borrow_rate_at_85_percent():
    # below the 90 % kink: 0 + 2.7 % x 0.85 / 0.90 = 2.55 %
    assert WETH_CURVE.borrow(0.85) == pytest.approx(0.0255)
    assert L.borrow_rate(0.85, WETH_CURVE) == pytest.approx(0.0255)


# --- health factor, limits, sizing ----------------------------------------------


def test_health_factor_sums_reserves_and_is_infinite_without_debt():
    # 10,000 USDC (LT 78 %) + 1 WETH at 3,000 (LT 83 %) against 5,000 USDT
    hf = L.health_factor([(10000, 1.0, 0.78), (1, 3000, 0.83)], [(5000, 1.0)])
    assert hf == pytest.approx((7800 + 2490) / 5000)
    assert L.health_factor([(10000, 1.0, 0.78)], []) == math.inf
    assert L.health_factor([(10000, 1.0, 0.78)], [(0.0, 3000)]) == math.inf
    assert L.health_factor([], [(1.0, 3000)]) == 0.0


def test_health_factor_vectorised_over_prices():
    prices = np.array([2000.0, 3000.0, 4500.0, 6000.0])
    hf = L.short_health_factor(C, Q, prices, USDC_LT)
    assert hf.shape == (4,)
    np.testing.assert_allclose(hf, C * USDC_LT / (Q * prices))
    np.testing.assert_array_equal(hf < 1, [False, False, False, True])


def test_max_borrow_by_ltv():
    # 19,230.77 x 75 % = 14,423.08 USDC of borrowing power = 4.8077 WETH at 3,000
    assert L.max_borrow_value(C, USDC_LTV) == pytest.approx(14423.0775)
    assert L.max_borrow_amount(C, USDC_LTV, S0) == pytest.approx(4.8076925)
    # with 3.3333 already owed, 1.4744 more
    assert L.max_borrow_amount(C, USDC_LTV, S0, debt_amount=Q) == pytest.approx(4.8076925 - Q)
    # over the limit: nothing more, never negative
    assert L.max_borrow_value(1000, USDC_LTV, debt_value=900) == 0.0
    # LTV 0 (DAI on Aave v3 Ethereum since 2025-12): no borrowing power at all
    assert L.max_borrow_value(50000, 0.0) == 0.0


def test_collateral_for_target_health_factor():
    # HF 1.5 on 10,000 USDC of WETH debt: 1.5 x 10,000 / 0.78 = 19,230.77
    assert L.collateral_for_health_factor(1.5, 10000 / 3000, 3000, USDC_LT) == pytest.approx(19230.769, abs=1e-3)
    # with the 10,000 USDC of proceeds supplied too, 9,230.77 more is enough
    assert L.collateral_for_health_factor(1.5, 10000 / 3000, 3000, USDC_LT, proceeds=10000) == \
        pytest.approx(9230.769, abs=1e-3)
    assert L.collateral_for_health_factor(1.0, 1.0, 3000, USDC_LT, proceeds=10000) == 0.0


@pytest.mark.parametrize("call", [
    lambda: L.short_liquidation_price(C, 0.0, USDC_LT),
    lambda: L.short_liquidation_price(-1.0, Q, USDC_LT),
    lambda: L.short_liquidation_price(C, Q, 1.2),
    lambda: L.short_health_factor(C, Q, 0.0, USDC_LT),
    lambda: L.short_health_factor(C, Q, np.array([3000.0, -1.0]), USDC_LT),
    lambda: L.collateral_for_health_factor(0.0, Q, S0, USDC_LT),
    lambda: L.collateral_for_health_factor(1.5, Q, S0, 0.0),
    lambda: L.max_borrow_value(C, float("nan")),
    lambda: L.RateCurve(0.0, 0.027, 0.8, 1.0),
    lambda: L.RateCurve(0.0, 0.027, 0.8, 0.9, reserve_factor=1.5),
    lambda: L.RateCurve(0.0, 5.0, 6.0, 0.9),
    lambda: WETH_CURVE.borrow(1.01),
    lambda: L.accrue(100.0, 0.05, -1.0),
    lambda: L.liquidate(C, Q, S0, USDC_LT, -0.01),
])
def test_nonsense_inputs_are_refused(call):
    with pytest.raises(ValueError):
        call()


# --- rates, accrual, carry ----------------------------------------------------------


def test_rate_curve_by_hand():
    # at the kink: base + slope1; above it slope2 takes over
    assert WETH_CURVE.borrow(0.90) == pytest.approx(0.027)
    assert WETH_CURVE.borrow(0.95) == pytest.approx(0.027 + 0.80 * 0.05 / 0.10)  # 42.7 %
    assert WETH_CURVE.borrow(1.0) == pytest.approx(0.827)
    assert WETH_CURVE.borrow(0.0) == 0.0
    # supply = 2.55 % x 0.85 x (1 - 15 %) = 1.842375 %
    assert WETH_CURVE.supply(0.85) == pytest.approx(0.01842375)
    usdc = L.RateCurve(base=0.0, slope1=0.065, slope2=0.35, optimal=0.92, reserve_factor=0.10)
    assert usdc.borrow(0.92) == pytest.approx(0.065)
    assert usdc.borrow(0.96) == pytest.approx(0.065 + 0.35 * 0.5)
    # a base rate shifts the whole curve
    assert L.RateCurve(0.01, 0.04, 3.0, 0.8).borrow(0.4) == pytest.approx(0.01 + 0.04 * 0.5)
    np.testing.assert_allclose(WETH_CURVE.borrow(np.array([0.45, 0.85, 0.95])), [0.0135, 0.0255, 0.427])


def test_accrual_is_continuous_and_step_invariant():
    # 1 WETH at 2.55 % for 90 days: e^(0.0255 x 90/365) = e^0.00628767 = 1.0063075
    assert L.accrue(1.0, 0.0255, 90 / 365) == pytest.approx(math.exp(0.0255 * 90 / 365))
    assert L.accrue(1.0, 0.0255, 90 / 365) == pytest.approx(1.0063075, abs=1e-7)
    daily = 1.0
    for _ in range(90):
        daily = L.accrue(daily, 0.0255, 1 / 365)
    assert daily == pytest.approx(L.accrue(1.0, 0.0255, 90 / 365), rel=1e-12)
    np.testing.assert_allclose(L.accrue(np.array([1.0, 2.0]), 0.1, 1.0), [math.e ** 0.1, 2 * math.e ** 0.1])
    assert L.apy(0.05) == pytest.approx(math.e ** 0.05 - 1)


def test_carry_supply_income_less_borrow_cost():
    # 19,230.77 USDC at 4.9 % against 9,999.90 of WETH debt at 2.55 %, 90 days:
    # 19,230.77 (e^(0.049 x 0.246575) - 1) - 9,999.90 (e^(0.0255 x 0.246575) - 1)
    # = 19,230.77 x 0.0121555 - 9,999.90 x 0.0063075 = 233.76 - 63.07 = 170.68
    t = 90 / 365
    got = L.carry(C, 0.049, Q * S0, 0.0255, t)
    assert got == pytest.approx(C * math.expm1(0.049 * t) - Q * S0 * math.expm1(0.0255 * t))
    assert got == pytest.approx(170.685, abs=0.001)


# --- liquidation steps, by hand ------------------------------------------------------


def test_close_factor_50_percent_when_large_and_hf_above_095():
    # 10,000 USDC against 2 WETH at 4,000: debt 8,000, HF 7,800/8,000 = 0.975 > 0.95
    step = L.liquidate(10000.0, 2.0, 4000.0, USDC_LT, USDC_BONUS)
    assert step.liquidated is True and all(type(x) is float for x in step[:-1])  # scalars in, scalars out
    assert step.repaid == pytest.approx(1.0)             # 50 % of 2 WETH
    assert step.seized == pytest.approx(4180.0)          # 4,000 x 1.045
    assert step.penalty == pytest.approx(180.0)          # 4.5 % of 4,000 repaid
    assert (step.collateral, step.debt) == (pytest.approx(5820.0), pytest.approx(1.0))
    assert step.bad_debt == 0.0
    # HF afterwards 5,820 x 0.78 / 4,000 = 1.1349: one call was enough
    assert L.short_health_factor(step.collateral, step.debt, 4000.0, USDC_LT) == pytest.approx(1.1349)


def test_close_factor_100_percent_when_hf_at_or_below_095():
    # at 4,200: debt 8,400, HF 7,800/8,400 = 0.9286 <= 0.95: the whole debt goes
    step = L.liquidate(10000.0, 2.0, 4200.0, USDC_LT, USDC_BONUS)
    assert step.repaid == pytest.approx(2.0)
    assert step.seized == pytest.approx(8778.0)          # 8,400 x 1.045
    assert step.penalty == pytest.approx(378.0)
    assert (step.collateral, step.debt) == (pytest.approx(1222.0), 0.0)


def test_close_factor_100_percent_below_2000_usd():
    # 1,500 USDC against 0.3 WETH at 4,000: HF 1,170/1,200 = 0.975 but the debt is 1,200 < 2,000
    step = L.liquidate(1500.0, 0.3, 4000.0, USDC_LT, USDC_BONUS)
    assert step.repaid == pytest.approx(0.3)
    assert step.seized == pytest.approx(1254.0)
    assert step.penalty == pytest.approx(54.0)
    assert (step.collateral, step.debt) == (pytest.approx(246.0), 0.0)


def test_collateral_short_of_debt_plus_bonus_leaves_bad_debt():
    # 10,000 USDC against 2 WETH at 5,000: 10,000 x 1.045 > 10,000 of collateral;
    # all of it goes for 10,000/1.045 = 9,569.38 repaid (1.913876 WETH), the rest is written off
    step = L.liquidate(10000.0, 2.0, 5000.0, USDC_LT, USDC_BONUS)
    assert step.seized == pytest.approx(10000.0)
    assert step.repaid == pytest.approx(10000 / 1.045 / 5000)
    assert step.penalty == pytest.approx(10000 - 10000 / 1.045)   # 430.62
    assert step.bad_debt == pytest.approx(2.0 - 10000 / 1.045 / 5000)
    assert (step.collateral, step.debt) == (0.0, 0.0)


def test_partial_liquidation_must_not_leave_collateral_dust():
    # LT 95 %, bonus 10 %: 2,100 USDC against 1 unit at 2,050, HF 1,995/2,050 = 0.973.
    # 50 % would repay 1,025 and seize 1,127.50, leaving 972.50 < 1,000 USD of collateral,
    # so the liquidator repays (2,100 - 1,000)/1.1 = 1,000 and leaves exactly 1,000.
    step = L.liquidate(2100.0, 1.0, 2050.0, 0.95, 0.10)
    assert step.repaid * 2050 == pytest.approx(1000.0)
    assert step.collateral == pytest.approx(1000.0)
    assert step.penalty == pytest.approx(100.0)
    # HF is then 1,000 x 0.95 / 1,050 = 0.905 and the position is below 2,000 USD:
    # the next call takes all 1,000 of collateral for 909.09 repaid, 140.91 written off
    total = L.liquidate_until_healthy(2100.0, 1.0, 2050.0, 0.95, 0.10)
    assert (total.collateral, total.debt) == (0.0, 0.0)
    assert total.repaid * 2050 == pytest.approx(1000.0 + 1000 / 1.1)
    assert total.penalty == pytest.approx(100.0 + 1000 - 1000 / 1.1)
    assert total.bad_debt * 2050 == pytest.approx(1050 - 1000 / 1.1)


def test_close_factor_rules_from_the_catalog_are_applied():
    # the 0.975-HF case above, under an overlay that lets liquidators close the whole debt
    full = L.liquidate(10000.0, 2.0, 4000.0, USDC_LT, USDC_BONUS, rules=L.CloseFactor(close_factor=1.0))
    assert full.repaid == pytest.approx(2.0) and full.penalty == pytest.approx(360.0)
    # or with a 10,000 USD small-position threshold: 8,000 of debt is then small, 100 % again
    small = L.liquidate(10000.0, 2.0, 4000.0, USDC_LT, USDC_BONUS, rules=L.CloseFactor(full_close_below=10000))
    assert small.repaid == pytest.approx(2.0)
    assert L.CloseFactor() == L.CloseFactor(0.5, 0.95, 2000.0, 1000.0)
    with pytest.raises(ValueError):
        L.CloseFactor(close_factor=0.0)


def test_liquidation_is_applied_per_path():
    prices = np.array([3000.0, 4000.0, 4200.0, 5000.0])
    step = L.liquidate(np.full(4, 10000.0), np.full(4, 2.0), prices, USDC_LT, USDC_BONUS)
    np.testing.assert_array_equal(step.liquidated, [False, True, True, True])
    np.testing.assert_allclose(step.debt, [2.0, 1.0, 0.0, 0.0])
    np.testing.assert_allclose(step.penalty, [0.0, 180.0, 378.0, 10000 - 10000 / 1.045])
    for i, p in enumerate(prices):  # each path equals the scalar call
        one = L.liquidate(10000.0, 2.0, p, USDC_LT, USDC_BONUS)
        assert [float(x[i]) for x in step] == pytest.approx([float(x) for x in one])


# --- properties --------------------------------------------------------------------------

collaterals = st.floats(100.0, 1e7)
amounts = st.floats(0.01, 1e4)
prices = st.floats(1.0, 1e5)
lts = st.floats(0.3, 0.95)
bonuses = st.floats(0.0, 0.15)


@given(collaterals, amounts, lts, prices, prices)
def test_health_factor_falls_as_the_borrowed_asset_rises(c, q, lt, a, b):
    lo, hi = sorted((a, b))
    assert L.short_health_factor(c, q, lo, lt) >= L.short_health_factor(c, q, hi, lt)


@given(collaterals, amounts, lts, st.floats(0.0, 1e6))
def test_liquidation_price_is_where_hf_is_one(c, q, lt, proceeds):
    s_liq = L.short_liquidation_price(c, q, lt, proceeds)
    assert L.short_health_factor(c, q, s_liq, lt, proceeds) == pytest.approx(1.0, rel=1e-12)
    assert L.short_health_factor(c, q, s_liq * 0.999, lt, proceeds) > 1.0
    assert L.short_health_factor(c, q, s_liq * 1.001, lt, proceeds) < 1.0
    # nothing is liquidated just below it; something is just above
    assert not L.liquidate(c + proceeds, q, s_liq * 0.999, lt, 0.05).liquidated
    assert L.liquidate(c + proceeds, q, s_liq * 1.001, lt, 0.05).liquidated


@given(st.floats(1.01, 5.0), amounts, prices, lts)
def test_collateral_for_hf_round_trips(hf, q, s, lt):
    c = L.collateral_for_health_factor(hf, q, s, lt)
    assert L.short_health_factor(c, q, s, lt) == pytest.approx(hf, rel=1e-12)


@given(st.floats(0.0, 1.0), st.floats(0.0, 1.0))
def test_rates_rise_with_utilisation_and_supply_never_exceeds_borrow(u1, u2):
    lo, hi = sorted((u1, u2))
    assert WETH_CURVE.borrow(lo) <= WETH_CURVE.borrow(hi)
    assert 0.0 <= WETH_CURVE.supply(hi) <= WETH_CURVE.borrow(hi)


@settings(max_examples=200)
@given(collaterals, amounts, prices, lts, bonuses)
def test_liquidation_conserves_value_and_heals(c, q, s, lt, bonus):
    step = L.liquidate(c, q, s, lt, bonus)
    # the borrower loses exactly the bonus on what was repaid
    # the penalty is a difference of amounts of size c: it is exact to their rounding, not to its own
    assert step.penalty == pytest.approx(bonus * step.repaid * s, rel=1e-9, abs=1e-12 * (c + q * s))
    assert step.seized == pytest.approx(step.repaid * s * (1 + bonus), rel=1e-9, abs=1e-9)
    assert step.collateral == pytest.approx(c - step.seized, rel=1e-9, abs=1e-6)
    assert step.debt + step.repaid + step.bad_debt == pytest.approx(q, rel=1e-9)
    assert step.debt <= q and step.collateral <= c
    if not step.liquidated:
        assert step.repaid == 0.0 and step.penalty == 0.0
    elif L.short_health_factor(c, q, s, lt) > L.CLOSE_FACTOR_HF_THRESHOLD and c >= 2000 and q * s >= 2000:
        assert step.repaid <= 0.5 * q * (1 + 1e-12)
    total = L.liquidate_until_healthy(c, q, s, lt, bonus)
    assert L.short_health_factor(total.collateral, total.debt, s, lt) >= 1.0


# --- the catalog's aave_v3 markets ---------------------------------------------------------

def _curve(reserve) -> L.RateCurve:
    r = reserve.rates
    return L.RateCurve(r.base, r.slope1, r.slope2, r.optimal, r.reserve_factor)


def test_catalog_aave_v3_reserves_load_with_their_sources():
    cat = load_catalog()
    venue = cat.venue("aave_v3")
    assert (venue.kind, venue.chain, venue.deposit_required) == ("lending", "ethereum", True)
    assert set(venue.reserves) >= {"WETH", "WBTC", "USDC", "USDT", "DAI"}
    weth, usdc = cat.reserve("aave_v3", "WETH"), cat.reserve("aave_v3", "USDC")
    assert (weth.ltv, weth.liquidation_threshold, weth.liquidation_bonus) == (0.805, 0.83, 0.05)
    assert (usdc.ltv, usdc.liquidation_threshold, usdc.liquidation_bonus) == (0.75, 0.78, 0.045)
    assert (usdc.rates.slope1, usdc.rates.slope2, usdc.rates.optimal) == (0.065, 0.35, 0.92)
    # the figures follow from the catalog: HF 1.5 on USDC's threshold, 2.55 % on WETH's curve
    assert L.short_health_factor(C, Q, S0, usdc.liquidation_threshold) == pytest.approx(1.5, abs=1e-4)
    assert _curve(weth).borrow(0.85) == pytest.approx(0.0255)
    # the default utilisation is an assumption, and says so
    assert weth.utilization == 0.85
    assert not weth.utilization_source.verified and "assumption" in weth.utilization_source.url_or_ref
    # unverified as the domain notes say: WETH's reserve factor (with its curve); WETH's risk figures are not
    assert weth.rates.source.verified is False and weth.source.verified is True
    assert usdc.rates.source.verified is True
    assert cat.reserve("aave_v3", "WBTC").source.verified is False
    assert cat.reserve("aave_v3", "DAI").ltv == 0.0  # no borrowing power since 2025-12
    assert cat.reserve("aave_v3", "NOPE") is None and cat.reserve("dydx", "WETH") is None
    assert cat.venue("dydx").reserves == {} and cat.venue("dydx").liquidation is None


def test_catalog_close_factor_rules_match_the_formulas():
    rules = load_catalog().venue("aave_v3").liquidation
    assert rules.close_factor == L.DEFAULT_CLOSE_FACTOR
    assert rules.hf_threshold == L.CLOSE_FACTOR_HF_THRESHOLD
    assert rules.full_close_below_usd == L.MIN_BASE_MAX_CLOSE_FACTOR
    assert rules.min_leftover_usd == L.MIN_LEFTOVER_BASE
    assert "LiquidationLogic.sol" in rules.source.url_or_ref


def test_catalog_nexus_covers_aave_v3():
    cat = load_catalog()
    product = cat.cover_product_for("nexus_mutual", "aave_v3")
    assert (product.product_id, product.title, product.cover_type) == (97, "Aave v3", "protocol")
    assert product.price_source.verified is False
    assert cat.venue("aave_v3").cover_product == "nexus_mutual/aave_v3"


def _overlay(tmp_path, text):
    p = tmp_path / "lending.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def test_overlay_changes_an_ltv(tmp_path):
    p = _overlay(tmp_path, "venues:\n  aave_v3:\n    reserves:\n      USDC:\n        ltv: 0.70\n")
    cat = load_catalog([p])
    usdc = cat.reserve("aave_v3", "USDC")
    assert usdc.ltv == 0.70
    assert usdc.liquidation_threshold == 0.78 and usdc.rates.slope1 == 0.065
    assert cat.reserve("aave_v3", "WETH") == load_catalog().reserve("aave_v3", "WETH")
    assert load_catalog().reserve("aave_v3", "USDC").ltv == 0.75


def test_overlay_adds_a_reserve_and_moves_a_rate(tmp_path):
    p = _overlay(tmp_path, """
venues:
  aave_v3:
    reserves:
      WETH:
        utilization: {value: 0.95}
        rates: {slope1: 0.03}
      LINK:
        ltv: 0.53
        liquidation_threshold: 0.68
        liquidation_bonus: 0.07
        source: my notes
        read: 2026-11-20
        rates: {base: 0, slope1: 0.07, slope2: 3.0, optimal: 0.45, reserve_factor: 0.2, source: my notes, read: 2026-11-20}
        utilization: {value: 0.1, source: my guess, read: 2026-11-20, verified: false}
""")
    cat = load_catalog([p])
    weth = cat.reserve("aave_v3", "WETH")
    assert _curve(weth).borrow(weth.utilization) == pytest.approx(0.03 + 0.80 * 0.5)
    assert cat.reserve("aave_v3", "LINK").rates.slope2 == 3.0


@pytest.mark.parametrize("text, path, fragment", [
    ("venues:\n  aave_v3:\n    reserves:\n      USDC: {ltv: 0.8}\n",
     "venues.aave_v3.reserves.USDC.ltv", "exceeds the liquidation threshold"),
    ("venues:\n  aave_v3:\n    reserves:\n      WETH: {liquidation_bonus: 0.25}\n",
     "venues.aave_v3.reserves.WETH.liquidation_bonus", "exceeds 1"),
    ("venues:\n  aave_v3:\n    reserves:\n      WETH:\n        rates: {slope1: 0.9}\n",
     "venues.aave_v3.reserves.WETH.rates.slope1", "exceeds slope2"),
    ("venues:\n  aave_v3:\n    reserves:\n      WETH:\n        rates: {optimal: 1.0}\n",
     "venues.aave_v3.reserves.WETH.rates.optimal", "maximum"),
    ("venues:\n  aave_v3:\n    reserves:\n      WETH: {lvt: 0.5}\n",
     "venues.aave_v3.reserves.WETH", "'lvt' was unexpected"),
    ("venues:\n  aave_v3:\n    liquidation: {close_factor: 1.5}\n",
     "venues.aave_v3.liquidation.close_factor", "maximum"),
    ("venues:\n  dydx:\n    reserves: {}\n",
     "venues.dydx.reserves", "only a lending venue"),
    ("venues:\n  spark:\n    kind: lending\n    chain: ethereum\n    source: x\n    read: '2026-11-26'\n",
     "venues.spark", "at least one reserve"),
])
def test_overlay_lending_errors_are_located(tmp_path, text, path, fragment):
    p = _overlay(tmp_path, text)
    with pytest.raises(CatalogError) as info:
        load_catalog([p])
    assert (info.value.file, info.value.path) == (str(p), path)
    assert fragment in info.value.message
