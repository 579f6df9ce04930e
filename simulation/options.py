"""Option legs in the simulator: each valued per path at the horizon.

An option still alive at the horizon is worth its Black-76 price with the
time left (hedgec/options.py, the pricer the validator uses); one that
expired earlier is worth its intrinsic value at the path's price when it
expired, which the engine records as the path passes the expiry. A leg's
value also counts the cash or coin held beside it on the venue (a short's
margin and premium received), and its P&L is that value less what was
deposited, so the premium and the fee are in it.

Everything here is a few small functions the engine, the payoff grid and
the replay call, and the `Clock` a batch of paths keeps: the time, the
price each option expired at, and what venue exploits took from each leg.
"""
from __future__ import annotations

import numpy as np

from hedgec import options as pricing

from .config import OptionSpec

EXPIRY_TOLERANCE = 1e-9  # years: an option expiring within this of the clock has expired


def value(spec: OptionSpec, price, years: float, expiry_price=None):
    """The leg's value at ``price`` (float or array) ``years`` after entry: cash + coin x price
    + sign x size x option price; intrinsic at ``expiry_price`` (default ``price``) once expired."""
    left = spec.expiry_days / 365.0 - years
    if left <= EXPIRY_TOLERANCE:
        unit = pricing.intrinsic(spec.type, price if expiry_price is None else expiry_price, spec.strike)
    else:
        unit = pricing.black76_price(spec.type, price, spec.strike, left, spec.iv)
    return spec.cash + spec.coin * price + spec.sign * spec.size * unit


def pnl(spec: OptionSpec, price, years: float, expiry_price=None):
    """Value less the deposit: the premium and the fee are in it."""
    return value(spec, price, years, expiry_price) - spec.deposit


def grid_pnl(specs, symbols, entry: np.ndarray, prices: np.ndarray, years: float) -> np.ndarray:
    """Option P&L at the horizon over grid prices (one row per asset of ``symbols``, ``entry``
    their entry prices as a column), each reached on a geometric path from entry: an option that
    expired at t < horizon expired at entry x (price / entry) ** (t / horizon)."""
    total = np.zeros(prices.shape[1])
    for spec in specs:
        row = symbols.index(spec.asset)
        p0, price = float(entry[row, 0]), prices[row]
        share = min(spec.expiry_days / 365.0 / years, 1.0)
        total += pnl(spec, price, years, p0 * (price / p0) ** share)
    return total


class Clock:
    """Per batch of paths: the time elapsed, the price each option expired at,
    and what venue exploits took from each leg."""

    def __init__(self, specs, symbols, n: int):
        self.specs = specs
        self.rows = [symbols.index(spec.asset) for spec in specs]  # each option's asset price row
        self.years = 0.0
        self.expiry_price = [None] * len(specs)
        self.n = n
        self.kept = np.ones((len(specs), n))  # a long's share of its position left after exploits
        self.taken = np.zeros((len(specs), n))  # a short's collateral taken by exploits, in base

    def tick(self, dt: float, prices: np.ndarray) -> None:
        """After a step of ``dt`` years at ``prices`` (a row per asset): record the price of
        options expiring now."""
        self.years += dt
        for i, spec in enumerate(self.specs):
            if self.expiry_price[i] is None and self.years >= spec.expiry_days / 365.0 - EXPIRY_TOLERANCE:
                self.expiry_price[i] = prices[self.rows[i]].copy()

    def exploit(self, venue: str, idx: np.ndarray, share: float, prices: np.ndarray) -> np.ndarray:
        """Paths ``idx`` lose ``share`` of what each option leg holds at ``venue`` (its
        value now: a long's option and cash, a short's margin less what it owes); the
        loss in base. A long keeps the rest of its position, a short its liability."""
        loss = np.zeros(idx.size)
        for i, spec in enumerate(self.specs):
            if spec.venue != venue:
                continue
            equity = self._value(i, prices[self.rows[i], idx], idx) - self.taken[i, idx]
            taken = share * np.maximum(equity, 0.0)
            if spec.side == "long":
                self.kept[i, idx] *= 1.0 - share
            else:
                self.taken[i, idx] += taken
            loss += taken
        return loss

    def pnl(self, prices: np.ndarray) -> np.ndarray | float:
        """Sum of the legs' P&L at the current prices and time."""
        if not self.specs:
            return 0.0
        every = np.arange(self.n)
        return sum(self._value(i, prices[self.rows[i]], every) - self.taken[i] - spec.deposit
                   for i, spec in enumerate(self.specs))

    def _value(self, i: int, price, idx: np.ndarray):
        expired = self.expiry_price[i]
        return self.kept[i, idx] * value(self.specs[i], price, self.years,
                                         None if expired is None else expired[idx])
