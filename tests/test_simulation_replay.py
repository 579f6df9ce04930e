import json
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
import pytest

from hedgec.simulation import PerpSpec, PoolSpec, SimConfig, simulate
from hedgec.simulation.replay import PriceFileError, bars_from_prices, load_prices, read_bars, replay
from hedgec.simulation import report
from hedgec.cli.progress import ProgressBar

from simulation_configs import eth_v2_neutral

ETH = Path("/work/shared/data/ETH-USD-daily.csv")
needs_eth = pytest.mark.skipif(not ETH.exists(), reason="shared ETH price history not present")


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_reads_timestamp_price_layout(tmp_path):
    path = write(tmp_path, "p.csv", "timestamp,price\n2021-01-01,100\n2021-01-02,101.5\n\n")
    dates, prices = load_prices(path)
    assert dates == ("2021-01-01", "2021-01-02")
    assert prices.tolist() == [100.0, 101.5]


@pytest.mark.parametrize("text, line, words", [
    ("", 1, "empty"),
    ("2021-01-01,100\n", 1, "no header"),
    ("when,what\n1,2\n", 1, "unknown header"),
    ("timestamp,price\n", 1, "no price rows"),
    ("timestamp,price\n1,100\n2,abc\n", 3, "'abc' is not a number"),
    ("timestamp,price\n1,100\n2,-5\n", 3, "must be positive"),
    ("timestamp,price\n1,100\n2,0\n", 3, "must be positive"),
    ("timestamp,price\n1,100\n2,inf\n", 3, "not finite"),
    ("timestamp,price\n1,100\n2,101,7\n", 3, "expected 2 columns, found 3"),
    ("timestamp,price\n1,100\n2,null\n", 3, "no price ('null')"),
])
def test_bad_files_name_the_file_line_and_problem(tmp_path, text, line, words):
    path = write(tmp_path, "bad.csv", text)
    with pytest.raises(PriceFileError) as info:
        load_prices(path)
    assert info.value.line == line
    assert words in str(info.value)
    assert str(info.value).startswith(f"{path}:{line}: ")


@needs_eth
def test_null_row_in_a_copy_of_the_eth_file(tmp_path):
    lines = ETH.read_text().splitlines()
    sample = [lines[0]] + lines[1713:1718]  # file lines 1714..1718; 1717 is 2020-04-17, all null
    path = write(tmp_path, "eth-sample.csv", "\n".join(sample) + "\n")
    with pytest.raises(PriceFileError) as info:
        load_prices(path)
    assert str(info.value).startswith(f"{path}:5: no price ('null') for 2020-04-17")
    assert "--skip-missing" in str(info.value)
    with pytest.warns(UserWarning, match="skipped 1 row"):
        series = load_prices(path, skip_missing=True)
    dates, prices = series
    assert len(prices) == 4 and "2020-04-17" not in dates
    assert series.skipped == 1 and series.skipped_lines == (5,)


def v2_hedge(fees=True):
    return SimConfig(
        pool=PoolSpec("v2", 20_000.0, 3000.0, fee_apr=0.15 if fees else 0.0, venue="uniswap_v2"),
        perps=(PerpSpec("short", 20_000.0 / 6000.0, 10_000.0, mmf=0.03, taker_fee=0.0005 if fees else 0.0,
                        liquidation_fee=0.015, funding_apr=0.08 if fees else 0.0, venue="dydx"),),
        horizon_days=12.0, steps=12,
    )


@needs_eth
def test_replay_may_2021_crash_pool_loses_hedge_offsets():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        dates, prices = load_prices(ETH, skip_missing=True)
    i, j = dates.index("2021-05-11"), dates.index("2021-05-23")
    assert prices[i] == pytest.approx(4168.70, abs=0.01) and prices[j] == pytest.approx(2109.58, abs=0.01)
    bars = bars_from_prices(prices[i:j + 1], dates[i:j + 1])
    result = replay(v2_hedge(fees=False), bars, keep_steps=True)
    ratio = prices[j] / prices[i]
    assert result.steps.prices[0] == 3000.0 and result.steps.prices[-1] == pytest.approx(3000.0 * ratio)
    assert result.scale == pytest.approx(3000.0 / 4168.70, rel=1e-5)
    assert result.pool_pnl == pytest.approx(20_000 * (np.sqrt(ratio) - 1))  # about -5,770
    assert result.perp_pnl == pytest.approx(20_000 / 6000 * 3000 * (1 - ratio))  # about +4,940
    assert result.hedged_pnl == pytest.approx(-20_000 * (np.sqrt(ratio) - 1) ** 2 / 2)
    assert abs(result.hedged_pnl) < 0.2 * abs(result.pool_pnl)
    assert not result.liquidated
    with_costs = replay(v2_hedge(fees=True), bars)
    assert with_costs.fees > 0 and with_costs.funding_paid < 0
    assert with_costs.hedged_pnl > result.hedged_pnl
    # 12 daily steps: fees 15% x 12/365 on the pool's value, about 20,000 x 0.0049 x ~0.85
    assert with_costs.fees == pytest.approx(20_000 * 0.15 * 12 / 365 * 0.85, rel=0.1)


def test_replay_liquidates_a_short_on_a_rally():
    prices = [3000.0, 3300.0, 3900.0, 4500.0, 4000.0]
    config = SimConfig(pool=PoolSpec("v2", 20_000.0, 3000.0),
                       perps=(PerpSpec("short", 3.3333, 2000.0, mmf=0.03, liquidation_fee=0.015),),
                       horizon_days=4.0, steps=4)
    result = replay(config, bars_from_prices(prices), keep_steps=True)
    assert result.liquidation_step == 2
    assert result.perp_pnl == result.steps.perp_pnl[2] > -2000.0 - 1e-9


def test_report_table_dict_and_plot(tmp_path):
    from hedgec.simulation import payoff_grid

    config = eth_v2_neutral(paths=2048, steps=30)
    result = simulate(config)
    table = report.format_table(result)
    assert table == report.format_table(simulate(config))
    assert "Probability of liquidation" in table and "Hedge effectiveness" in table
    data = report.result_to_dict(result)
    assert json.loads(json.dumps(data))["paths"] == 2048
    grid = payoff_grid(config)
    assert "hedged" in report.format_grid(grid)
    json.dumps(report.grid_to_dict(grid))
    for name in ("plot.png", "plot.svg"):
        report.plot(result, grid, tmp_path / name)
        assert (tmp_path / name).stat().st_size > 1000
    with pytest.raises(ValueError):
        report.plot(result, grid, tmp_path / "plot.pdf")


def test_progress_bar_is_silent_off_a_terminal(capsys):
    import io

    stream = io.StringIO()
    bar = ProgressBar("x", 10, stream=stream, delay=0.0)
    bar(5)
    bar(10)
    assert stream.getvalue() == ""


def test_progress_bar_draws_on_a_terminal_after_the_delay():
    import io

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    stream = Terminal()
    slow = ProgressBar("sim", 10, stream=stream, delay=3600.0)
    slow(10)
    assert stream.getvalue() == ""
    bar = ProgressBar("sim", 10, stream=stream, delay=0.0)
    bar(5)
    bar(10)
    assert "50.0%" in stream.getvalue() and stream.getvalue().endswith("100.0%\n")


def minute_file(tmp_path, rows, price=lambda i: 3000.0, name="minutes.csv"):
    lines = ["timestamp,price"] + [f"{1704067200 + 60 * i},{price(i)}" for i in range(rows)]  # Unix seconds
    return write(tmp_path, name, "\n".join(lines) + "\n")


def test_minute_timestamps_make_minute_steps(tmp_path):
    # One day of minute rows at a flat price: fees 15% x 1/365 x 20,000 = 8.2192 and the short's
    # funding 8% x 1/365 x 3.3333 ETH x 3,000 = 2.1918 received; in daily steps it would be 1,440 days.
    path = minute_file(tmp_path, 1441)
    result = replay(v2_hedge(), read_bars(path))
    assert result.rows == 1441 and result.step_days == pytest.approx(1 / 1440) and not result.uneven_steps
    assert result.span_days == pytest.approx(1.0)
    assert result.fees == pytest.approx(20_000 * 0.15 / 365, rel=1e-9)
    assert result.funding_paid == pytest.approx(-20_000 / 6000 * 3000 * 0.08 / 365, rel=1e-9)
    assert "1,440 steps of 1 minute" in report.format_replay(result)


def test_iso_date_times_and_uneven_steps(tmp_path):
    path = write(tmp_path, "p.csv", "timestamp,price\n2024-01-01T00:00,3000\n2024-01-01T12:00:00Z,3000\n"
                 "2024-01-03,3000\n")
    result = replay(v2_hedge(), read_bars(path))
    assert result.uneven_steps and result.span_days == pytest.approx(2.0)
    assert result.fees == pytest.approx(20_000 * 0.15 * 2 / 365, rel=1e-9)  # half a day, then a day and a half


@pytest.mark.parametrize("text, words", [
    ("timestamp,price\n2024-01-02,1\n2024-01-01,2\n", "'2024-01-01' is not after the row before it"),
    ("timestamp,price\nyesterday,1\n", "timestamp 'yesterday' is not a date"),
])
def test_bad_timestamps_are_located(tmp_path, text, words):
    path = write(tmp_path, "t.csv", text)
    with pytest.raises(PriceFileError, match=words):
        list(read_bars(path))


def test_high_and_low_liquidate_within_a_bar():
    # Short 1 ETH on 1,000 USDC at 3,000, mmf 3%: Q = 4,000, liquidated where 4,000 - 1.03 p < 0,
    # p_L = 3,883.50. A bar closing at 3,100 with a high of 3,900 crosses it: closed at p_L with
    # equity 0.03 x 3,883.50 = 116.50, less the 1.5% fee 58.25: perp P&L 58.25 - 1,000 = -941.75.
    from hedgec.simulation.replay import Bar

    config = SimConfig(pool=PoolSpec("v2", 6000.0, 3000.0),
                       perps=(PerpSpec("short", 1.0, 1000.0, mmf=0.03, liquidation_fee=0.015),),
                       horizon_days=2.0, steps=2)
    bars = [Bar(0.0, "d0", 3000.0, 3000.0, 3000.0), Bar(86400.0, "d1", 3100.0, 3900.0, 2950.0),
            Bar(172800.0, "d2", 3000.0, 3050.0, 2990.0)]
    result = replay(config, bars)
    p_liq = 4000.0 / 1.03
    assert result.liquidation_step == 1 and result.liquidation_at == "d1" and result.high_low
    assert result.perp_pnl == pytest.approx(0.015 * p_liq - 1000.0)
    closes_only = replay(config, [Bar(b.time, b.label, b.close) for b in bars])
    assert not closes_only.liquidated


def test_absolute_prices_open_at_the_first_price():
    # v2 and a perp keeping its notional are scale-free: the same P&L either way; a v3 range is not.
    bars = bars_from_prices([4000.0, 3600.0, 3200.0])
    scaled, absolute = replay(v2_hedge(), bars), replay(v2_hedge(), bars, absolute=True)
    assert scaled.scale == 0.75 and absolute.scale == 1.0 and absolute.entry_price == 3000.0
    assert absolute.hedged_pnl == pytest.approx(scaled.hedged_pnl, rel=1e-9)
    v3 = SimConfig(pool=PoolSpec("v3", 20_000.0, 3000.0, 2400.0, 3500.0, fee_apr=0.3), horizon_days=2.0, steps=2)
    high = bars_from_prices([4000.0, 3800.0, 3600.0])
    assert replay(v3, high, absolute=True).fees == 0.0  # 4,000 .. 3,600 is above the range: no fees
    assert replay(v3, high).fees > 0.0  # scaled to 3,000 .. 2,700: in range
    assert "Prices scaled by 0.75 so the first, 4,000.00, is the entry price 3,000.00" in report.format_replay(scaled)


def replay_peak(tmp_path, rows):
    path = minute_file(tmp_path, rows, price=lambda i: 3000.0 + (i % 50), name=f"m{rows}.csv")
    tracemalloc.start()
    try:
        replay(v2_hedge(), read_bars(path))
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_replay_memory_is_flat_in_the_number_of_rows(tmp_path):
    small, large = replay_peak(tmp_path, 1000), replay_peak(tmp_path, 15_000)
    assert large < small * 1.25 + 50_000, (small, large)


@pytest.mark.parametrize("data, words", [
    (b"timestamp,price\n1,3000\n\xff\xfe,1\n", "not UTF-8 text"),
    (b"timestamp,price\n1,3000\n2,\x00\x00\n", "is not a number"),
    (b"timestamp,price\n1," + b"9" * 200_000 + b"\n", "not a CSV price file"),
])
def test_unreadable_files_are_price_file_errors(tmp_path, data, words):
    path = tmp_path / "bin.csv"
    path.write_bytes(data)
    with pytest.raises(PriceFileError, match=words):
        list(read_bars(path))


def test_plot_series_of_a_long_replay_is_thinned_and_ends_on_the_last_row(tmp_path):
    from hedgec.simulation.replay import PLOT_POINTS

    path = minute_file(tmp_path, 9002, price=lambda i: 3000.0 + (i % 97))
    result = replay(v2_hedge(), read_bars(path), keep_plot=True)
    plot = result.plot
    assert PLOT_POINTS <= len(plot.days) < 2 * PLOT_POINTS + 1
    assert plot.days[0] == 0.0 and plot.days[-1] == pytest.approx(result.span_days)
    assert plot.perp_pnl[-1] == result.perp_pnl and plot.pool_pnl[-1] == result.pool_pnl
    kept = [round(d * 1440) for d in plot.days]  # row numbers: every stride-th, then the last
    stride = kept[1]
    assert stride > 1 and 9001 % stride and kept == list(range(0, 9002, stride)) + [9001]
    report.plot_replay(result, tmp_path / "replay.svg")
    assert (tmp_path / "replay.svg").stat().st_size > 1000
