"""Aave v3 lending formulas: health factor, borrowing limits, rates, accrual, liquidation.

A leaf module (math and numpy only) shared by the compiler's lending leg and
the simulator.  Functions that take prices accept a float or a numpy array
(one price per path) and broadcast; parameters (thresholds, bonuses, rates)
are scalars and are validated, raising :class:`ValueError` on inputs that
make no financial sense.

Conventions
-----------
* Values are in the base currency (USD; a USD stablecoin counts at 1).
  ``price`` is the borrowed asset's price in that currency.
* A *short* is the common case: stablecoin collateral ``C`` (price 1),
  ``q`` of the volatile asset borrowed and sold.  When the sale proceeds are
  supplied as well they are passed as ``proceeds`` (stablecoin, ``q·S0`` less
  the swap fee) and count as collateral with the same liquidation threshold.
* Fractions are plain numbers (0.78 = 78 %); rates are APRs per year.

Sources (aave-dao/aave-v3-origin, read 2026-11-26, commit fd1fbd91):
``GenericLogic.calculateUserAccountData`` (health factor),
``GenericLogic.calculateAvailableBorrows`` (LTV limit),
``ValidationLogic`` (``HEALTH_FACTOR_LIQUIDATION_THRESHOLD = 1e18``),
``LiquidationLogic.executeLiquidationCall`` and
``_calculateAvailableCollateralToLiquidate`` (close factor, bonus, dust,
bad debt), ``DefaultReserveInterestRateStrategyV2.calculateInterestRates``
(rate curve), ``MathUtils`` and ``ReserveLogic`` (index accrual).
"""

from __future__ import annotations

import math
from typing import Iterable, NamedTuple

from .finance import _finite, _non_negative, _positive  # one set of input checks for the formulas
from .lazy import LazyModule
from .record import record

np = LazyModule("numpy")

__all__ = [
    "HF_LIQUIDATION", "DEFAULT_CLOSE_FACTOR", "CLOSE_FACTOR_HF_THRESHOLD",
    "MIN_BASE_MAX_CLOSE_FACTOR", "MIN_LEFTOVER_BASE",
    "health_factor", "short_health_factor", "max_borrow_value", "max_borrow_amount",
    "short_liquidation_price", "collateral_for_health_factor",
    "RateCurve", "borrow_rate", "supply_rate", "accrue", "apy", "carry",
    "CloseFactor", "LiquidationStep", "liquidate", "liquidate_until_healthy",
]

# ValidationLogic.sol: HEALTH_FACTOR_LIQUIDATION_THRESHOLD = 1e18; liquidatable when HF < 1.
HF_LIQUIDATION = 1.0
# LiquidationLogic.sol (the 2,000 USD and dust rules came with v3.3, 2024-10; unchanged at fd1fbd91):
#   DEFAULT_LIQUIDATION_CLOSE_FACTOR = 0.5e4          -> up to 50 % of the debt ...
#   CLOSE_FACTOR_HF_THRESHOLD = 0.95e18               -> ... while HF > 0.95 ...
#   MIN_BASE_MAX_CLOSE_FACTOR_THRESHOLD = 2000e8      -> ... and both the collateral and the debt
#                                                        reserve are worth >= 2,000 USD; else 100 %
#   MIN_LEFTOVER_BASE = MIN_BASE_MAX_CLOSE_FACTOR_THRESHOLD / 2
#                                                     -> a partial liquidation must leave >= 1,000 USD
#                                                        of both debt and collateral
DEFAULT_CLOSE_FACTOR = 0.5
CLOSE_FACTOR_HF_THRESHOLD = 0.95
MIN_BASE_MAX_CLOSE_FACTOR = 2000.0
MIN_LEFTOVER_BASE = MIN_BASE_MAX_CLOSE_FACTOR / 2


@record
class CloseFactor:
    """Close factor rules; the defaults are Aave v3's (the catalog's ``liquidation`` entry)."""

    close_factor: float = DEFAULT_CLOSE_FACTOR
    hf_threshold: float = CLOSE_FACTOR_HF_THRESHOLD
    full_close_below: float = MIN_BASE_MAX_CLOSE_FACTOR
    min_leftover: float = MIN_LEFTOVER_BASE

    def __post_init__(self):
        _unit_fraction("close factor", self.close_factor, open_low=True)
        _unit_fraction("close factor HF threshold", self.hf_threshold, open_low=True)
        _non_negative("full close threshold", self.full_close_below)
        _non_negative("minimum leftover", self.min_leftover)


# DefaultReserveInterestRateStrategyV2: MIN_OPTIMAL_POINT 1 %, MAX_OPTIMAL_POINT 99 %,
# MAX_BORROW_RATE 1000 % (base + slope1 + slope2).
_MIN_OPTIMAL, _MAX_OPTIMAL, _MAX_BORROW_RATE = 0.01, 0.99, 10.0


# ---------------------------------------------------------------- validation

def _unit_fraction(name: str, x: float, *, open_low: bool = False) -> float:
    x = _finite(name, x)
    if not (0 < x <= 1 if open_low else 0 <= x <= 1):
        raise ValueError(f"{name} must be in {'(0' if open_low else '[0'}, 1], got {x!r}")
    return x


def _checked(name: str, x, positive: bool):
    """A number, or an array of them, that is finite and > 0 (or >= 0); a float stays a float."""
    if np.ndim(x) == 0:
        return _positive(name, x) if positive else _non_negative(name, x)
    arr = np.asarray(x, dtype=float)
    if not np.all(np.isfinite(arr) & ((arr > 0) if positive else (arr >= 0))):
        raise ValueError(f"{name} must be finite and {'> 0' if positive else '>= 0'} everywhere")
    return arr


def _prices(name: str, price):
    return _checked(name, price, positive=True)


def _amounts(name: str, x):
    return _checked(name, x, positive=False)


def _scalar_or_array(x):
    return float(x) if np.ndim(x) == 0 else x


# ---------------------------------------------------------------- health factor

def health_factor(collateral: Iterable[tuple[float, float, float]],
                  debt: Iterable[tuple[float, float]]):
    """HF = Σ collateral·price·LT / Σ debt·price  (GenericLogic.calculateUserAccountData).

    ``collateral`` holds ``(amount, price, liquidation_threshold)`` per
    reserve, ``debt`` holds ``(amount, price)``; prices may be arrays.
    Without debt HF is infinite (the contract returns ``type(uint256).max``).
    The position is liquidatable when HF < 1.
    """
    weighted = 0.0
    for amount, price, lt in collateral:
        weighted = weighted + (_amounts("collateral amount", amount) * _prices("collateral price", price)
                               * _unit_fraction("liquidation threshold", lt))
    owed = 0.0
    for amount, price in debt:
        owed = owed + _amounts("debt amount", amount) * _prices("debt price", price)
    return _ratio(weighted, owed)


def _ratio(weighted, owed):
    """weighted / owed, infinite where nothing is owed; a float for scalar inputs."""
    weighted, owed = np.broadcast_arrays(np.asarray(weighted, dtype=float), np.asarray(owed, dtype=float))
    hf = np.full(owed.shape, np.inf)
    np.divide(weighted, owed, out=hf, where=owed > 0)
    return _scalar_or_array(hf)


def short_health_factor(collateral, debt_amount, price, liquidation_threshold: float,
                        proceeds=0.0):
    """HF = (C + proceeds)·LT / (q·S): stablecoin collateral against q of an asset at price S."""
    return health_factor([(np.add(collateral, proceeds), 1.0, liquidation_threshold)],
                         [(debt_amount, price)])


def max_borrow_value(collateral_value, ltv: float, debt_value=0.0):
    """available = max(0, Σ collateral·LTV − debt)  (GenericLogic.calculateAvailableBorrows).

    The base-currency value that may still be borrowed; ValidationLogic
    refuses a borrow that would exceed it.
    """
    ltv = _unit_fraction("ltv", ltv)
    room = np.asarray(_amounts("collateral value", collateral_value)) * ltv \
        - np.asarray(_amounts("debt value", debt_value))
    return _scalar_or_array(np.maximum(room, 0.0))


def max_borrow_amount(collateral, ltv: float, price, debt_amount=0.0):
    """q_max = max(0, C·LTV / S − q): asset units borrowable against stablecoin collateral C."""
    price = _prices("price", price)
    debt_value = np.asarray(_amounts("debt amount", debt_amount)) * price
    return _scalar_or_array(np.asarray(max_borrow_value(collateral, ltv, debt_value)) / price)


def short_liquidation_price(collateral: float, debt_amount: float, liquidation_threshold: float,
                            proceeds: float = 0.0) -> float:
    """S_liq = (C + proceeds)·LT / q: the price of the borrowed asset at which HF = 1.

    HF = (C + proceeds)·LT / (q·S) falls as S rises, so the short is
    liquidated above S_liq.  Without re-supply ``proceeds = 0`` and
    S_liq = C·LT / q; with the sale proceeds supplied at entry price S0,
    ``proceeds = q·S0`` and S_liq = (C + q·S0)·LT / q = C·LT/q + LT·S0.
    """
    collateral = _non_negative("collateral", collateral)
    proceeds = _non_negative("proceeds", proceeds)
    q = _positive("debt amount", debt_amount)
    lt = _unit_fraction("liquidation threshold", liquidation_threshold)
    return (collateral + proceeds) * lt / q


def collateral_for_health_factor(target_hf: float, debt_amount: float, price: float,
                                 liquidation_threshold: float, proceeds: float = 0.0) -> float:
    """C = HF·q·S / LT − proceeds: stablecoin collateral that gives the target HF at entry.

    Never negative: if the proceeds alone reach the target, no more is needed.
    """
    hf = _positive("target health factor", target_hf)
    q = _non_negative("debt amount", debt_amount)
    price = _positive("price", price)
    lt = _unit_fraction("liquidation threshold", liquidation_threshold, open_low=True)
    proceeds = _non_negative("proceeds", proceeds)
    return max(0.0, hf * q * price / lt - proceeds)


# ---------------------------------------------------------------- rates

@record
class RateCurve:
    """One reserve's DefaultReserveInterestRateStrategyV2 parameters and reserve factor.

    borrow(U) = base + slope1·U/U_opt                              for U <= U_opt
              = base + slope1 + slope2·(U − U_opt)/(1 − U_opt)     for U >  U_opt
    supply(U) = borrow(U)·U·(1 − reserve_factor)
    Both are APRs (the contract's per-second linear rates, in ray).  The supply
    formula takes no "unbacked" (portal) liquidity, which is zero on the markets
    used here.
    """

    base: float
    slope1: float
    slope2: float
    optimal: float
    reserve_factor: float = 0.0

    def __post_init__(self):
        for name in ("base", "slope1", "slope2"):
            _non_negative(name, getattr(self, name))
        opt = _finite("optimal utilisation", self.optimal)
        if not _MIN_OPTIMAL <= opt <= _MAX_OPTIMAL:
            raise ValueError(f"optimal utilisation must be in [{_MIN_OPTIMAL}, {_MAX_OPTIMAL}], got {opt!r}")
        if self.base + self.slope1 + self.slope2 > _MAX_BORROW_RATE:
            raise ValueError("base + slope1 + slope2 exceeds the 1000% maximum borrow rate")
        _unit_fraction("reserve factor", self.reserve_factor)

    def borrow(self, utilization):
        return borrow_rate(utilization, self)

    def supply(self, utilization):
        return supply_rate(utilization, self)


def _utilization(u):
    if np.ndim(u) == 0:
        return _unit_fraction("utilisation", u)
    arr = np.asarray(u, dtype=float)
    if not np.all(np.isfinite(arr) & (arr >= 0) & (arr <= 1)):
        raise ValueError("utilisation must be in [0, 1] everywhere")
    return arr


def borrow_rate(utilization, curve: RateCurve):
    """Variable borrow APR at utilisation U on the two-slope curve (see :class:`RateCurve`)."""
    u = np.asarray(_utilization(utilization))
    below = curve.base + curve.slope1 * u / curve.optimal
    above = curve.base + curve.slope1 + curve.slope2 * (u - curve.optimal) / (1 - curve.optimal)
    return _scalar_or_array(np.where(u > curve.optimal, above, below))


def supply_rate(utilization, curve: RateCurve):
    """Supply APR = borrow(U)·U·(1 − reserve factor): what suppliers earn at utilisation U."""
    u = _utilization(utilization)
    return borrow_rate(u, curve) * u * (1.0 - curve.reserve_factor)


# ---------------------------------------------------------------- accrual and carry

def accrue(amount, apr: float, years: float):
    """amount·e^{APR·t}: a balance after t years at a constant APR, compounded continuously.

    Continuous compounding, because that is what the indexes do in practice:
    the variable borrow index compounds per second (MathUtils.calculateCompoundedInterest,
    a 3-term binomial expansion of e^{r·t}) and the supply index grows linearly
    between reserve updates (calculateLinearInterest), but busy reserves are
    updated by every supply, borrow or repay, many times a day, so it compounds
    as well.  e^{r·t} also makes a path's accrual independent of the simulator's
    step size: n steps of dt give exactly the same factor as one step of n·dt.
    """
    apr = _finite("apr", apr)
    years = _non_negative("years", years)
    return _scalar_or_array(np.asarray(_amounts("amount", amount)) * math.exp(apr * years))


def apy(apr: float) -> float:
    """APY = e^{APR} − 1: the yearly yield of an APR compounded continuously (as :func:`accrue`)."""
    return math.expm1(_finite("apr", apr))


def carry(collateral_value: float, supply_apr: float, debt_value: float, borrow_apr: float,
          years: float) -> float:
    """carry = C·(e^{s·t} − 1) − D·(e^{b·t} − 1): supply income less borrow cost over t years.

    At constant prices: ``debt_value`` is q·S0; a price move changes the
    debt's value, which is the hedge's P&L, not its carry.
    """
    c = _non_negative("collateral value", collateral_value)
    d = _non_negative("debt value", debt_value)
    years = _non_negative("years", years)
    return c * math.expm1(_finite("supply apr", supply_apr) * years) \
        - d * math.expm1(_finite("borrow apr", borrow_apr) * years)


# ---------------------------------------------------------------- liquidation

class LiquidationStep(NamedTuple):
    """The outcome of one liquidation call, per path (arrays of the input shape).

    collateral, debt: the borrower's balances afterwards (collateral units, asset units)
    repaid: debt repaid by the liquidator (asset units)
    seized: collateral taken from the borrower (collateral units; includes the
            protocol's share of the bonus, which also leaves the borrower)
    penalty: what the liquidation cost the borrower in base currency,
             bonus × repaid value (seized value − repaid value)
    bad_debt: debt written off because no collateral was left (asset units)
    liquidated: where a liquidation happened
    """

    collateral: np.ndarray
    debt: np.ndarray
    repaid: np.ndarray
    seized: np.ndarray
    penalty: np.ndarray
    bad_debt: np.ndarray
    liquidated: np.ndarray


def liquidate(collateral, debt, price, liquidation_threshold: float, bonus: float,
              collateral_price=1.0, rules: CloseFactor | None = None) -> LiquidationStep:
    """One liquidation call on a one-collateral, one-debt position, as a liquidator would make it.

    Vectorised over paths.  Where HF ≥ 1 nothing happens.  Where HF < 1 the
    liquidator repays the most the protocol allows (its profit is bonus ×
    repaid), per LiquidationLogic.executeLiquidationCall:

    * close factor (``rules``, Aave's by default): up to 50 % of the debt if the
      collateral and the debt are both worth ≥ 2,000 USD and HF > 0.95;
      otherwise up to 100 %.  (With a
      single debt reserve, that reserve's debt is the whole debt, so the 50 %
      cap always applies in the first case.)
    * dust: a partial liquidation must leave ≥ 1,000 USD of collateral (and of
      debt, which 50 % of ≥ 2,000 always does); the liquidator repays less
      if needed.
    * it receives collateral worth repaid × (1 + bonus)
      (``_calculateAvailableCollateralToLiquidate``); the borrower loses
      bonus × repaid.
    * if that is more than the collateral, it takes all of it and repays
      collateral / (1 + bonus); the rest of the debt is written off as a
      deficit (``_burnDebtTokens``), so the borrower owes nothing more.
    """
    rules = rules or CloseFactor()
    lt = _unit_fraction("liquidation threshold", liquidation_threshold, open_low=True)
    bonus = _non_negative("liquidation bonus", bonus)
    coll = np.asarray(_amounts("collateral", collateral), dtype=float)
    owed = np.asarray(_amounts("debt", debt), dtype=float)
    price = np.asarray(_prices("price", price), dtype=float)
    cprice = np.asarray(_prices("collateral price", collateral_price), dtype=float)
    coll, owed, price, cprice = np.broadcast_arrays(coll, owed, price, cprice)

    coll_value = coll * cprice
    debt_value = owed * price
    hf = _ratio(coll_value * lt, debt_value)
    hit = hf < HF_LIQUIDATION

    partial = ((coll_value >= rules.full_close_below) & (debt_value >= rules.full_close_below)
               & (hf > rules.hf_threshold))
    repay_value = np.where(partial, rules.close_factor * debt_value, debt_value)
    dust_cap = (coll_value - rules.min_leftover) / (1.0 + bonus)
    repay_value = np.where(partial, np.minimum(repay_value, dust_cap), repay_value)
    repay_value = np.where(hit, repay_value, 0.0)

    seized_value = repay_value * (1.0 + bonus)
    short = seized_value >= coll_value  # not enough collateral: take it all
    seized_value = np.where(hit & short, coll_value, seized_value)
    repay_value = np.where(hit & short, coll_value / (1.0 + bonus), repay_value)

    repaid = repay_value / price
    seized = seized_value / cprice
    new_coll = np.where(hit & short, 0.0, np.maximum(coll - seized, 0.0))
    remaining = np.maximum(owed - repaid, 0.0)
    bad_debt = np.where(hit & short, remaining, 0.0)
    new_debt = np.where(hit & short, 0.0, remaining)
    # bonus x repaid in both cases (all collateral taken: coll - coll / (1 + b) = b x repaid), without the
    # cancellation of subtracting two large values
    out = (new_coll, new_debt, repaid, seized, repay_value * bonus, bad_debt)
    if np.ndim(hit) == 0:  # scalar in, scalars out
        return LiquidationStep(*(float(x) for x in out), bool(hit))
    return LiquidationStep(*out, hit)


def liquidate_until_healthy(collateral, debt, price, liquidation_threshold: float, bonus: float,
                            collateral_price=1.0, rules: CloseFactor | None = None,
                            max_calls: int = 64) -> LiquidationStep:
    """Repeat :func:`liquidate` at one price until no path is liquidatable; totals per path.

    Liquidators call again within the block while HF < 1.  A 50 % call leaves
    HF = 2·HF₀ − LT·(1 + bonus) > 1 on the listed markets, so one or two calls
    suffice; each call halves the debt or clears it, so the loop ends.
    """
    step = liquidate(collateral, debt, price, liquidation_threshold, bonus, collateral_price, rules)
    repaid, seized, penalty, bad_debt, hit = (step.repaid, step.seized, step.penalty,
                                              step.bad_debt, step.liquidated)
    for _ in range(max_calls):
        if not np.any(step.liquidated):
            return LiquidationStep(step.collateral, step.debt, repaid, seized, penalty, bad_debt, hit)
        step = liquidate(step.collateral, step.debt, price, liquidation_threshold, bonus,
                         collateral_price, rules)
        repaid = repaid + step.repaid
        seized = seized + step.seized
        penalty = penalty + step.penalty
        bad_debt = bad_debt + step.bad_debt
        hit = hit | step.liquidated
    raise RuntimeError(f"liquidation did not settle in {max_calls} calls")  # unreachable, see above
