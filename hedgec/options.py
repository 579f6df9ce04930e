"""Option pricing for hedgec: Black-76 on the forward, inverse options, fees, LP-as-options.

A leaf module (math and numpy only) shared by the compiler and the simulator,
so that the validator's premium and Greeks and the simulator's per-path
values come from the same code. Every pricing function takes scalars or
numpy arrays (broadcast together) and returns floats for scalar inputs,
arrays otherwise. Inputs that make no financial sense raise ValueError.

Conventions (docs/options.md)
-----------------------------
* Black-76 on the forward ``F`` with discount factor ``DF = exp(-rate T)``;
  ``rate`` is a continuously compounded annual rate, 0 unless stated, so by
  default ``F`` is the spot and ``DF`` is 1.
* ``years`` is the time to expiry in years (days / 365); ``vol`` is the
  annualised volatility as a fraction (0.6 = 60%).
* Greeks are per one unit of the underlying: delta and gamma with respect
  to ``F``, vega per unit of volatility (1.0 = 100 vol points), theta per
  year (``Greeks.theta_per_day`` divides by 365) with ``F`` held fixed.
* At expiry (``years == 0``) or with zero volatility an option is worth its
  discounted intrinsic value, its delta is the step (``DF`` in the money,
  0 out of it, half of it exactly at the strike, the limit of ``N(d1)``) and
  gamma, vega and theta are 0.

Sources: Black (1976), Hull, *Options, Futures and Other Derivatives*,
ch. 16-18; Deribit "Fees" and contract specifications; Carr-Madan strip of
the v2 LP (Deng, Zong, Wang, arXiv:2205.12043). See ``domain-options.md``.
"""

from __future__ import annotations

import functools
import math

from .lazy import LazyModule
from .record import record

np = LazyModule("numpy")

__all__ = [
    "CALL",
    "PUT",
    "DAYS_PER_YEAR",
    "Greeks",
    "forward_price",
    "intrinsic",
    "black76_price",
    "black76",
    "implied_vol",
    "coin_premium",
    "usd_premium",
    "premium_adjusted_delta",
    "inverse_account_delta",
    "option_fee",
    "DERIBIT_FEE_RATE",
    "DERIBIT_FEE_CAP",
    "v2_strip_cost",
    "v2_lp_delta",
    "v2_lp_gamma",
    "bounds_matched_straddle",
    "gamma_matched_straddle",
    "delta_matched_puts",
]

CALL, PUT = "call", "put"
DAYS_PER_YEAR = 365.0

DERIBIT_FEE_RATE = 0.0003
"""Deribit option fee per contract, fraction of the underlying (0.03%)."""
DERIBIT_FEE_CAP = 0.125
"""Deribit's cap on that fee, fraction of the option price (12.5%)."""

_SQRT2 = math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


# ---------------------------------------------------------------- helpers

def _array(name: str, x, low: float | None = None, strict: bool = False) -> np.ndarray:
    a = np.asarray(x, dtype=float)
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be finite, got {x!r}")
    if low is not None and np.any(a <= low if strict else a < low):
        raise ValueError(f"{name} must be {'>' if strict else '>='} {low:g}, got {x!r}")
    return a


def _is_call(kind) -> np.ndarray:
    k = np.asarray(kind)
    bad = (k != CALL) & (k != PUT)
    if np.any(bad):
        raise ValueError(f"option kind must be {CALL!r} or {PUT!r}, got {kind!r}")
    return k == CALL


def _out(x: np.ndarray, scalar: bool):
    return float(x) if scalar else x


def _scalar(*args) -> bool:
    return all(np.ndim(a) == 0 for a in args)


@functools.cache
def _erfc():
    # numpy has no erf; math.erfc is exact to the last bit and costs ~0.1 us per element.
    return np.frompyfunc(math.erfc, 1, 1)


def _norm_cdf(x: np.ndarray) -> np.ndarray:
    return 0.5 * np.asarray(_erfc()(-x / _SQRT2), dtype=float)


def _norm_pdf(x: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        return _INV_SQRT_2PI * np.exp(-0.5 * x * x)


# ---------------------------------------------------------------- Black-76

@record
class Greeks:
    """Price and Greeks of one option on one unit of the underlying.

    Fields are floats for scalar inputs, arrays otherwise; units as in the
    module docstring (vega per unit of vol, theta per year).
    """

    price: float | np.ndarray
    delta: float | np.ndarray
    gamma: float | np.ndarray
    vega: float | np.ndarray
    theta: float | np.ndarray

    @property
    def theta_per_day(self) -> float | np.ndarray:
        """Theta per calendar day: theta / 365."""
        return self.theta / DAYS_PER_YEAR


def forward_price(spot, years, carry=0.0):
    """F = S exp(b T): the forward of ``spot`` with cost of carry ``b`` (rate minus yield).

    With the default zero carry the forward is the spot.
    """
    scalar = _scalar(spot, years, carry)
    s = _array("spot", spot, 0.0, strict=True)
    t = _array("years", years, 0.0)
    b = _array("carry", carry)
    return _out(s * np.exp(b * t), scalar)


def intrinsic(kind, price, strike):
    """max(S - K, 0) for a call, max(K - S, 0) for a put: the payoff at expiry."""
    scalar = _scalar(kind, price, strike)
    call = _is_call(kind)
    s = _array("price", price, 0.0)
    k = _array("strike", strike, 0.0, strict=True)
    return _out(np.where(call, np.maximum(s - k, 0.0), np.maximum(k - s, 0.0)), scalar)


def black76(kind, forward, strike, years, vol, rate=0.0) -> Greeks:
    """Black-76 price and Greeks of a European ``kind`` ("call"/"put") option.

    d1 = (ln(F/K) + vol^2 T/2) / (vol sqrt T), d2 = d1 - vol sqrt T, DF = exp(-rate T);
    call DF (F N(d1) - K N(d2)), put DF (K N(-d2) - F N(-d1));
    delta DF N(d1) (call), -DF N(-d1) (put); gamma DF phi(d1) / (F vol sqrt T);
    vega DF F phi(d1) sqrt T; theta -DF F phi(d1) vol / (2 sqrt T) + rate * price
    (the time decay with the forward held fixed; per year).
    """
    scalar = _scalar(kind, forward, strike, years, vol, rate)
    call = _is_call(kind)
    f = _array("forward", forward, 0.0, strict=True)
    k = _array("strike", strike, 0.0, strict=True)
    t = _array("years", years, 0.0)
    v = _array("vol", vol, 0.0)
    r = _array("rate", rate)
    f, k, t, v, r, call = np.broadcast_arrays(f, k, t, v, r, call)
    df = np.exp(-r * t)
    sd = v * np.sqrt(t)
    live = sd > 0.0
    # Degenerate entries (expired or zero vol) get a harmless sd so that the
    # formulas stay finite; np.where then picks the limits below.
    sd_safe = np.where(live, sd, 1.0)
    with np.errstate(over="ignore"):  # a tiny sd sends d1 to +-inf, where N and phi are exact
        d1 = (np.log(f / k) + 0.5 * sd_safe * sd_safe) / sd_safe
    d2 = d1 - sd_safe
    sign = np.where(call, 1.0, -1.0)
    n1 = _norm_cdf(sign * d1)
    n2 = _norm_cdf(sign * d2)
    pdf = _norm_pdf(d1)

    price = df * sign * (f * n1 - k * n2)
    delta = df * sign * n1
    gamma = df * pdf / (f * sd_safe)
    vega = df * f * pdf * np.sqrt(t)
    theta = -df * f * pdf * v / (2.0 * np.sqrt(np.where(live, t, 1.0))) + r * price

    step = np.where(f > k, 1.0, np.where(f < k, 0.0, 0.5))
    step = np.where(call, step, step - 1.0)
    dead_price = df * np.where(call, np.maximum(f - k, 0.0), np.maximum(k - f, 0.0))
    zero = np.zeros_like(price)
    return Greeks(
        price=_out(np.where(live, price, dead_price), scalar),
        delta=_out(np.where(live, delta, df * step), scalar),
        gamma=_out(np.where(live, gamma, zero), scalar),
        vega=_out(np.where(live, vega, zero), scalar),
        theta=_out(np.where(live, theta, r * dead_price), scalar),
    )


def black76_price(kind, forward, strike, years, vol, rate=0.0):
    """The Black-76 premium alone (see :func:`black76`)."""
    return black76(kind, forward, strike, years, vol, rate).price


def implied_vol(kind, price, forward, strike, years, rate=0.0, *, tol=1e-12):
    """The volatility at which :func:`black76` gives ``price`` (bisection, vectorised).

    The price must lie strictly between the discounted intrinsic value and
    the discounted forward (call) or strike (put); ``years`` must be > 0.
    The result is within ``tol`` of the root, searched on (0, 10].
    """
    scalar = _scalar(kind, price, forward, strike, years, rate)
    call = _is_call(kind)
    p = _array("price", price, 0.0, strict=True)
    f = _array("forward", forward, 0.0, strict=True)
    k = _array("strike", strike, 0.0, strict=True)
    t = _array("years", years, 0.0, strict=True)
    r = _array("rate", rate)
    p, f, k, t, r, call = np.broadcast_arrays(p, f, k, t, r, call)
    df = np.exp(-r * t)
    low_bound = df * np.where(call, np.maximum(f - k, 0.0), np.maximum(k - f, 0.0))
    high_bound = df * np.where(call, f, k)
    if np.any(p <= low_bound) or np.any(p >= high_bound):
        raise ValueError("price must lie strictly between the discounted intrinsic value and "
                         "the discounted forward (call) or strike (put)")
    lo, hi = np.zeros_like(p), np.full_like(p, 10.0)
    kinds = np.where(call, CALL, PUT)
    # The price rises strictly with vol, so bisection converges unconditionally.
    for _ in range(int(math.ceil(math.log2(10.0 / tol)))):
        mid = 0.5 * (lo + hi)
        above = black76(kinds, f, k, t, mid, r).price > p
        hi = np.where(above, mid, hi)
        lo = np.where(above, lo, mid)
    return _out(0.5 * (lo + hi), scalar)


# ---------------------------------------------------------------- inverse options

def coin_premium(usd_premium, index):
    """P_coin = P_usd / index: the premium of an inverse (coin-settled) option in the coin."""
    scalar = _scalar(usd_premium, index)
    return _out(_array("usd_premium", usd_premium, 0.0) / _array("index", index, 0.0, strict=True), scalar)


def usd_premium(coin_premium_, index):
    """P_usd = P_coin * index: the USD value of a premium quoted in the coin."""
    scalar = _scalar(coin_premium_, index)
    return _out(_array("coin_premium", coin_premium_, 0.0) * _array("index", index, 0.0, strict=True), scalar)


def premium_adjusted_delta(delta, usd_price, index):
    """delta - P_usd / index: the delta of an inverse option seen from a coin account.

    An inverse option's value in coin is V/S, whose sensitivity to S, scaled
    by S, is delta - V/S: the delta Deribit shows for coin-settled options.
    """
    scalar = _scalar(delta, usd_price, index)
    d = _array("delta", delta)
    return _out(d - _array("usd_price", usd_price, 0.0) / _array("index", index, 0.0, strict=True), scalar)


def inverse_account_delta(option_delta, coin_balance):
    """delta_USD = sum of option deltas + coins held: the USD delta of an inverse-venue account.

    Coin held on the venue (margin deposited, premium received) is itself a
    long position in the underlying of that many coins, so a hedge valued in
    USD must count it beside the options' Black-76 delta.
    """
    scalar = _scalar(option_delta, coin_balance)
    return _out(_array("option_delta", option_delta) + _array("coin_balance", coin_balance, 0.0), scalar)


def option_fee(size, index, option_price, rate=DERIBIT_FEE_RATE, cap=DERIBIT_FEE_CAP):
    """fee = size * min(rate * index, cap * option_price): a fee on the underlying, capped by the premium.

    Deribit's trade fee is 0.03% of the underlying per contract, capped at
    12.5% of the option price (the defaults); its delivery fee has the same
    shape (rate 0.015%, cap on the option's value at expiry). ``index`` and
    ``option_price`` in the same unit (USD, or coin with index 1) give the fee
    in that unit; ``size`` is in units of the underlying.
    """
    scalar = _scalar(size, index, option_price, rate, cap)
    n = _array("size", size, 0.0)
    s = _array("index", index, 0.0, strict=True)
    p = _array("option_price", option_price, 0.0)
    fee_rate = _array("rate", rate, 0.0)
    fee_cap = _array("cap", cap, 0.0)
    return _out(n * np.minimum(fee_rate * s, fee_cap * p), scalar)


# ---------------------------------------------------------------- LP positions seen as options

def v2_strip_cost(value, vol, years):
    """V0 (1 - exp(-vol^2 T / 8)): Black-Scholes cost of the option strip that replicates a v2 LP's loss.

    Zero rates; the strip is the Carr-Madan density V0 / (4 sqrt S0) K^(-3/2)
    (puts below entry, calls above).
    """
    scalar = _scalar(value, vol, years)
    sigma = _array("vol", vol, 0.0)
    t = _array("years", years, 0.0)
    return _out(_array("value", value, 0.0) * -np.expm1(-sigma * sigma * t / 8.0), scalar)


def v2_lp_delta(value, price):
    """V / (2 S): the delta of a v2 LP position worth ``value`` (the volatile amount it holds)."""
    scalar = _scalar(value, price)
    return _out(_array("value", value, 0.0) / (2.0 * _array("price", price, 0.0, strict=True)), scalar)


def v2_lp_gamma(value, price):
    """-V / (4 S^2): the gamma of a v2 LP position worth ``value`` (short convexity)."""
    scalar = _scalar(value, price)
    s = _array("price", price, 0.0, strict=True)
    return _out(-_array("value", value, 0.0) / (4.0 * s * s), scalar)


def bounds_matched_straddle(value, price, k):
    """n = (V0/2)(sqrt k - 1) / ((sqrt k + 1) S0): straddle size that pays the v2 loss at ratios 1/k and k.

    The loss -(V0/2)(sqrt r - 1)^2 is convex in r, so a straddle of n each
    side struck at entry covers it at every ratio between 1/k and k.
    """
    scalar = _scalar(value, price, k)
    root = np.sqrt(_array("k", k, 1.0, strict=True))
    s0 = _array("price", price, 0.0, strict=True)
    return _out(0.5 * _array("value", value, 0.0) * (root - 1.0) / ((root + 1.0) * s0), scalar)


def gamma_matched_straddle(lp_gamma, option_gamma):
    """n = |Gamma_LP| / (2 Gamma_option): straddle size (each side) whose gamma offsets the LP's."""
    scalar = _scalar(lp_gamma, option_gamma)
    g = _array("option_gamma", option_gamma, 0.0, strict=True)
    return _out(np.abs(_array("lp_gamma", lp_gamma)) / (2.0 * g), scalar)


def delta_matched_puts(amount, put_delta):
    """n = x0 / |Delta_put|: puts whose delta offsets the ``amount`` x0 of the asset the pool holds."""
    scalar = _scalar(amount, put_delta)
    d = np.abs(_array("put_delta", put_delta))
    if np.any(d == 0.0):
        raise ValueError("put_delta must be non-zero")
    return _out(_array("amount", amount, 0.0) / d, scalar)
