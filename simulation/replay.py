"""Replay a strategy over a real price history, streaming the file.

Price files are CSV with a header, in one of two layouts:

- ``timestamp,price``;
- the Yahoo Finance layout ``Date,Open,High,Low,Close,Adj Close,Volume``
  (Close is the step's price; High and Low test liquidation within the bar).

A timestamp is an ISO date (``2021-05-11``), an ISO date and time
(``2021-05-11T14:05:00``, UTC unless an offset is given) or a Unix time in
seconds (in milliseconds from 1e11 up). Timestamps must increase; the time
between two rows is the length of that step, so minute data accrues fees and
funding by the minute.

Anything else is a ``PriceFileError`` naming the file, the 1-based line and
the problem: an empty file, a missing or unknown header, a row with the wrong
number of columns, a timestamp that is not one or does not increase, a price
that is not a number, not finite, zero or negative. A ``null`` price (a day
the source had no quote) is an error too, unless ``skip_missing=True``: then
those rows are left out and counted.

Rows are read one at a time (``read_bars``) and fed to the engine as they
come, so a replay holds no more than the current row, whatever the file's
length; per-step series are kept only when asked for.

A strategy on several assets replays one series per asset, read together
(``align``): a step is a time every series has; a row at a time another
series lacks is left out and counted.
"""
from __future__ import annotations

import csv
import dataclasses
import math
import os
import warnings
from array import array
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Iterable, Iterator, Mapping, NamedTuple, Sequence

import numpy as np

from hedgec.record import record

from . import lending
from .config import SimConfig
from .engine import (Model, PathState, SimulationError, advance, hold_pnls, perp_pnls, pool_pnls, pool_values,
                     price_moves)

TIMESTAMP_HEADER = ["timestamp", "price"]
OHLC_HEADER = ["date", "open", "high", "low", "close", "adj close", "volume"]
MISSING = {"null", "none", "nan", "na", "n/a", ""}
SECONDS_PER_YEAR = 365.0 * 86400.0
MILLISECONDS_FROM = 1e11  # a Unix time this large is in milliseconds (1e11 s is the year 5138)
PLOT_POINTS = 2000  # a plot keeps at most about this many points of a long replay


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


class Bar(NamedTuple):  # a tuple: one is made per row
    """One row: its time (Unix seconds), label as written, close and, when
    the file has them, high and low; ``line`` is its line in the file."""

    time: float
    label: str
    close: float
    high: float | None = None
    low: float | None = None
    line: int = 0


@dataclass
class ReadCount:
    """What ``read_bars`` left out, filled in as it reads."""

    skipped_lines: list[int] = field(default_factory=list)


def read_bars(path, skip_missing: bool = False, start: float | None = None, end: float | None = None,
              span: float | None = None, count: ReadCount | None = None) -> Iterator[Bar]:
    """The rows of a price file with ``start <= time < end`` and at most
    ``span`` seconds after the first row read, one at a time."""
    count = count if count is not None else ReadCount()
    with open(path, newline="", encoding="utf-8") as handle:
        rows = _checked(path, csv.reader(_bounded_lines(path, handle)))
        header, line = _first_row(path, rows)
        columns = _read_header(path, header)
        width = len(header)
        previous, first_time = -math.inf, math.inf
        found = False
        for line, row in enumerate(rows, start=line + 1):
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != width:
                raise PriceFileError(path, line, f"expected {width} columns, found {len(row)}")
            label = row[0].strip()
            time = _parse_time(path, line, label)
            if not time > previous:
                raise PriceFileError(path, line, f"timestamp '{label}' is not after the row before it")
            previous = time
            if start is not None and time < start:
                continue
            if end is not None and time >= end:
                break
            if span is not None and found and time - first_time > span * (1 + 1e-12):
                break
            cell = row[columns[0]].strip()
            if cell.lower() in MISSING:
                if not skip_missing:
                    raise PriceFileError(path, line, f"no price ('{cell}') for {label or 'this row'};"
                                         " --skip-missing leaves such rows out")
                count.skipped_lines.append(line)
                continue
            if not found:
                found, first_time = True, time
            yield _bar(path, line, label, time, _parse_price(path, line, cell), row, columns)
        if not found:
            raise PriceFileError(path, line, "the file has no price rows" if start is None and end is None
                                 else "the file has no price rows in the window asked for")


MAX_LINE_CHARS = 64 * 1024  # a price row is a few dozen characters; a device or a pipe may have no line end


def _bounded_lines(path, handle) -> Iterator[str]:
    """The file's lines, each read to a bound, so memory stays flat whatever the file is."""
    number = 0
    while line := handle.readline(MAX_LINE_CHARS + 1):
        number += 1
        if len(line) > MAX_LINE_CHARS:
            raise PriceFileError(path, number, f"line {number} is larger than the {MAX_LINE_CHARS // 1024} KiB "
                                               "hedgec reads in a row: not a CSV price file")
        yield line


def _checked(path, rows) -> Iterator[list[str]]:
    """The CSV rows, with an unreadable file (binary, a field over the csv
    module's limit) said in words at the line where it stops being CSV."""
    line = 0
    try:
        for line, row in enumerate(rows, start=1):
            yield row
    except (csv.Error, UnicodeDecodeError) as err:
        reason = "not UTF-8 text" if isinstance(err, UnicodeDecodeError) else str(err)
        raise PriceFileError(path, line + 1, f"not a CSV price file: {reason}") from None


def _first_row(path, rows) -> tuple[list[str], int]:
    for line, row in enumerate(rows, start=1):
        if any(cell.strip() for cell in row):
            return row, line
    raise PriceFileError(path, 1, "the file is empty")


def _bar(path, line: int, label: str, time: float, close: float, row: list[str], columns) -> Bar:
    if len(columns) == 1:
        return Bar(time, label, close, line=line)
    high, low = (row[c].strip() for c in columns[1:])
    high = close if high.lower() in MISSING else max(close, _parse_price(path, line, high))
    low = close if low.lower() in MISSING else min(close, _parse_price(path, line, low))
    return Bar(time, label, close, high, low, line)


def load_prices(path, skip_missing: bool = False) -> PriceSeries:
    """Read ``(dates, prices)`` from a price CSV (see the module doc for the rules)."""
    count = ReadCount()
    dates, prices = [], array("d")
    for bar in read_bars(path, skip_missing, count=count):
        dates.append(bar.label)
        prices.append(bar.close)
    if count.skipped_lines:
        warnings.warn(f"{os.path.basename(os.fspath(path))}: skipped {len(count.skipped_lines)} row(s) without a"
                      f" price (lines {_list_lines(count.skipped_lines)})", stacklevel=2)
    return PriceSeries(tuple(dates), np.array(prices, dtype=np.float64), tuple(count.skipped_lines))


def _read_header(path, header: list[str]) -> tuple[int, ...]:
    """Columns of (close,) or (close, high, low)."""
    names = [cell.strip().lower() for cell in header]
    if names == TIMESTAMP_HEADER:
        return (1,)
    if names == OHLC_HEADER:
        return tuple(OHLC_HEADER.index(name) for name in ("close", "high", "low"))
    problem = "no header" if names and _is_number(names[-1]) else "unknown header"
    raise PriceFileError(path, 1, f"{problem}: expected 'timestamp,price' or"
                         f" 'Date,Open,High,Low,Close,Adj Close,Volume', found '{','.join(header)}'")


def parse_time(text: str) -> float:
    """Unix seconds of an ISO date, date and time (UTC unless it says) or Unix time; ValueError if none."""
    try:
        value = float(text)
    except ValueError:
        moment = datetime.fromisoformat(text)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        return moment.timestamp()
    if not math.isfinite(value):
        raise ValueError(f"{text} is not a time")
    return value / 1000.0 if abs(value) >= MILLISECONDS_FROM else value


def _parse_time(path, line: int, text: str) -> float:
    try:
        return parse_time(text)
    except ValueError:
        raise PriceFileError(path, line, f"timestamp '{text}' is not a date (2021-05-11), a date and time"
                             " (2021-05-11T14:05:00) or a Unix time") from None


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
@record
class AssetSteps:
    """One asset's prices at every step of a replay."""

    symbol: str
    market_prices: tuple[float, ...]
    prices: tuple[float, ...]  # as replayed: market prices x scale


@record
class Steps:
    """Per-step series of a replay (one value per row, the first row included);
    ``market_prices`` and ``prices`` are the first asset's, ``assets`` every asset's."""

    labels: tuple[str, ...]
    days: tuple[float, ...]  # since the first row
    market_prices: tuple[float, ...]
    prices: tuple[float, ...]  # as replayed: market prices x scale
    pool_pnl: tuple[float, ...]  # the pools with their fees
    perp_pnl: tuple[float, ...]  # the perps, funding and fees included
    hedged_pnl: tuple[float, ...]
    hold_pnl: tuple[float, ...]  # keeping the tokens the pools were funded with
    assets: tuple[AssetSteps, ...] = ()


@record
class AssetReplay:
    """One asset of a replay: its first and last market prices, the
    strategy's price of it (price.X), what its market prices were multiplied
    by, and the rows of its series left out for a time another series lacks."""

    symbol: str
    market_first: float
    market_last: float
    entry_price: float
    scale: float
    unaligned_rows: int = 0


@record
class ReplayResult:
    """One real path. Money in quote; ``scale`` is what market prices were
    multiplied by (entry price / first market price, or 1 with absolute
    prices). ``market_first`` .. ``scale`` are the first asset's, ``assets``
    has every asset's. ``steps`` holds every row when asked for; ``plot`` a
    thinned copy (at most about ``PLOT_POINTS`` rows) when asked for."""

    first: str
    last: str
    rows: int
    span_days: float
    horizon_days: float
    step_days: float  # the first step's length
    uneven_steps: bool
    market_first: float
    market_last: float
    entry_price: float  # the strategy's (price.X)
    scale: float
    absolute: bool
    high_low: bool
    pool_pnl: float
    perp_pnl: float
    hedged_pnl: float
    hold_pnl: float
    fees: float
    funding_paid: float
    net_pnl: float
    liquidation_step: int | None
    liquidation_at: str | None
    liquidation_day: float | None
    deposit: float
    steps: Steps | None = None
    plot: Steps | None = None
    option_pnl: float = 0.0  # option legs at the last price, premiums and fees included
    assets: tuple[AssetReplay, ...] = ()

    @property
    def liquidated(self) -> bool:
        return self.liquidation_step is not None


def bars_from_prices(prices, dates=None, step_days: float = 1.0) -> list[Bar]:
    """Bars of a plain price list, ``step_days`` apart (labels: ``dates`` or step numbers)."""
    labels = dates if dates is not None else [str(i) for i in range(len(prices))]
    return [Bar(i * step_days * 86400.0, str(label), float(p)) for i, (label, p) in enumerate(zip(labels, prices))]


def absolute_config(config: SimConfig, first_prices: Sequence[float] | float) -> SimConfig:
    """The strategy opened at the first market prices (one per asset, in the
    order of ``config.symbols``) instead of its entry prices: the same
    deposits, ranges and collateral, each perp and loan keeping its notional
    in quote, each option its moneyness and notional (strike x first / entry,
    size and coin x entry / first: Black-76 is homogeneous in price and
    strike, so its premium is the same)."""
    first = dict(zip(config.symbols, np.atleast_1d(first_prices).tolist()))
    ratio = {a.symbol: a.entry_price / first[a.symbol] for a in config.assets}
    return dataclasses.replace(
        config, pool=None,
        pools=tuple(dataclasses.replace(p, entry_price=first[p.asset] if p.quote is None
                                        else first[p.asset] / first[p.quote]) for p in config.pools),
        assets=tuple(dataclasses.replace(a, entry_price=first[a.symbol]) for a in config.assets),
        perps=tuple(dataclasses.replace(p, size=p.size * ratio[p.asset]) for p in config.perps),
        loans=tuple(dataclasses.replace(x, amount=x.amount * ratio[x.asset], entry_price=first[x.asset])
                    for x in config.loans),
        options=tuple(dataclasses.replace(o, strike=o.strike / ratio[o.asset], size=o.size * ratio[o.asset],
                                          coin=o.coin * ratio[o.asset]) for o in config.options))


@dataclass
class AlignCount:
    """What ``align`` left out, filled in as it reads: per series, the lines
    of its rows at a time another series lacks, between common times."""

    unaligned_lines: list[list[int]]


def align(series: Sequence[Iterable[Bar]], span: float | None = None,
          count: AlignCount | None = None) -> Iterator[tuple[Bar, ...]]:
    """The rows of the series at the times they all have, a tuple (one bar
    per series) at a time, up to ``span`` seconds after the first common time.

    Rows before the first common time or after the last are outside the
    replay; those in between at a time some other series lacks are left out
    and their lines counted in ``count``. One row per series is held at a time.
    """
    count = count if count is not None else AlignCount([[] for _ in series])
    streams = [iter(s) for s in series]
    if len(streams) == 1:  # nothing to align: the hot path of a long one-asset replay
        yield from _within_span(streams[0], span)
        return
    heads = [next(s, None) for s in streams]
    skipped: list[list[int]] = [[] for _ in streams]  # since the last common time
    first_time = None
    while None not in heads:
        time = max(bar.time for bar in heads)
        behind = [k for k, bar in enumerate(heads) if bar.time < time]
        if behind:
            for k in behind:
                if first_time is not None:
                    skipped[k].append(heads[k].line)
                heads[k] = next(streams[k], None)
            continue
        if first_time is None:
            first_time = time
        elif span is not None and time - first_time > span * (1 + 1e-12):
            return
        for counted, lines in zip(count.unaligned_lines, skipped):
            if lines:
                counted.extend(lines)
                lines.clear()
        yield tuple(heads)
        heads = [next(s, None) for s in streams]


def _within_span(bars: Iterator[Bar], span: float | None) -> Iterator[tuple[Bar]]:
    first = next(bars, None)
    if first is None:
        return
    yield (first,)
    limit = math.inf if span is None else span * (1 + 1e-12)
    for bar in bars:
        if bar.time - first.time > limit:
            return
        yield (bar,)


def replay(config: SimConfig, bars: Iterable[Bar] | Mapping[str, Iterable[Bar]], absolute: bool = False,
           keep_steps: bool = False, keep_plot: bool = False, span: float | None = None) -> ReplayResult:
    """Run the strategy over real prices, a step per row after the first.

    ``bars``: one series for a strategy on one asset, or a mapping from each
    of ``config.symbols`` to its series; series are read together at the times
    they all have (``align``), up to ``span`` seconds after the first.
    Each asset's market prices are multiplied by its entry price / its first
    price, so the position sees the market's returns from its own entry
    prices; with ``absolute`` they are replayed as they are and the position
    opens at the first prices (``absolute_config``). Exploit events and the
    Monte Carlo steps of ``config`` are not used; its horizon is only reported.
    """
    series = _series_per_asset(config, bars)
    count = AlignCount([[] for _ in series])
    rows = align(series, span, count)
    first = next(rows, None)
    if first is None:
        raise SimulationError(_too_few(config, 0))
    entry = [a.entry_price for a in config.assets]
    scales = [1.0 if absolute else price / bar.close for price, bar in zip(entry, first)]
    if absolute:
        config = absolute_config(config, [bar.close for bar in first])
    config = dataclasses.replace(config, events=())  # a replay follows prices only
    model = Model(config, steps=1, dt=1.0 / 365.0)
    st = PathState(model, 1)
    high_low = any(bar.high is not None for bar in first)
    extremes = (np.empty((len(first), 1)), np.empty((len(first), 1))) if high_low else None
    track = _Track(model, scales, keep_steps, keep_plot)
    track.add(st, first, 0.0)
    previous, dt, step_days, uneven = first, None, 0.0, False
    for step, row in enumerate(rows, start=1):
        seconds = row[0].time - previous[0].time
        if seconds != dt:
            uneven = uneven or dt is not None
            dt = seconds
            model.set_step_length(seconds / SECONDS_PER_YEAR)
            step_days = step_days or seconds / 86400.0
        for k, bar in enumerate(row):
            st.prices[k, 0] = bar.close * scales[k]
            if extremes is not None:  # a series without high and low: its close
                high, low = (bar.close, bar.close) if bar.high is None else (bar.high, bar.low)
                extremes[0][k, 0], extremes[1][k, 0] = high * scales[k], low * scales[k]
        advance(model, st, step, extremes)
        track.add(st, row, (row[0].time - first[0].time) / 86400.0)
        previous = row
    if previous is first:
        raise SimulationError(_too_few(config, 1))
    span_days = (previous[0].time - first[0].time) / 86400.0
    track.add(st, previous, span_days, last=True)
    pool_pnl, perp_pnl = track.pnl(st)
    option_pnl = float(np.sum(st.options.pnl(st.prices)))  # 0 without option legs
    liq = int(st.liq_step[0])
    assets = tuple(AssetReplay(symbol=asset.symbol, market_first=a.close, market_last=b.close, entry_price=price,
                               scale=scale, unaligned_rows=len(lines))
                   for asset, a, b, price, scale, lines in zip(config.assets, first, previous, entry, scales,
                                                               count.unaligned_lines))
    return ReplayResult(
        first=first[0].label, last=previous[0].label, rows=step + 1,
        span_days=span_days, horizon_days=config.horizon_days,
        step_days=step_days, uneven_steps=uneven,
        market_first=assets[0].market_first, market_last=assets[0].market_last, entry_price=entry[0],
        scale=scales[0], absolute=absolute, high_low=high_low,
        pool_pnl=pool_pnl, perp_pnl=perp_pnl, hedged_pnl=pool_pnl + perp_pnl,
        hold_pnl=track.hold(st),
        fees=float(st.fees[:, 0].sum()), funding_paid=float(st.funding.sum()),
        net_pnl=pool_pnl + perp_pnl + option_pnl + float(st.cover_paid[0]) - config.premiums - config.gas_cost,
        option_pnl=option_pnl,
        liquidation_step=liq if liq >= 0 else None, liquidation_at=track.liquidation_at,
        liquidation_day=track.liquidation_day,
        deposit=model.deposit, steps=track.series("all") if keep_steps else None,
        plot=track.series("plot") if keep_plot else None, assets=assets,
    )


def _series_per_asset(config: SimConfig, bars) -> list[Iterable[Bar]]:
    """The price series in the order of ``config.symbols``, or a SimulationError saying which are missing."""
    symbols = config.symbols
    if not isinstance(bars, Mapping):
        if len(symbols) > 1:
            raise SimulationError(f"this strategy holds {' and '.join(symbols)}: one price series cannot replay it;"
                                  " give one series per asset")
        return [bars]
    missing, unknown = [s for s in symbols if s not in bars], [s for s in bars if s not in symbols]
    if missing or unknown:
        problems = ([f"no series for {', '.join(missing)}"] if missing else []) + \
            ([f"no asset {', '.join(unknown)}"] if unknown else [])
        raise SimulationError(f"{'; '.join(problems)}: the strategy's assets are {', '.join(symbols)}")
    return [bars[s] for s in symbols]


def _too_few(config: SimConfig, rows: int) -> str:
    if len(config.assets) == 1:
        return "a replay needs at least two prices"
    return (f"the price series of {', '.join(config.symbols)} have {rows or 'no'} time{'' if rows == 1 else 's'}"
            " in common in the window; a replay needs at least two")


class _Track:
    """Per-step series, kept only when asked for: every row, and for a plot
    every ``stride``-th row, the stride doubling whenever the plot copy fills."""

    def __init__(self, model: Model, scales: list[float], keep_steps: bool, keep_plot: bool):
        self.model, self.scales = model, scales
        self.keep = {"all": keep_steps, "plot": keep_plot}
        self.data = {name: _Columns(len(scales)) for name, kept in self.keep.items() if kept}
        self.stride, self.count = 1, 0
        self.liquidation_at = self.liquidation_day = None

    def pnl(self, st: PathState) -> tuple[float, float]:
        """(pools with fees, perps and loans) against what went in, valued as the Monte Carlo values them."""
        model = self.model
        pools = pool_pnls(model, st, pool_values(model, st)) + st.fees
        return float(pools.sum()), float(perp_pnls(model, st).sum() + lending.pnl(model, st)[0])

    def hold(self, st: PathState) -> float:
        """Keeping the tokens every pool was funded with, at the replayed prices."""
        return float(hold_pnls(self.model, price_moves(self.model, st)).sum())

    def add(self, st: PathState, row: tuple[Bar, ...], days: float, last: bool = False) -> None:
        if self.liquidation_at is None and st.liq_step[0] >= 0:
            self.liquidation_at, self.liquidation_day = row[0].label, days
        if last:  # the plot ends on the last row, kept or not
            if "plot" in self.data and (self.count - 1) % self.stride != 0:
                self._append("plot", st, row, days)
            return
        self.count += 1
        if "all" in self.data:
            self._append("all", st, row, days)
        if "plot" in self.data and (self.count - 1) % self.stride == 0:
            self._append("plot", st, row, days)
            if len(self.data["plot"].labels) >= 2 * PLOT_POINTS:
                self._halve()

    def _append(self, name: str, st: PathState, row: tuple[Bar, ...], days: float) -> None:
        columns = self.data[name]
        pool_pnl, perp_pnl = self.pnl(st)
        columns.labels.append(row[0].label)
        for column, value in ((columns.days, days), (columns.pool, pool_pnl), (columns.perp, perp_pnl),
                              (columns.hold, self.hold(st))):
            column.append(value)
        for bar, scale, market, price in zip(row, self.scales, columns.market, columns.price):
            market.append(bar.close)
            price.append(bar.close * scale)

    def _halve(self) -> None:
        self.data["plot"] = self.data["plot"].every_other()
        self.stride *= 2

    def series(self, name: str) -> Steps:
        c = self.data[name]
        assets = tuple(AssetSteps(symbol, tuple(market), tuple(price))
                       for symbol, market, price in zip(self.model.symbols, c.market, c.price))
        return Steps(labels=tuple(c.labels), days=tuple(c.days), market_prices=assets[0].market_prices,
                     prices=assets[0].prices, pool_pnl=tuple(c.pool), perp_pnl=tuple(c.perp),
                     hedged_pnl=tuple(a + b for a, b in zip(c.pool, c.perp)), hold_pnl=tuple(c.hold), assets=assets)


class _Columns:
    """The kept rows of a replay: labels, then one array per figure and, per asset, its market and replayed prices."""

    def __init__(self, assets: int):
        self.labels: list[str] = []
        self.days, self.pool, self.perp, self.hold = (array("d") for _ in range(4))
        self.market = [array("d") for _ in range(assets)]
        self.price = [array("d") for _ in range(assets)]

    def every_other(self) -> "_Columns":
        half = _Columns(len(self.market))
        half.labels = self.labels[::2]
        half.days, half.pool, half.perp, half.hold = (c[::2] for c in (self.days, self.pool, self.perp, self.hold))
        half.market = [c[::2] for c in self.market]
        half.price = [c[::2] for c in self.price]
        return half
