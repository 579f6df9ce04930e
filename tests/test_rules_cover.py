from hypothesis import given, settings
from hypothesis import strategies as st
from pytest import approx

from rules_support import check, codes, only, variant

COVER_WARNINGS = {"H501", "H502", "H503", "H504", "H505", "H506"}


def test_premium_per_cover_leg():
    # 10000 x 2.6% x 90 / 365 = 64.11 USDC ; 20000 x 2.6% x 90 / 365 = 128.22 USDC
    result = check(variant())
    assert result.figures["covers"]["dydx_cover"]["premium"] == approx(64.11, abs=0.005)
    premiums = sorted(d.data["premium"] for d in result.diagnostics if d.code == "H507")
    assert premiums == [approx(64.11, abs=0.005), approx(128.22, abs=0.005)]


def test_uncovered_pool_names_the_amount_at_risk():
    d = only(check(variant(drop=("pool_cover",))), "H501")
    assert "pool `lp` holds 20,000 USDC on uniswap_v2" in d.message
    assert "product 71" in d.hint


def test_cover_below_funds():
    d = only(check(variant(dydx_cover__amount="5000 USDC")), "H502")
    assert "protects only 50%" in d.message and "10,000 USDC" in d.message


def test_cover_period_shorter_than_horizon():
    d = only(check(variant(dydx_cover__period="30d")), "H503")
    assert "last 60d are uncovered" in d.message


def test_cover_period_outside_provider_limits():
    assert {"H503", "H504"} <= set(codes(check(variant(dydx_cover__period="14d"))))
    d = only(check(variant(dydx_cover__period="400d")), "H504")
    assert "28 to 365 days" in d.message


def test_provider_does_not_cover_dydx_v4():
    result = check(variant(hedge__venue="dydx_v4"))
    d = only(result, "H505")
    assert "no cover for dydx_v4" in d.message
    assert "H501" not in codes(result)  # the cover leg is reported, not the venue twice


def test_currency_not_accepted():
    d = only(check(variant(dydx_cover__amount="10000 USDT")), "H506")
    assert "USDT" in d.message and "ETH, USDC, cbBTC" in d.message


def _cover_codes(amount: int, period: int) -> set[str]:
    text = variant(dydx_cover__amount=f"{amount} USDC", dydx_cover__period=f"{period}d")
    return set(codes(check(text))) & COVER_WARNINGS


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 30000), st.integers(1, 20000), st.integers(1, 400))
def test_a_larger_cover_never_adds_a_cover_warning(amount, extra, period):
    assert _cover_codes(amount + extra, period) <= _cover_codes(amount, period)


def test_cover_a_hair_short_of_the_funds_is_not_called_100_percent():
    d = only(check(variant(dydx_cover__amount="9997 USDC")), "H502")
    assert "protects only 99.9%" in d.message
