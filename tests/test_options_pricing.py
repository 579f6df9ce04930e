"""Tests for hedgec/options.py: published Black-76/Black-Scholes vectors, the issue's
reference figures for a hedged v2 pool, and properties (parity, Greeks as derivatives)."""

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from hedgec import options as o

approx = pytest.approx
T90 = 90 / 365


# ------------------------------------------------------------------ every formula documents itself

def test_every_public_function_has_a_formula_docstring():
    for name in o.__all__:
        item = getattr(o, name)
        if callable(item) and not isinstance(item, type):
            assert item.__doc__ and ("=" in item.__doc__ or ":" in item.__doc__), name


# ------------------------------------------------------------------ Hull's Black-76 examples via py_vollib

def test_hull_example_16_7_call():
    # vollib/py_vollib py_vollib/ref_python/black/__init__.py, black_call doctest:
    # Hull, Options, Futures and Other Derivatives (7th ed.), example 16.7: F 620, K 600,
    # r 5%, vol 20%, 6 months -> 44.1868533121 (text book 44.19)
    assert o.black76_price("call", 620, 600, 0.5, 0.2, rate=0.05) == approx(44.1868533121, abs=1e-9)


def test_hull_example_16_6_put():
    # same file, black_put doctest: Hull example 16.6: F 20, K 20, r 9%, vol 25%, 4 months
    # -> 1.11664145656 (text book 1.12)
    assert o.black76_price("put", 20, 20, 4 / 12, 0.25, rate=0.09) == approx(1.11664145656, abs=1e-10)


def test_py_vollib_black_doctest():
    # vollib/py_vollib py_vollib/black/__init__.py, black doctest: F 100, K 100, vol 20%,
    # r 2%, 6 months -> 5.5811067246048118; undiscounted_black -> 5.637197779701664
    assert o.black76_price("call", 100, 100, 0.5, 0.2, rate=0.02) == approx(5.5811067246048118, abs=1e-12)
    assert o.black76_price("call", 100, 100, 0.5, 0.2) == approx(5.637197779701664, abs=1e-12)


def test_py_vollib_black_greeks_doctests():
    # vollib/py_vollib py_vollib/black/greeks/analytical.py doctests: F 49, K 50, r 5%,
    # t 0.3846, vol 20%. py_vollib quotes vega per 1% of vol and theta per day (/365).
    call = o.black76("call", 49, 50, 0.3846, 0.2, rate=0.05)
    put = o.black76("put", 49, 50, 0.3846, 0.2, rate=0.05)
    assert call.delta == approx(0.45107017482201828, abs=1e-12)
    assert call.gamma == approx(0.0640646705882, abs=1e-12)
    assert call.vega / 100 == approx(0.118317785624, abs=1e-12)
    assert call.theta_per_day == approx(-0.00816236877462, abs=1e-12)
    assert put.theta_per_day == approx(-0.00802799155312, abs=1e-12)
    assert put.gamma == call.gamma and put.vega == call.vega


def test_py_vollib_implied_vol_doctest():
    # vollib/py_vollib py_vollib/black/implied_volatility.py doctest: the 5.5811067246 call
    # above has an implied volatility of 0.2
    assert o.implied_vol("call", 5.5811067246048118, 100, 100, 0.5, rate=0.02) == approx(0.2, abs=1e-9)


# ------------------------------------------------------------------ QuantLib's European option tests
# lballabio/QuantLib test-suite/europeanoption.cpp, testValues: Haug, "Option pricing formulas"
# (McGraw-Hill 1998) pp. 2-8, 24, 27, Black-Scholes-Merton on a spot S with yield q and rate r.
# Black-76 gives the same price on the forward F = S exp((r - q) T) with DF = exp(-r T).

HAUG_VALUES = [
    # type, strike, spot, q, r, t, vol, value
    ("call", 65.00, 60.00, 0.00, 0.08, 0.25, 0.30, 2.1334),
    ("put", 95.00, 100.00, 0.05, 0.10, 0.50, 0.20, 2.4648),
    ("put", 19.00, 19.00, 0.10, 0.10, 0.75, 0.28, 1.7011),
    ("call", 19.00, 19.00, 0.10, 0.10, 0.75, 0.28, 1.7011),
    ("call", 1.60, 1.56, 0.08, 0.06, 0.50, 0.12, 0.0291),
    ("put", 70.00, 75.00, 0.05, 0.10, 0.50, 0.35, 4.0870),
    ("call", 100.00, 90.00, 0.10, 0.10, 0.10, 0.15, 0.0205),
    ("call", 100.00, 100.00, 0.10, 0.10, 0.10, 0.15, 1.8734),
    ("call", 100.00, 110.00, 0.10, 0.10, 0.10, 0.15, 9.9413),
    ("call", 100.00, 90.00, 0.10, 0.10, 0.10, 0.25, 0.3150),
    ("call", 100.00, 100.00, 0.10, 0.10, 0.10, 0.25, 3.1217),
    ("call", 100.00, 110.00, 0.10, 0.10, 0.10, 0.25, 10.3556),
    ("call", 100.00, 90.00, 0.10, 0.10, 0.10, 0.35, 0.9474),
    ("call", 100.00, 100.00, 0.10, 0.10, 0.10, 0.35, 4.3693),
    ("call", 100.00, 110.00, 0.10, 0.10, 0.10, 0.35, 11.1381),
    ("call", 100.00, 90.00, 0.10, 0.10, 0.50, 0.15, 0.8069),
    ("call", 100.00, 100.00, 0.10, 0.10, 0.50, 0.15, 4.0232),
    ("call", 100.00, 110.00, 0.10, 0.10, 0.50, 0.15, 10.5769),
    ("call", 100.00, 90.00, 0.10, 0.10, 0.50, 0.25, 2.7026),
    ("call", 100.00, 100.00, 0.10, 0.10, 0.50, 0.25, 6.6997),
    ("call", 100.00, 110.00, 0.10, 0.10, 0.50, 0.25, 12.7857),
    ("call", 100.00, 90.00, 0.10, 0.10, 0.50, 0.35, 4.9329),
    ("call", 100.00, 100.00, 0.10, 0.10, 0.50, 0.35, 9.3679),
    ("call", 100.00, 110.00, 0.10, 0.10, 0.50, 0.35, 15.3086),
    ("put", 100.00, 90.00, 0.10, 0.10, 0.10, 0.15, 9.9210),
    ("put", 100.00, 100.00, 0.10, 0.10, 0.10, 0.15, 1.8734),
    ("put", 100.00, 110.00, 0.10, 0.10, 0.10, 0.15, 0.0408),
    ("put", 100.00, 90.00, 0.10, 0.10, 0.10, 0.25, 10.2155),
    ("put", 100.00, 100.00, 0.10, 0.10, 0.10, 0.25, 3.1217),
    ("put", 100.00, 110.00, 0.10, 0.10, 0.10, 0.25, 0.4551),
    ("put", 100.00, 90.00, 0.10, 0.10, 0.10, 0.35, 10.8479),
    ("put", 100.00, 100.00, 0.10, 0.10, 0.10, 0.35, 4.3693),
    ("put", 100.00, 110.00, 0.10, 0.10, 0.10, 0.35, 1.2376),
    ("put", 100.00, 90.00, 0.10, 0.10, 0.50, 0.15, 10.3192),
    ("put", 100.00, 100.00, 0.10, 0.10, 0.50, 0.15, 4.0232),
    ("put", 100.00, 110.00, 0.10, 0.10, 0.50, 0.15, 1.0646),
    ("put", 100.00, 90.00, 0.10, 0.10, 0.50, 0.25, 12.2149),
    ("put", 100.00, 100.00, 0.10, 0.10, 0.50, 0.25, 6.6997),
    ("put", 100.00, 110.00, 0.10, 0.10, 0.50, 0.25, 3.2734),
    ("put", 100.00, 90.00, 0.10, 0.10, 0.50, 0.35, 14.4452),
    ("put", 100.00, 100.00, 0.10, 0.10, 0.50, 0.35, 9.3679),
    ("put", 100.00, 110.00, 0.10, 0.10, 0.50, 0.35, 5.7963),
    ("call", 40.00, 42.00, 0.08, 0.04, 0.75, 0.35, 5.0975),
]


def on_forward(spot, q, r, t):
    return o.forward_price(spot, t, carry=r - q)


@pytest.mark.parametrize("kind,strike,spot,q,r,t,vol,value", HAUG_VALUES)
def test_quantlib_haug_values(kind, strike, spot, q, r, t, vol, value):
    # tolerance 1e-4 as in QuantLib's test
    assert o.black76_price(kind, on_forward(spot, q, r, t), strike, t, vol, rate=r) == approx(value, abs=1e-4)


def test_quantlib_haug_values_vectorised():
    kind, strike, spot, q, r, t, vol, value = (np.array(col) for col in zip(*HAUG_VALUES))
    prices = o.black76_price(kind, on_forward(spot, q, r, t), strike, t, vol, rate=r)
    assert isinstance(prices, np.ndarray) and prices.shape == (len(HAUG_VALUES),)
    assert np.max(np.abs(prices - value)) < 1e-4


def spot_greeks(kind, strike, spot, q, r, t, vol):
    """Black-Scholes-Merton spot Greeks from the Black-76 ones on F = S exp((r - q) T):
    dV/dS = delta F/S, d2V/dS2 = gamma (F/S)^2, theta with S fixed = theta_F - (r - q) F delta."""
    f = on_forward(spot, q, r, t)
    g = o.black76(kind, f, strike, t, vol, rate=r)
    return g, g.delta * f / spot, g.gamma * (f / spot) ** 2, g.theta - (r - q) * f * g.delta


def test_quantlib_haug_greek_values():
    # lballabio/QuantLib test-suite/europeanoption.cpp, testGreekValues (Haug 1998 pp. 11-16),
    # tolerance 1e-4 as there
    _, delta, _, _ = spot_greeks("call", 100, 105, 0.10, 0.10, 0.5, 0.36)
    assert delta == approx(0.5946, abs=1e-4)
    g, delta, _, _ = spot_greeks("put", 100, 105, 0.10, 0.10, 0.5, 0.36)
    assert delta == approx(-0.3566, abs=1e-4)
    assert delta * 105 / g.price == approx(-4.8775, abs=1e-4)  # elasticity
    for kind in ("call", "put"):
        g, _, gamma, _ = spot_greeks(kind, 60, 55, 0.0, 0.10, 0.75, 0.30)
        assert gamma == approx(0.0278, abs=1e-4)
        assert g.vega == approx(18.9358, abs=1e-4)
    _, _, _, theta = spot_greeks("put", 405, 430, 0.05, 0.07, 1 / 12, 0.20)
    assert theta == approx(-31.1924, abs=1e-4)
    assert theta / 365 == approx(-0.0855, abs=1e-4)


# ------------------------------------------------------------------ the reference figures
# 20,000 USDC ETH/USDC v2 pool at 3,000, 90 days, vol 60%, zero rate.

V0, S0, VOL = 20_000.0, 3000.0, 0.60


def test_reference_put_premium_and_greeks():
    put = o.black76("put", S0, 3000, T90, VOL)
    assert put.price == approx(355.27, abs=0.005)
    assert put.delta == approx(-0.4408, abs=5e-5)
    # hand check: d1 = vol sqrt(T) / 2 = 0.6 * 0.496564 / 2 = 0.148969; N(-d1) = 0.440789
    d1 = 0.5 * VOL * math.sqrt(T90)
    assert d1 == approx(0.148969, abs=1e-6)
    assert put.gamma == approx(math.exp(-d1 * d1 / 2) / math.sqrt(2 * math.pi) / (S0 * VOL * math.sqrt(T90)))
    # theta with a zero rate: -F phi(d1) vol / (2 sqrt T) = -715.09 a year, -1.959 a day
    assert put.theta == approx(-715.087, abs=1e-3)
    assert put.theta_per_day == approx(-1.95914, abs=1e-5)
    # at the money with no rate the call costs the same (parity), its delta is 1 + put delta
    call = o.black76("call", S0, 3000, T90, VOL)
    assert call.price == approx(put.price, abs=1e-9)
    assert call.delta == approx(1 + put.delta, abs=1e-12)


def test_reference_v2_strip_cost():
    # V0 (1 - exp(-vol^2 T / 8)) = 20000 (1 - exp(-0.36 * 0.246575 / 8)) = 220.69
    assert o.v2_strip_cost(V0, VOL, T90) == approx(220.69, abs=0.005)


def test_strip_cost_is_the_carr_madan_strip_priced_with_black76():
    # Integrate the strip density V0 / (4 sqrt S0) K^(-3/2) against Black-76 puts below S0
    # and calls above: the pricer and the closed form must agree.
    u = np.linspace(-12.0, 12.0, 96_001)  # trapezoid error ~ 3e-5 USDC at this step
    strikes = S0 * np.exp(u)
    kinds = np.where(strikes < S0, "put", "call")
    prices = o.black76_price(kinds, S0, strikes, T90, VOL)
    density = V0 / (4 * math.sqrt(S0)) * strikes ** -1.5
    integrand = density * prices * strikes  # dK = K du
    strip = float(np.sum((integrand[1:] + integrand[:-1]) / 2 * np.diff(u)))
    assert strip == approx(o.v2_strip_cost(V0, VOL, T90), abs=1e-4)


def test_reference_bounds_matched_straddle():
    # (V0/2)(sqrt 2 - 1)/((sqrt 2 + 1) S0) = 10000 * 0.171573 / 3000 = 0.5719 ETH
    assert o.bounds_matched_straddle(V0, S0, 2) == approx(0.5719, abs=5e-5)


def test_reference_perp_and_straddle_pnl_is_minus_the_premium_at_the_band_edges():
    x0 = o.v2_lp_delta(V0, S0)  # the short perp: 3.3333 ETH
    assert x0 == approx(3.3333, abs=5e-5)
    n = o.bounds_matched_straddle(V0, S0, 2)
    premium = n * (o.black76_price("call", S0, S0, T90, VOL) + o.black76_price("put", S0, S0, T90, VOL))
    assert premium == approx(406.36, abs=0.005)

    def pnl(r):
        s = S0 * r
        pool = V0 * np.sqrt(r) - V0
        perp = -x0 * (s - S0)
        straddle = n * (o.intrinsic("call", s, S0) + o.intrinsic("put", s, S0))
        return pool + perp + straddle - premium

    assert pnl(0.5) == approx(-premium, abs=1e-9)
    assert pnl(2.0) == approx(-premium, abs=1e-9)
    inside = np.linspace(0.5, 2.0, 1501)
    assert np.all(pnl(inside) >= -premium - 1e-9)
    assert pnl(1.0) == approx(-premium)  # no loss at entry, the straddle is worth nothing
    # outside the band the loss outgrows the straddle: the bound is tight
    assert pnl(0.4) < -premium and pnl(2.5) < -premium
    # without the straddle the residual is the impermanent loss -(V0/2)(sqrt r - 1)^2
    assert (pnl(2.0) + premium - n * S0) == approx(-(V0 / 2) * (math.sqrt(2) - 1) ** 2)


def test_v2_lp_greeks_are_the_derivatives_of_v0_sqrt_r():
    # V(S) = V0 sqrt(S / S0): dV/dS = V / (2S), d2V/dS2 = -V / (4 S^2)
    value = lambda s: V0 * math.sqrt(s / S0)  # noqa: E731
    s, h = 3300.0, 0.01
    assert o.v2_lp_delta(value(s), s) == approx((value(s + h) - value(s - h)) / (2 * h), rel=1e-8)
    assert o.v2_lp_gamma(value(s), s) == approx((value(s + h) - 2 * value(s) + value(s - h)) / h**2, rel=1e-4)
    assert o.v2_lp_gamma(V0, S0) == approx(-20_000 / (4 * 9e6))


def test_gamma_matched_and_delta_matched_sizes():
    put = o.black76("put", S0, S0, T90, VOL)
    # |Gamma_LP| / (2 Gamma_put) = 5.5556e-4 / (2 * 4.41412e-4) = 0.62929 ETH a side
    n = o.gamma_matched_straddle(o.v2_lp_gamma(V0, S0), put.gamma)
    assert n == approx(0.62929, abs=5e-6)
    assert 2 * n * put.gamma + o.v2_lp_gamma(V0, S0) == approx(0.0, abs=1e-15)
    # x0 / |Delta_put| = 3.33333 / 0.440789 = 7.5622 puts
    puts = o.delta_matched_puts(o.v2_lp_delta(V0, S0), put.delta)
    assert puts == approx(7.5622, abs=5e-5)
    assert puts * put.delta + o.v2_lp_delta(V0, S0) == approx(0.0, abs=1e-12)
    with pytest.raises(ValueError):
        o.delta_matched_puts(3, 0)
    with pytest.raises(ValueError):
        o.gamma_matched_straddle(-1e-4, 0)
    with pytest.raises(ValueError, match="k must be > 1"):
        o.bounds_matched_straddle(V0, S0, 1)


# ------------------------------------------------------------------ inverse options and fees

def test_inverse_premium_and_delta():
    put = o.black76("put", S0, S0, T90, VOL)
    # 355.27 USDC at an index of 3,000 is 0.118422 ETH, and back
    coin = o.coin_premium(put.price, S0)
    assert coin == approx(0.118422, abs=5e-7)
    assert o.usd_premium(coin, S0) == approx(put.price)
    # the delta a coin account sees: -0.440789 - 0.118422 = -0.559211
    assert o.premium_adjusted_delta(put.delta, put.price, S0) == approx(-0.559211, abs=5e-7)
    # it is S times the derivative of the coin value V(S)/S
    h = 0.01
    coin_value = lambda s: o.black76_price("put", s, S0, T90, VOL) / s  # noqa: E731
    assert o.premium_adjusted_delta(put.delta, put.price, S0) == approx(
        S0 * (coin_value(S0 + h) - coin_value(S0 - h)) / (2 * h), rel=1e-7)
    # a short put of 1 ETH with 0.5 ETH margin and its premium received in coin on the venue:
    # +0.440789 from the option, +0.618422 ETH held
    assert o.inverse_account_delta(-put.delta, 0.5 + coin) == approx(1.059211, abs=5e-7)


def test_deribit_fee_is_capped_by_the_premium():
    # 0.03% of 3,000 = 0.90 USDC a contract, below 12.5% of 355.27 = 44.41
    assert o.option_fee(1, S0, 355.27) == approx(0.90)
    assert o.option_fee(0.5719, S0, 355.27) == approx(0.5719 * 0.90)
    # a 4 USDC option: 12.5% of 4 = 0.50 caps the 0.90
    assert o.option_fee(1, S0, 4.0) == approx(0.50)
    # in coin: index 1, premium in ETH; 0.0003 ETH vs 0.125 * 0.118422
    assert o.option_fee(2, 1.0, 0.118422) == approx(0.0006)
    # delivery fee shape: 0.015% of the underlying, capped at 12.5% of the value at expiry
    assert o.option_fee(1, S0, 100.0, rate=0.00015) == approx(0.45)
    assert o.option_fee(1, S0, 0.0, rate=0.00015) == 0.0
    fees = o.option_fee(np.array([1.0, 1.0]), S0, np.array([355.27, 4.0]))
    assert fees.tolist() == approx([0.90, 0.50])


# ------------------------------------------------------------------ expiry, degenerate and bad inputs

def test_expired_option_is_intrinsic_with_a_step_delta():
    f = np.array([2900.0, 3000.0, 3100.0])
    call = o.black76("call", f, 3000, 0.0, VOL)
    put = o.black76("put", f, 3000, 0.0, VOL)
    assert call.price.tolist() == [0.0, 0.0, 100.0]
    assert put.price.tolist() == [100.0, 0.0, 0.0]
    assert call.delta.tolist() == [0.0, 0.5, 1.0]
    assert put.delta.tolist() == [-1.0, -0.5, 0.0]
    for g in (call, put):
        assert g.gamma.tolist() == g.vega.tolist() == g.theta.tolist() == [0.0, 0.0, 0.0]
    # zero vol before expiry: the discounted intrinsic value of the forward
    g = o.black76("put", 2900, 3000, 1.0, 0.0, rate=0.05)
    assert g.price == approx(100 * math.exp(-0.05))
    assert g.delta == approx(-math.exp(-0.05))
    # continuous into expiry: 30 seconds before it, 3.3% in the money is 55 standard deviations
    just_before = o.black76("call", 3100, 3000, 1e-6, VOL)
    assert just_before.price == approx(100, abs=1e-9) and just_before.delta == approx(1, abs=1e-12)


def test_scalars_give_floats_and_arrays_match_elementwise():
    g = o.black76("call", 3000, 3000, T90, VOL)
    assert all(type(x) is float for x in (g.price, g.delta, g.gamma, g.vega, g.theta))
    f = np.array([2000.0, 3000.0, 4500.0])
    t = np.array([T90, 0.5, 0.0])
    arr = o.black76("put", f, 3000, t, VOL)
    for i in range(3):
        one = o.black76("put", float(f[i]), 3000, float(t[i]), VOL)
        assert arr.price[i] == one.price and arr.delta[i] == one.delta and arr.theta[i] == one.theta
    # kinds vectorise too: a call and a put in one call
    both = o.black76_price(np.array(["call", "put"]), 3000, 3000, T90, VOL)
    assert both[0] == approx(both[1])


@pytest.mark.parametrize("args,fragment", [
    (("cal", 3000, 3000, T90, VOL), "option kind"),
    ((1, 3000, 3000, T90, VOL), "option kind"),
    (("put", 3000, -3000, T90, VOL), "strike"),
    (("put", 3000, 0, T90, VOL), "strike"),
    (("put", 0, 3000, T90, VOL), "forward"),
    (("put", 3000, 3000, -1, VOL), "years"),
    (("put", 3000, 3000, T90, -0.1), "vol"),
    (("put", 3000, 3000, T90, float("nan")), "vol"),
    (("put", np.array([3000, float("inf")]), 3000, T90, VOL), "forward"),
])
def test_bad_inputs_raise(args, fragment):
    with pytest.raises(ValueError, match=fragment):
        o.black76(*args)


def test_helpers_refuse_nonsense():
    for call in (lambda: o.v2_strip_cost(-1, VOL, T90), lambda: o.v2_lp_delta(V0, 0),
                 lambda: o.coin_premium(355.27, 0), lambda: o.option_fee(-1, S0, 10.0),
                 lambda: o.intrinsic("straddle", S0, S0), lambda: o.forward_price(S0, -1)):
        with pytest.raises(ValueError):
            call()


def test_implied_vol_refuses_prices_outside_the_bounds():
    with pytest.raises(ValueError, match="strictly between"):
        o.implied_vol("call", 99.0, 3100, 3000, T90)  # below intrinsic 100
    with pytest.raises(ValueError, match="strictly between"):
        o.implied_vol("put", 3000.0, 3100, 3000, T90)  # a put is worth less than its strike
    with pytest.raises(ValueError, match="years"):
        o.implied_vol("put", 355.27, 3000, 3000, 0)


# ------------------------------------------------------------------ properties

moneyness = st.floats(0.5, 2.0)
strikes = st.floats(1.0, 1e5)
years = st.floats(0.05, 3.0)
vols = st.floats(0.05, 1.5)
rates = st.floats(-0.05, 0.2)
kinds = st.sampled_from(["call", "put"])


@settings(max_examples=200)
@given(m=st.floats(0.01, 100.0), k=strikes, t=st.floats(0.0, 5.0), vol=st.floats(0.0, 3.0), r=rates)
def test_put_call_parity(m, k, t, vol, r):
    f = m * k
    call = o.black76("call", f, k, t, vol, rate=r)
    put = o.black76("put", f, k, t, vol, rate=r)
    df = math.exp(-r * t)
    assert call.price - put.price == approx(df * (f - k), abs=1e-9 * max(f, k))
    assert call.delta - put.delta == approx(df, abs=1e-12)
    assert call.price >= df * max(f - k, 0) - 1e-9 * max(f, k)
    assert put.price >= df * max(k - f, 0) - 1e-9 * max(f, k)


@settings(max_examples=200)
@given(kind=kinds, m=moneyness, k=strikes, t=years, vol=vols, r=rates)
def test_greeks_are_the_derivatives_of_the_price(kind, m, k, t, vol, r):
    f = m * k
    g = o.black76(kind, f, k, t, vol, rate=r)

    def price(**change):
        args = dict(forward=f, strike=k, years=t, vol=vol, rate=r) | change
        return o.black76(kind, **args)

    h = 1e-3 * f * vol * math.sqrt(t)  # small against the scale of d1
    assert g.delta == approx((price(forward=f + h).price - price(forward=f - h).price) / (2 * h),
                             rel=1e-5, abs=1e-7)
    assert g.gamma == approx((price(forward=f + h).delta - price(forward=f - h).delta) / (2 * h),
                             rel=1e-5, abs=1e-9 / k)
    dv = 1e-5
    assert g.vega == approx((price(vol=vol + dv).price - price(vol=vol - dv).price) / (2 * dv),
                            rel=1e-5, abs=1e-7 * k)
    dt = 1e-6
    assert g.theta == approx(-(price(years=t + dt).price - price(years=t - dt).price) / (2 * dt),
                             rel=1e-4, abs=1e-6 * k)


@settings(max_examples=60)
@given(kind=kinds, m=st.floats(0.7, 1.4), t=years, vol=st.floats(0.05, 1.5), r=rates)
def test_implied_vol_recovers_the_vol(kind, m, t, vol, r):
    k = 3000.0
    g = o.black76(kind, m * k, k, t, vol, rate=r)
    assume(g.vega > 1e-2)  # a price that pins the vol down
    assert o.implied_vol(kind, g.price, m * k, k, t, rate=r) == approx(vol, abs=1e-6)
