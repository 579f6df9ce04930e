"""Loans on a lending venue (the plan's `borrows`), per path and step.

Collateral is a stablecoin worth 1 in the quote currency; the debt is the
pool's volatile asset. Each step, in this order: the collateral accrues at
the supply rate and the debt at the borrow rate (e^{rate dt}, hedgec.lending
`accrue`); then, where the health factor is below 1 at the step's price, the
loan is liquidated by the protocol's rule (hedgec.lending
`liquidate_until_healthy`: up to the close factor while HF > the threshold
and the position is large, else all; the liquidator takes the bonus) and the
rest of the path follows with what is left. A loan's P&L against its entry:
    collateral - debt x price - (collateral0 - amount x entry price)
which counts the borrowed asset's sale proceeds (held, supplied, or put into
the pool and counted there) at entry value.
"""
from __future__ import annotations

import math

import numpy as np

from hedgec import lending
from hedgec.record import record

from .config import ASSET


@record
class LoanSpec:
    amount: float  # units of the pool's asset borrowed
    entry_price: float
    supplied: float  # collateral at entry, in quote (with any sale proceeds supplied)
    liquidation_threshold: float
    liquidation_bonus: float
    borrow_apr: float = 0.0
    supply_apr: float = 0.0
    close_factor: float = lending.DEFAULT_CLOSE_FACTOR
    hf_threshold: float = lending.CLOSE_FACTOR_HF_THRESHOLD
    full_close_below: float = lending.MIN_BASE_MAX_CLOSE_FACTOR
    min_leftover: float = lending.MIN_LEFTOVER_BASE
    venue: str = "aave_v3"
    asset: str = ASSET  # the symbol of the asset borrowed (one of the configuration's assets)

    def __post_init__(self) -> None:
        if not (self.amount > 0 and self.entry_price > 0 and self.supplied >= 0):
            raise ValueError("a loan needs a positive amount and entry price and no negative collateral")

    @property
    def rules(self) -> lending.CloseFactor:
        return lending.CloseFactor(self.close_factor, self.hf_threshold, self.full_close_below, self.min_leftover)

    @property
    def baseline(self) -> float:
        """collateral0 - amount x entry price: the loan's equity at entry, proceeds counted."""
        return self.supplied - self.amount * self.entry_price


def init_state(model, st) -> None:
    loans = model.config.loans
    st.loan_collateral = np.tile(np.array([[loan.supplied] for loan in loans]).reshape(-1, 1), (1, st.n))
    st.loan_debt = np.tile(np.array([[loan.amount] for loan in loans]).reshape(-1, 1), (1, st.n))
    st.loan_penalty = np.zeros((len(loans), st.n))


def advance(model, st, step: int) -> None:
    """Accrue each loan over the step, then liquidate where HF < 1 at the step's price."""
    for i, loan in enumerate(model.config.loans):
        st.loan_collateral[i] *= math.exp(loan.supply_apr * model.dt)
        st.loan_debt[i] *= math.exp(loan.borrow_apr * model.dt)
        price = st.prices[model.symbols.index(loan.asset)]
        owed = st.loan_debt[i] * price
        at_risk = np.flatnonzero(st.loan_collateral[i] * loan.liquidation_threshold < owed)
        if not at_risk.size:
            continue
        out = lending.liquidate_until_healthy(st.loan_collateral[i, at_risk], st.loan_debt[i, at_risk],
                                              price[at_risk], loan.liquidation_threshold,
                                              loan.liquidation_bonus, rules=loan.rules)
        st.loan_collateral[i, at_risk], st.loan_debt[i, at_risk] = out.collateral, out.debt
        st.loan_penalty[i, at_risk] += out.penalty
        first = at_risk[st.liq_step[at_risk] < 0]
        st.liq_step[first] = step


def exploit(model, st, e: int, idx: np.ndarray, share: float) -> np.ndarray:
    """A venue exploit takes `share` of the collateral of the loans held there; the loss in quote."""
    loss = np.zeros(idx.size)
    for i, loan in enumerate(model.config.loans):
        if loan.venue == model.config.events[e].venue:
            taken = share * st.loan_collateral[i, idx]
            st.loan_collateral[i, idx] -= taken
            loss += taken
    return loss


def pnl(model, st) -> np.ndarray:
    """The loans' P&L per path, in quote."""
    out = np.zeros(st.n)
    for i, loan in enumerate(model.config.loans):
        out += st.loan_collateral[i] - st.loan_debt[i] * st.prices[model.symbols.index(loan.asset)] - loan.baseline
    return out


def pnl_at(loan: LoanSpec, prices: np.ndarray, years: float, points: int = 256) -> np.ndarray:
    """P&L at the horizon for each price, the price moving there geometrically
    over `points` steps: accrual and liquidation as in the Monte Carlo."""
    prices = np.asarray(prices, dtype=np.float64)
    coll = np.full(prices.shape, loan.supplied)
    debt = np.full(prices.shape, loan.amount)
    dt = years / points
    grow_c, grow_d = math.exp(loan.supply_apr * dt), math.exp(loan.borrow_apr * dt)
    for k in range(1, points + 1):
        price = loan.entry_price * (prices / loan.entry_price) ** (k / points)
        coll *= grow_c
        debt *= grow_d
        if np.any(coll * loan.liquidation_threshold < debt * price):
            out = lending.liquidate_until_healthy(coll, debt, price, loan.liquidation_threshold,
                                                  loan.liquidation_bonus, rules=loan.rules)
            coll, debt = out.collateral, out.debt
    return coll - debt * prices - loan.baseline
