"""Replay a strategy over a real price history.

Price files are CSV with a header, in one of two layouts:

- ``timestamp,price``;
- the Yahoo Finance daily layout ``Date,Open,High,Low,Close,Adj Close,Volume``
  (the Close column is used).

Anything else is a ``PriceFileError`` naming the file, the 1-based line and
the problem: an empty file, a missing or unknown header, a row with the wrong
number of columns, a price that is not a number, not finite, zero or negative.
A ``null`` price (a day the source had no quote) is an error too, unless
``skip_missing=True``: then those rows are left out, a warning says how many,
and the returned series carries ``skipped`` and ``skipped_lines``.
"""
from __future__ import annotations

import csv
import math
import os
import warnings
from dataclasses import dataclass

import numpy as np

from .config import SimConfig
from .engine import Model, PathState, outcomes, run_batch

TIMESTAMP_HEADER = ["timestamp", "price"]
OHLC_HEADER = ["date", "open", "high", "low", "close", "adj close", "volume"]
MISSING = {"null", "none", "nan", "na", "n/a", ""}
MAX_FILE_BYTES = 64 * 1_048_576  # a year of minute prices is ~20 MiB; read no more than this (a device, a pipe)


class PriceFileError(ValueError):
    """A price file that cannot be read, with where and why."""

    def __init__(self, path, line: int, problem: str):
        self.path = os.fspath(path)
        self.line = line
        self.problem = problem
        super().__init__(f"{self.path}:{line}: {problem}")


class PriceSeries(tuple):
    """``(dates, prices)``: unpacks as a pair, and also says what was skipped."""

    def __new__(cls, dates: tuple[str, ...], prices: np.ndarray, skipped_lines: tuple[int, ...] = ()):
        series = super().__new__(cls, (dates, prices))
        series.skipped_lines = skipped_lines
        return series

    @property
    def dates(self) -> tuple[str, ...]:
        return self[0]

    @property
    def prices(self) -> np.ndarray:
        return self[1]

    @property
    def skipped(self) -> int:
        return len(self.skipped_lines)


def load_prices(path, skip_missing: bool = False) -> PriceSeries:
    """Read ``(dates, prices)`` from a price CSV (see the module doc for the rules)."""
    with open(path, newline="", encoding="utf-8") as handle:
        text = handle.read(MAX_FILE_BYTES + 1)
    if len(text) > MAX_FILE_BYTES:
        raise PriceFileError(path, 1, f"the file is larger than the {MAX_FILE_BYTES // 1_048_576} MiB hedgec reads")
    if "\0" in text:
        raise PriceFileError(path, text[:text.index("\0")].count("\n") + 1, "this is a binary file, not a CSV")
    rows = list(csv.reader(text.splitlines(keepends=True)))
    if not rows or all(not any(cell.strip() for cell in row) for row in rows):
        raise PriceFileError(path, 1, "the file is empty")
    price_column, width = _read_header(path, rows[0])
    dates, prices, skipped = [], [], []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != width:
            raise PriceFileError(path, line, f"expected {width} columns, found {len(row)}")
        cell = row[price_column].strip()
        if cell.lower() in MISSING:
            if not skip_missing:
                raise PriceFileError(path, line, f"no price ('{cell}') for {row[0].strip() or 'this row'};"
                                     " --skip-missing leaves such rows out")
            skipped.append(line)
            continue
        dates.append(row[0].strip())
        prices.append(_parse_price(path, line, cell))
    if not prices:
        raise PriceFileError(path, len(rows), "the file has no price rows")
    if skipped:
        warnings.warn(f"{os.path.basename(os.fspath(path))}: skipped {len(skipped)} row(s) without a price"
                      f" (lines {_list_lines(skipped)})", stacklevel=2)
    return PriceSeries(tuple(dates), np.array(prices, dtype=np.float64), tuple(skipped))


def _read_header(path, header: list[str]) -> tuple[int, int]:
    names = [cell.strip().lower() for cell in header]
    if names == TIMESTAMP_HEADER:
        return 1, 2
    if names == OHLC_HEADER:
        return OHLC_HEADER.index("close"), len(OHLC_HEADER)
    problem = "no header" if names and _is_number(names[-1]) else "unknown header"
    raise PriceFileError(path, 1, f"{problem}: expected 'timestamp,price' or"
                         f" 'Date,Open,High,Low,Close,Adj Close,Volume', found '{','.join(header)}'")


def _parse_price(path, line: int, cell: str) -> float:
    try:
        value = float(cell)
    except ValueError:
        raise PriceFileError(path, line, f"price '{cell}' is not a number") from None
    if not math.isfinite(value):
        raise PriceFileError(path, line, f"price '{cell}' is not finite")
    if value <= 0:
        raise PriceFileError(path, line, f"price {cell} must be positive")
    return value


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _list_lines(lines: list[int], limit: int = 10) -> str:
    shown = ", ".join(str(n) for n in lines[:limit])
    return shown + (", ..." if len(lines) > limit else "")


# -------------------------------------------------------------------- replay
@dataclass(frozen=True)
class ReplayResult:
    """One real path. ``prices`` are the market prices rebased to start at the
    pool's entry price; the P&L series (quote, one value per price) are the
    pool with its fees, the perps (funding and fees included) and their sum."""

    dates: tuple[str, ...] | None
    market_prices: tuple[float, ...]
    prices: tuple[float, ...]
    pool_pnl: tuple[float, ...]
    perp_pnl: tuple[float, ...]
    hedged_pnl: tuple[float, ...]
    hold_pnl: tuple[float, ...]
    fees: float
    funding_paid: float
    net_pnl: float
    liquidation_step: int | None
    deposit: float

    @property
    def liquidated(self) -> bool:
        return self.liquidation_step is not None


def replay(config: SimConfig, prices, dates=None, step_days: float = 1.0) -> ReplayResult:
    """Run the strategy over one real price series, one step per ``step_days``.

    The series is rebased so its first price is ``config.pool.entry_price``
    (the position sees the market's returns); the horizon, steps and exploit
    events of ``config`` are not used.
    """
    market = np.asarray(prices, dtype=np.float64).ravel()
    if market.size < 2:
        raise ValueError("a replay needs at least two prices")
    rebased = market * (config.pool.entry_price / market[0])
    model = Model(config, steps=market.size - 1, dt=step_days / 365.0)
    amount0 = model.delta0
    amount1 = model.deposit - amount0 * model.entry_price
    track = {"pool": [0.0], "perp": [0.0]}

    def fill(step: int, price: np.ndarray) -> None:
        price[0] = rebased[step]

    def record(st: PathState, step: int) -> None:
        out = outcomes(model, st)
        track["pool"].append(float(out.unhedged[0]))
        track["perp"].append(float(out.perp_pnl[0]))

    st = run_batch(model, 1, fill, None, on_step=record)
    final = outcomes(model, st)
    liq = int(final.liq_step[0])
    pool, perp = np.array(track["pool"]), np.array(track["perp"])
    return ReplayResult(
        dates=tuple(dates) if dates is not None else None,
        market_prices=_tup(market),
        prices=_tup(rebased),
        pool_pnl=_tup(pool),
        perp_pnl=_tup(perp),
        hedged_pnl=_tup(pool + perp),
        hold_pnl=_tup(amount0 * rebased + amount1 - model.deposit),
        fees=float(final.fees[0]),
        funding_paid=float(final.funding[0]),
        net_pnl=float(final.net[0]),
        liquidation_step=liq if liq >= 0 else None,
        deposit=model.deposit,
    )


def _tup(values) -> tuple[float, ...]:
    return tuple(float(v) for v in values)
