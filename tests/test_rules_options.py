"""Options rules (H851-H860) against hand-computed figures."""
import math

from pytest import approx

from rules_support import check, codes, only, variant

EXAMPLE = "eth-usdc-v2-straddle"
T = 90 / 365
S = 0.6 * math.sqrt(T)  # sigma sqrt T
D1 = S / 2  # at the money, zero rate
N_STRADDLE = 10000 * (math.sqrt(2) - 1) / ((math.sqrt(2) + 1) * 3000)  # 0.571909


def N(x: float) -> float:
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


def phi(x: float) -> float:
    return math.exp(-x * x / 2) / math.sqrt(2 * math.pi)


def messages(result, code: str) -> list[str]:
    return [d.message for d in result.diagnostics if d.code == code]


def test_the_pricing_report_gives_premium_fee_and_greeks():
    d = next(d for d in check(variant(EXAMPLE)).diagnostics if d.code == "H851" and "put" in d.message)
    unit = 3000 * (2 * N(D1) - 1)  # 355.27
    assert d.message == "long 0.5719 ETH put at 3,000 USDC, 90d: premium 203.18 USDC, fee 0 USDC"
    assert d.data["premium"] == approx(N_STRADDLE * unit, rel=1e-9)
    assert d.data["delta"] == approx(N_STRADDLE * (N(D1) - 1), rel=1e-9)
    assert d.data["gamma"] == approx(N_STRADDLE * phi(D1) / (3000 * S), rel=1e-9)
    assert d.data["vega"] == approx(N_STRADDLE * 3000 * phi(D1) * math.sqrt(T) / 100, rel=1e-9)
    assert d.data["theta_day"] == approx(-N_STRADDLE * 3000 * phi(D1) * 0.6 / (2 * math.sqrt(T)) / 365, rel=1e-9)


def test_deribit_fee_is_capped_by_the_premium():
    # a far out-of-the-money put: 12.5% of its price is below 0.03% of the underlying
    result = check(variant(EXAMPLE, put_leg__venue="deribit", put_leg__strike="1500 USDC",
                           put_leg__size="1 ETH"))
    put = result.figures["options"]["put_leg"]
    assert put["unit_price"] < 0.0003 * 3000 / 0.125
    assert put["fee"] == approx(0.125 * put["unit_price"], rel=1e-9)
    assert "(0.0" in messages(result, "H851")[0]  # the premium in ETH, an inverse option


def test_net_greeks_add_the_pool_the_perp_and_the_options():
    d = only(check(variant(EXAMPLE)), "H853")
    straddle_delta = N_STRADDLE * (N(D1) + N(D1) - 1)  # 0.06773
    assert d.data["delta"] == approx(straddle_delta, abs=1e-4)  # pool 3.3333 - perp 3.3333
    assert d.data["pool"] == approx(10 / 3, rel=1e-9) and d.data["perp"] == approx(-10 / 3, rel=1e-9)
    # gamma: pool -V/(4 S^2) = -20000 / 36e6; straddle 2 n phi(d1) / (S0 sigma sqrt T)
    gamma = -20000 / (4 * 3000 ** 2) + 2 * N_STRADDLE * phi(D1) / (3000 * S)
    assert d.data["gamma"] == approx(gamma, rel=1e-6)
    assert d.message.startswith("net ETH delta at entry +0.0677 ETH (pools +3.3333, perps -3.3333, options +0.0677)")
    assert "H853" not in codes(check(variant("eth-usdc-v2-neutral")))  # said only where options are


def test_an_option_expiring_before_the_horizon_warns_with_the_days():
    d = only(check(variant(EXAMPLE, put_leg__expiry="30d")), "H854")
    assert d.message == "`put_leg` expires on day 30, 60d before the horizon (day 90): the rest is unhedged by it"
    assert d.span.line == 49


def test_an_option_outliving_the_horizon_is_valued_with_its_time_value():
    d = only(check(variant(EXAMPLE, put_leg__expiry="120d")), "H855")
    left = 3000 * (2 * N(0.6 * math.sqrt(30 / 365) / 2) - 1)  # 30 days left, at the money
    size = only(check(variant(EXAMPLE, put_leg__expiry="120d")), "H855").data
    assert size["value"] == approx(check(variant(EXAMPLE, put_leg__expiry="120d"))
                                   .figures["options"]["put_leg"]["size"] * left, rel=1e-6)
    assert "30d after the horizon" in d.message


def collar(**changes) -> str:
    """Pool, long 2700 put and short 3600 call on the pool's 3.3333 ETH, no perp."""
    base = dict(put_leg__strike="2700 USDC", put_leg__size="3.3333 ETH", call_leg__side="short",
                call_leg__strike="3600 USDC", call_leg__size="3.3333 ETH")
    return variant(EXAMPLE, drop=("hedge", "dydx_cover"), **(base | changes))


def test_a_collars_short_call_is_covered_by_the_pool():
    assert "H856" not in codes(check(collar()))


def test_a_short_call_beyond_the_pools_holding_is_naked():
    d = only(check(collar(call_leg__size="5 ETH")), "H856")
    assert "1.667 ETH of the 5 ETH sold is not covered" in d.message
    assert d.data["uncovered"] == approx(5 - 10 / 3, rel=1e-6)


def test_a_perp_that_already_hedges_the_pool_leaves_a_short_call_naked():
    text = variant(EXAMPLE, call_leg__side="short", call_leg__strike="3600 USDC", call_leg__size="1 ETH")
    assert only(check(text), "H856").data["uncovered"] == approx(1.0)


def test_a_short_put_needs_a_long_put_of_the_same_expiry():
    short_put = dict(call_leg__type="put", call_leg__side="short", call_leg__strike="2400 USDC",
                     call_leg__size="0.5 ETH", put_leg__size="0.5 ETH")
    assert "H856" not in codes(check(variant(EXAMPLE, **short_put)))  # a put spread
    d = only(check(variant(EXAMPLE, **(short_put | {"put_leg__expiry": "120d"}))), "H856")
    assert "long puts of day 90" in d.message


def test_a_size_the_venue_does_not_trade_is_rounded_with_its_effect():
    result = check(variant(EXAMPLE, put_leg__venue="deribit", put_cover__amount="220 USDC"))
    d = only(result, "H857")
    unit = 3000 * (2 * N(D1) - 1)
    assert "0.5719 ETH, below the minimum of 1 ETH that deribit trades: the order would be 1 ETH" in d.message
    assert d.data["premium_change"] == approx((1 - N_STRADDLE) * unit, rel=1e-6)  # 152.09
    assert d.data["delta_change"] == approx((1 - N_STRADDLE) * (N(D1) - 1), rel=1e-6)
    assert "152.09 USDC" in d.notes[0]
    multiple = check(variant(EXAMPLE, put_leg__venue="deribit", put_leg__size="1.4 ETH"))
    assert only(multiple, "H857").data["rounded"] == 1.0
    assert "H857" not in codes(check(variant(EXAMPLE, put_leg__venue="deribit", put_leg__size="2 ETH")))


def test_the_residual_band_reports_the_worst_point_with_and_without_options():
    d = only(check(variant(EXAMPLE)), "H858")
    assert d.data["worst"] == approx(-406.36, abs=0.005)
    assert d.data["worst_without_options"] == approx(-10000 * (math.sqrt(2) - 1) ** 2, rel=1e-9)  # -1,715.73
    assert d.data["worst_ratio_without_options"] == 2.0
    assert (d.data["low"], d.data["high"]) == (0.5, 2.0)


def test_options_that_make_the_worst_point_worse_warn():
    # a 1,600 put pays nothing inside 0.5 .. 2 x 3,000 = 1,500 .. 6,000 except below 1,600
    text = variant(EXAMPLE, drop=("call_leg", "call_cover"), put_leg__strike="1600 USDC", put_leg__size="1 ETH")
    d = only(check(text), "H859")
    premium = check(text).figures["options"]["put_leg"]["premium"]
    # worst stays at r = 2, where the put is worthless: -1,715.73 - premium
    assert d.data["worst"] == approx(-10000 * (math.sqrt(2) - 1) ** 2 - premium, rel=1e-9)
    assert "H858" not in codes(check(text))


def test_a_custodial_option_venue_for_a_self_custody_strategy_warns_with_the_cover():
    text = variant(EXAMPLE, drop=("call_cover",), call_leg__venue="deribit", call_leg__size="1 ETH")
    d = only(check(text), "H860")
    assert "deribit, a custodial exchange, while wallet `main` is self-custody" in d.message
    assert d.hint == "add a `cover` with `protects = call_leg`: nexus_mutual Deribit custody cover (product 280)"
    covered = only(check(variant(EXAMPLE, call_leg__venue="deribit", call_leg__size="1 ETH")), "H860")
    assert covered.hint is None and covered.notes == ("covered by `call_cover`",)
    assert "H860" not in codes(check(variant(EXAMPLE)))  # derive: on-chain
