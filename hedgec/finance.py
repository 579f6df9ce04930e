"""Pure financial formulas used by hedgec.

Every function works on plain floats, uses only :mod:`math`, performs no I/O
and raises :class:`ValueError` on inputs that make no financial sense.  Each
docstring opens with the formula it computes; ``hedgec explain`` shows these.

Conventions
-----------
* Prices are quote units (e.g. USDC) per one unit of the volatile token.
* ``r`` is a price ratio ``p / p0`` (new price over entry price).
* Sizes are absolute token amounts; direction is given by ``side``
  (``"long"`` or ``"short"``).
* Rates are fractions (0.05 means 5%); periods are days unless named ``years``.

Sources (public, not shipped here): Uniswap v3-periphery ``LiquidityAmounts.sol``;
dYdX v4 documentation (margin, liquidations, funding); Nexus Mutual ``Cover.sol``
and ``StakingProducts.sol``. The worked figures are pinned in tests/test_finance.py.

The pool formulas accept floats or numpy arrays (without importing numpy), so
the validator sizes a hedge and the simulator values every path with the same
code.
"""

from __future__ import annotations

import math

__all__ = [
    # Uniswap v2
    "v2_volatile_amount",
    "v2_value",
    "v2_amount",
    "impermanent_loss",
    "v2_static_hedge_pnl",
    "v2_static_hedge_delta",
    # Uniswap v3
    "v3_liquidity",
    "v3_amounts",
    "v3_value",
    "v3_volatile_amount",
    # Perpetuals
    "notional",
    "leverage_for",
    "max_leverage",
    "initial_margin",
    "maintenance_margin",
    "liquidation_price",
    "liquidation_price_linear",
    "liquidation_distance",
    # Risk
    "normal_cdf",
    "touch_probability",
    # Funding
    "funding_pnl",
    "annual_rate_from_8h",
    # Cover
    "cover_premium",
    "with_commission",
    # Pool fees and gas
    "pool_fees",
    "gas_cost",
    # Correlated assets
    "correlation_matrix",
    "correlation_factor",
]

DAYS_PER_YEAR = 365.0
FUNDING_PERIODS_PER_YEAR = 3 * 365  # one funding rate quoted per 8 hours
GWEI = 1e-9

_SIDES = ("long", "short")


# ---------------------------------------------------------------- validation

def _is_array(x) -> bool:
    return getattr(x, "ndim", 0) > 0


def _clip(x, low: float, high: float):
    """min(max(x, low), high) for a float, or elementwise for an array."""
    return x.clip(low, high) if _is_array(x) else min(max(x, low), high)


def _finite(name: str, x: float) -> float:
    if type(x) is float and math.isfinite(x):
        return x  # the usual case, first: the compiler validates every figure of every leg
    if _is_array(x):
        return x  # arrays come from the simulator, whose inputs the compiler checked
    x = float(x)
    if not math.isfinite(x):
        raise ValueError(f"{name} must be a finite number, got {x!r}")
    return x


def _positive(name: str, x: float) -> float:
    x = _finite(name, x)
    if not _is_array(x) and x <= 0:
        raise ValueError(f"{name} must be > 0, got {x!r}")
    return x


def _non_negative(name: str, x: float) -> float:
    x = _finite(name, x)
    if not _is_array(x) and x < 0:
        raise ValueError(f"{name} must be >= 0, got {x!r}")
    return x


def _fraction(name: str, x: float) -> float:
    """A rate in [0, 1)."""
    x = _finite(name, x)
    if not 0 <= x < 1:
        raise ValueError(f"{name} must be in [0, 1), got {x!r}")
    return x


def _side(side: str) -> str:
    s = str(side).strip().lower()
    if s not in _SIDES:
        raise ValueError(f"side must be 'long' or 'short', got {side!r}")
    return s


def _range(low: float, high: float) -> tuple[float, float]:
    low = _positive("low", low)
    high = _positive("high", high)
    if low >= high:
        raise ValueError(f"range low must be < high, got {low!r} .. {high!r}")
    return low, high


# ---------------------------------------------------------------- Uniswap v2

def v2_volatile_amount(value: float, price: float) -> float:
    """x = V / (2 p): volatile-token amount in a 50/50 v2 pool worth V at price p.

    This is also the pool's delta, so a delta-neutral short is x tokens,
    i.e. half the pool's value.
    """
    value = _non_negative("value", value)
    price = _positive("price", price)
    return value / (2.0 * price)


def v2_value(value0: float, r):
    """V = V0 * sqrt(r): v2 position value after the price moves by ratio r = p/p0.

    `r` may be a float or a numpy array (the simulator values every path with
    this same function; no numpy import is needed here).
    """
    value0 = _non_negative("value0", value0)
    r = _positive("price ratio r", r)
    return value0 * r ** 0.5


def v2_amount(value0: float, price0: float, price):
    """x = V0 sqrt(p0/p) / (2 p0) = V / (2 p): volatile tokens (the delta) of a v2
    position opened with V0 at p0, at price p (float or array)."""
    return v2_value(value0, price / price0) / (2.0 * price)


def impermanent_loss(r: float) -> float:
    """IL(r) = 2 sqrt(r) / (1 + r) - 1: v2 pool value against holding, as a fraction.

    Always <= 0, zero only at r = 1; IL(r) = IL(1/r).
    """
    r = _positive("price ratio r", r)
    return 2.0 * math.sqrt(r) / (1.0 + r) - 1.0


def v2_static_hedge_pnl(value0: float, r: float) -> float:
    """PnL = -(V0 / 2) (sqrt(r) - 1)^2: v2 pool plus a short of x0 = V0/(2 p0) tokens.

    Pool and short are sized at entry and never rebalanced; the figure is
    before pool fees, funding, trading fees and gas.  Pool PnL is
    V0 (sqrt(r) - 1), short PnL is -(V0 / 2)(r - 1); their sum is always <= 0.
    """
    value0 = _non_negative("value0", value0)
    r = _positive("price ratio r", r)
    return -(value0 / 2.0) * (math.sqrt(r) - 1.0) ** 2


def v2_static_hedge_delta(value0: float, price0: float, r: float) -> float:
    """delta = x0 (1 / sqrt(r) - 1), x0 = V0 / (2 p0): net token exposure of the static hedge.

    Pool delta V0 sqrt(r) / (2 p) = x0 / sqrt(r) minus the fixed short x0:
    the hedge drifts short as the price rises and long as it falls.
    """
    r = _positive("price ratio r", r)
    x0 = v2_volatile_amount(value0, price0)
    return x0 * (1.0 / math.sqrt(r) - 1.0)


# ---------------------------------------------------------------- Uniswap v3

def v3_liquidity(value: float, price: float, low: float, high: float) -> float:
    """L for a deposit worth `value` (quote) at `price` in the range [low, high].

    With sa = sqrt(low), sb = sqrt(high), sp = sqrt(price):
      inside  (low < p < high): L = V / (2 sp - sa - p / sb)
      below   (p <= low, all volatile): L = V / (p (1/sa - 1/sb))
      above   (p >= high, all quote):   L = V / (sb - sa)
    (Uniswap v3-periphery LiquidityAmounts.sol, value = p * amount0 + amount1.)
    """
    value = _non_negative("value", value)
    price = _positive("price", price)
    low, high = _range(low, high)
    sa, sb, sp = math.sqrt(low), math.sqrt(high), math.sqrt(price)
    if price <= low:
        per_l = price * (1.0 / sa - 1.0 / sb)
    elif price >= high:
        per_l = sb - sa
    else:
        per_l = 2.0 * sp - sa - price / sb
    return value / per_l


def v3_amounts(liquidity: float, price, low: float, high: float):
    """(amount0, amount1) = (volatile, quote) held by liquidity L at `price` in [low, high].

    With sa, sb, sp the square roots of low, high, price:
      inside: amount0 = L (sb - sp) / (sp sb), amount1 = L (sp - sa)
      below (p <= low):  amount0 = L (sb - sa) / (sa sb), amount1 = 0  (all volatile)
      above (p >= high): amount0 = 0, amount1 = L (sb - sa)            (all quote)
    amount0 is the position's delta. `price` may be a float or a numpy array.
    """
    liquidity = _non_negative("liquidity", liquidity)
    price = _positive("price", price)
    low, high = _range(low, high)
    sa, sb = math.sqrt(low), math.sqrt(high)
    sp = _clip(price ** 0.5, sa, sb)  # clamp to the range edges
    amount0 = liquidity * (sb - sp) / (sp * sb)
    amount1 = liquidity * (sp - sa)
    return amount0, amount1


def v3_value(liquidity: float, price, low: float, high: float):
    """V = p * amount0 + amount1; inside the range V = L (2 sqrt(p) - sqrt(low) - p / sqrt(high)).

    Below the range V = p L (1/sqrt(low) - 1/sqrt(high)) (linear in p);
    above it V = L (sqrt(high) - sqrt(low)) (constant). `price`: float or array.
    """
    amount0, amount1 = v3_amounts(liquidity, price, low, high)
    return price * amount0 + amount1


def v3_volatile_amount(value: float, price: float, low: float, high: float) -> float:
    """x = amount0(L(V, p), p): volatile tokens (= delta) of a v3 deposit worth V at p in [low, high].

    This, not V / (2 p), is the size of a delta-neutral short for a range position.
    """
    liquidity = v3_liquidity(value, price, low, high)
    return v3_amounts(liquidity, price, low, high)[0]


# ---------------------------------------------------------------- perpetuals

def notional(collateral: float, leverage: float) -> float:
    """N = C * leverage: contract value controlled by collateral C."""
    collateral = _non_negative("collateral", collateral)
    leverage = _positive("leverage", leverage)
    return collateral * leverage


def leverage_for(notional_value: float, collateral: float) -> float:
    """leverage = N / C: leverage of a position of notional N on collateral C."""
    notional_value = _non_negative("notional", notional_value)
    collateral = _positive("collateral", collateral)
    return notional_value / collateral


def max_leverage(imf: float) -> float:
    """max leverage = 1 / IMF (initial margin fraction)."""
    imf = _finite("imf", imf)
    if not 0 < imf <= 1:
        raise ValueError(f"imf must be in (0, 1], got {imf!r}")
    return 1.0 / imf


def initial_margin(notional_value: float, imf: float) -> float:
    """IM = |S P| * IMF = N * IMF: collateral needed to open notional N."""
    notional_value = _non_negative("notional", notional_value)
    imf = _finite("imf", imf)
    if not 0 < imf <= 1:
        raise ValueError(f"imf must be in (0, 1], got {imf!r}")
    return notional_value * imf


def maintenance_margin(notional_value: float, mmf: float) -> float:
    """MMR = |S P| * MMF = N * MMF: equity below this makes the account liquidatable."""
    notional_value = _non_negative("notional", notional_value)
    mmf = _fraction("mmf", mmf)
    return notional_value * mmf


def liquidation_price(side: str, size: float, entry: float, collateral: float, mmf: float) -> float:
    """Isolated-margin liquidation price, where equity E + PnL(p) = MMF * s * p.

    s = size (> 0), P = entry price, m = MMF, E = the collateral posted:
      long:  p = (s P - E) / (s (1 - m)), floored at 0 (no liquidation if E >= s P)
      short: p = (E + s P) / (s (1 + m))
    (dYdX liquidations.mdx: p' = (e - s p) / (|s| MMF - s) with signed s.)
    The one convention of check, plan, checklist, payoff grid and plot: the
    opening trade's taker fee is counted in the carry (trading fees), not
    taken off the margin. Taking it off would move the v2 example's short
    from 5,825.24 to 5,823.79; the Monte Carlo, which follows equity day by
    day, does take fees and funding off as they are paid.
    """
    side = _side(side)
    size = _positive("size", size)
    entry = _positive("entry", entry)
    equity = _non_negative("collateral", collateral)
    mmf = _fraction("mmf", mmf)
    if side == "long":
        return max(0.0, (size * entry - equity) / (size * (1.0 - mmf)))
    return max(0.0, (equity + size * entry) / (size * (1.0 + mmf)))


def liquidation_price_linear(side: str, entry: float, leverage: float, mmf: float) -> float:
    """Linear shortcut: long E (1 - 1/L + m), short E (1 + 1/L - m); L leverage, m MMF.

    A rule of thumb (used in the seed article): it treats the maintenance
    margin as a fraction of the entry notional instead of the notional at the
    liquidation price, so it differs from :func:`liquidation_price` by
    E m (1/L - m) / (1 -+ m) (long / short).  For L < 1/m it sits above the
    exact price: conservative for a long, optimistic for a short.  At 1x a
    long gets E m instead of 0 (BTC at 20,000, m = 3%: 600 / 10,600 / 18,600
    at 1x / 2x / 10x against the exact 0 / 10,309 / 18,557).  Long result
    floored at 0.
    """
    side = _side(side)
    entry = _positive("entry", entry)
    leverage = _positive("leverage", leverage)
    mmf = _fraction("mmf", mmf)
    if side == "long":
        return max(0.0, entry * (1.0 - 1.0 / leverage + mmf))
    return entry * (1.0 + 1.0 / leverage - mmf)


def liquidation_distance(entry: float, liq: float) -> float:
    """d = (liq - entry) / entry: signed move to liquidation (negative for longs)."""
    entry = _positive("entry", entry)
    liq = _non_negative("liq", liq)
    return (liq - entry) / entry


# ---------------------------------------------------------------- risk

def normal_cdf(x: float) -> float:
    """N(x) = erfc(-x / sqrt 2) / 2: standard normal CDF."""
    return 0.5 * math.erfc(-float(x) / math.sqrt(2.0))


def _log_normal_tail(y: float) -> float:
    """log N(-y) for y >= 0, accurate where erfc underflows."""
    tail = 0.5 * math.erfc(y / math.sqrt(2.0))
    if tail > 1e-300:
        return math.log(tail)
    # Mills-ratio asymptotic: N(-y) ~ phi(y)/y * (1 - 1/y^2 + 3/y^4)
    return (-0.5 * y * y - math.log(y * math.sqrt(2.0 * math.pi))
            + math.log1p(-1.0 / y**2 + 3.0 / y**4))


def touch_probability(spot: float, barrier: float, vol: float, years: float,
                      drift: float = 0.0, direction: str | None = None) -> float:
    """P(price touches `barrier` within `years`), price a GBM with annual drift `drift`.

    One convention with the simulator (domain-options.md, "Price dynamics"):
    the price drifts by mu = `drift` a year (default 0: the price is a
    martingale), so the LOG price is a Brownian motion X_t = nu t + vol W_t
    with nu = mu - vol^2 / 2.  With a = |ln(B/S)| and nu' the drift towards
    the barrier (nu for an upper barrier, -nu for a lower one), the
    first-passage probability is
      P = N((nu' T - a) / (vol sqrt T)) + exp(2 nu' a / vol^2) N((-nu' T - a) / (vol sqrt T)),
    which for nu = 0 is the reflection principle P = 2 N(-a / (vol sqrt T)).
    `direction` ("up" for a short's liquidation, "down" for a long's) says
    from which side the barrier is approached; by default it is inferred
    from barrier vs spot.  P = 1 when the barrier is at or through spot
    (e.g. direction "up" with barrier <= spot); P = 0 when vol or T is 0
    and the drift does not reach the barrier.  Continuous monitoring: a
    discretely checked margin touches less often.
    """
    spot = _positive("spot", spot)
    barrier = _non_negative("barrier", barrier)
    vol = _non_negative("vol", vol)
    years = _non_negative("years", years)
    log_drift = _finite("drift", drift) - 0.5 * vol * vol
    if direction is not None:
        direction = str(direction).strip().lower()
        if direction not in ("up", "down"):
            raise ValueError(f"direction must be 'up', 'down' or None, got {direction!r}")
        if (direction == "up" and barrier <= spot) or (direction == "down" and barrier >= spot):
            return 1.0  # already at or through the barrier
    if barrier == 0.0:
        return 0.0  # a GBM never reaches 0 (e.g. a long floored at 0)
    a = abs(math.log(barrier / spot))
    if a == 0.0:
        return 1.0
    nu = log_drift if barrier > spot else -log_drift  # drift towards the barrier
    if vol == 0.0 or years == 0.0:
        return 1.0 if nu * years >= a else 0.0
    sd = vol * math.sqrt(years)
    direct = normal_cdf((nu * years - a) / sd)
    if nu == 0.0:
        return min(1.0, 2.0 * direct)
    log_reflected = 2.0 * nu * a / (vol * vol) + _log_normal_tail((nu * years + a) / sd)
    reflected = math.exp(log_reflected) if log_reflected < 709.0 else math.inf
    return min(1.0, max(0.0, direct + reflected))


# ---------------------------------------------------------------- funding

def funding_pnl(side: str, notional_value: float, annual_rate: float, days: float) -> float:
    """PnL = sign * N * rate * days / 365, sign = +1 short, -1 long.

    A positive rate means longs pay shorts (a short hedge receives); a
    negative rate means shorts pay longs.  Notional held constant.
    """
    side = _side(side)
    paid_by_longs = _accrued(_non_negative("notional", notional_value), _finite("annual_rate", annual_rate), days)
    return paid_by_longs if side == "short" else -paid_by_longs


def annual_rate_from_8h(rate_8h: float) -> float:
    """apr = rate_8h * 3 * 365 (simple, not compounded); 0.01% / 8h = 10.95% apr."""
    rate_8h = _finite("rate_8h", rate_8h)
    return rate_8h * FUNDING_PERIODS_PER_YEAR


# ---------------------------------------------------------------- cover

def cover_premium(amount: float, annual_price: float, days: float) -> float:
    """premium = amount * annual price * days / 365 (Nexus Mutual StakingProducts.sol)."""
    return _accrued(_non_negative("amount", amount), _non_negative("annual_price", annual_price), days)


def with_commission(premium: float, commission: float) -> float:
    """total = premium / (1 - commission): premium grossed up by the distributor commission."""
    premium = _non_negative("premium", premium)
    commission = _fraction("commission", commission)
    return premium / (1.0 - commission)


# ---------------------------------------------------------------- pool fees, gas

def pool_fees(value: float, fee_apr: float, days: float) -> float:
    """fees = V * fee_apr * days / 365: simple (uncompounded) accrual on a constant value."""
    return _accrued(_non_negative("value", value), _non_negative("fee_apr", fee_apr), days)


def _accrued(amount: float, annual_rate: float, days: float) -> float:
    """Simple (uncompounded) accrual: amount * annual rate * days / 365."""
    return amount * annual_rate * _non_negative("days", days) / DAYS_PER_YEAR


def gas_cost(gas_units: float, gas_price_gwei: float) -> float:
    """cost = gas units * gas price (gwei) * 1e-9, in the chain's native token (ETH)."""
    gas_units = _non_negative("gas_units", gas_units)
    gas_price_gwei = _non_negative("gas_price_gwei", gas_price_gwei)
    return gas_units * gas_price_gwei * GWEI


# ---- correlated assets -----------------------------------------------------------
def correlation_matrix(symbols, correlations) -> list[list[float]]:
    """The correlation matrix of `symbols` from {"A.B": rho} (keys of sorted
    symbols); pairs not given are independent (0)."""
    return [[1.0 if a == b else float(correlations.get(".".join(sorted((a, b))), 0.0)) for b in symbols]
            for a in symbols]


def correlation_factor(matrix):
    """The lower-triangular Cholesky factor C of a correlation matrix (C C^T = matrix),
    or None when the matrix is not positive definite: correlated normals are C z."""
    import numpy as np

    try:
        return np.linalg.cholesky(np.asarray(matrix, dtype=np.float64))
    except np.linalg.LinAlgError:
        return None
