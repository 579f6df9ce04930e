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


# ------------------------------------------------------- several assets
from hedgec.simulation.config import AssetSpec  # noqa: E402
from hedgec.simulation.replay import Bar, align  # noqa: E402

BTC = ETH.with_name("BTC-USD-daily.csv")


def wbtc_eth(fee_apr=0.0, funding=0.0, btc_collateral=10_000.0):
    """20,000 USDC in a WBTC/ETH v2 pool at 60,000 / 3,000 (1/6 WBTC and 10/3 ETH), a short per token."""
    def short(asset, size, collateral):
        return PerpSpec("short", size, collateral, mmf=0.03, liquidation_fee=0.015, funding_apr=funding,
                        name=f"{asset.lower()}_hedge", asset=asset, hedges="lp")

    return SimConfig(pools=(PoolSpec("v2", 20_000.0, 20.0, fee_apr=fee_apr, name="lp", asset="BTC", quote="ETH"),),
                     assets=(AssetSpec("BTC", 60_000.0, 0.55), AssetSpec("ETH", 3_000.0, 0.6)),
                     perps=(short("BTC", 1 / 6, btc_collateral), short("ETH", 10 / 3, 10_000.0)),
                     horizon_days=3.0, steps=3)


# market prices at half (BTC) and a third (ETH) of the strategy's: replayed at 60,000 / 3,000 and after
BTC_ROWS = [30_000.0, 33_000.0, 27_000.0, 31_500.0]
ETH_ROWS = [1_000.0, 900.0, 1_100.0, 1_200.0]


def v2_value(btc, eth):
    """A v2 pool's value in USDC: 2 sqrt(k pA pB), k = 1/6 x 10/3 WBTC x ETH."""
    return 2 * np.sqrt(1 / 6 * 10 / 3 * btc * eth)


def test_two_asset_replay_matches_hand_computed_figures():
    series = {"BTC": bars_from_prices(BTC_ROWS), "ETH": bars_from_prices(ETH_ROWS)}
    result = replay(wbtc_eth(fee_apr=0.0365, funding=0.0365), series, keep_steps=True)
    btc = [2 * p for p in BTC_ROWS]  # 60,000, 66,000, 54,000, 63,000
    eth = [3 * p for p in ETH_ROWS]  # 3,000, 2,700, 3,300, 3,600
    assert [(a.symbol, a.scale, a.market_first, a.market_last, a.entry_price) for a in result.assets] == [
        ("BTC", 2.0, 30_000.0, 31_500.0, 60_000.0), ("ETH", 3.0, 1_000.0, 1_200.0, 3_000.0)]
    assert (result.market_first, result.scale, result.entry_price) == (30_000.0, 2.0, 60_000.0)  # the first asset
    assert v2_value(btc[0], eth[0]) == pytest.approx(20_000.0)
    # fees: 3.65% a year for a day is 1e-4 of the pool's value after each step's prices
    fees = sum(v2_value(b, e) for b, e in zip(btc[1:], eth[1:])) * 1e-4  # 6.2249
    assert result.fees == pytest.approx(fees, rel=1e-12)
    assert result.pool_pnl == pytest.approx(v2_value(btc[-1], eth[-1]) - 20_000.0 + fees, rel=1e-12)  # 2,456.17
    # each short: -size x (p3 - p0), plus the funding it receives, size x p x 1e-4 a step
    funding = (sum(btc[1:]) / 6 + sum(eth[1:]) * 10 / 3) * 1e-4  # 3.05 + 3.20
    assert result.funding_paid == pytest.approx(-funding, rel=1e-12)
    assert result.perp_pnl == pytest.approx(-(btc[-1] - btc[0]) / 6 - (eth[-1] - eth[0]) * 10 / 3 + funding,
                                            rel=1e-12)  # -2,493.75
    assert result.hold_pnl == pytest.approx((btc[-1] - btc[0]) / 6 + (eth[-1] - eth[0]) * 10 / 3)  # 2,500
    steps = result.steps
    assert [a.symbol for a in steps.assets] == ["BTC", "ETH"]
    assert steps.assets[0].prices == tuple(btc) and steps.assets[1].prices == tuple(eth)
    assert steps.assets[1].market_prices == tuple(ETH_ROWS) and steps.market_prices == tuple(BTC_ROWS)
    assert steps.pool_pnl[1] == pytest.approx(v2_value(btc[1], eth[1]) - 20_000.0 + v2_value(btc[1], eth[1]) * 1e-4)
    assert not result.liquidated and result.rows == 4 and not result.uneven_steps


def test_two_asset_replay_equals_the_engine_fed_the_same_prices():
    from hedgec.simulation import simulate_prices

    config = wbtc_eth(fee_apr=0.12, funding=0.08)
    btc = [60_000.0, 64_000.0, 57_000.0, 61_000.0]
    eth = [3_000.0, 3_150.0, 2_600.0, 3_400.0]
    result = replay(config, {"ETH": bars_from_prices(eth), "BTC": bars_from_prices(btc)})
    engine = simulate_prices(config, np.array([[btc], [eth]]))
    assert result.pool_pnl == pytest.approx(engine.pool_pnl[0] + engine.fees[0], rel=1e-12)
    assert result.perp_pnl == pytest.approx(engine.perp_pnl[0], rel=1e-12)
    assert result.funding_paid == pytest.approx(engine.funding[0], rel=1e-12)
    assert result.net_pnl == pytest.approx(engine.net[0], abs=1e-8)


def test_one_asset_replay_equals_the_engine_fed_the_same_prices():
    from hedgec.simulation import simulate_prices

    prices = [3_000.0, 3_300.0, 2_700.0, 2_950.0]
    result = replay(v2_hedge(), bars_from_prices(prices))
    engine = simulate_prices(dataclasses_replace(v2_hedge(), horizon_days=3.0, steps=3), np.array([prices]))
    assert result.pool_pnl == pytest.approx(engine.pool_pnl[0] + engine.fees[0], rel=1e-12)
    assert result.perp_pnl == pytest.approx(engine.perp_pnl[0], rel=1e-12)


def dataclasses_replace(config, **changes):
    import dataclasses

    return dataclasses.replace(config, **changes)


def test_series_are_aligned_on_their_common_times():
    day = 86400.0
    btc = [Bar(d * day, f"d{d}", p, line=d + 2) for d, p in enumerate([60_000.0, 61_000.0, 59_000.0, 62_000.0])]
    eth = [Bar(-day, "d-1", 2_900.0, line=2)] + \
        [Bar(d * day, f"d{d}", p, line=d + 3) for d, p in ((0, 3_000.0), (1, 3_100.0), (3, 3_200.0), (4, 3_300.0))]
    rows = list(align([btc, eth]))
    assert [tuple(bar.label for bar in row) for row in rows] == [("d0", "d0"), ("d1", "d1"), ("d3", "d3")]
    result = replay(wbtc_eth(), {"BTC": btc, "ETH": eth})
    # BTC's d2 is left out (counted); ETH's d-1 is before the first common time, d4 after the last: not counted
    assert [a.unaligned_rows for a in result.assets] == [1, 0]
    assert result.rows == 3 and result.uneven_steps and result.span_days == 3.0
    assert (result.first, result.last) == ("d0", "d3")
    assert result.hold_pnl == pytest.approx(2_000 / 6 + 200 * 10 / 3)
    # the span counts from the first common time: two days keep d0 and d1 only
    assert [row[0].label for row in align([btc, eth], span=2 * day)] == ["d0", "d1"]


def test_too_few_common_times_and_missing_series_are_refused_in_words():
    from hedgec.simulation.engine import SimulationError

    btc = bars_from_prices([60_000.0, 61_000.0])
    late = [Bar(b.time + 86400.0, b.label, 3_000.0) for b in bars_from_prices([1.0, 1.0])]
    with pytest.raises(SimulationError, match="have 1 time in common in the window; a replay needs at least two"):
        replay(wbtc_eth(), {"BTC": btc, "ETH": late})
    with pytest.raises(SimulationError, match="one price series cannot replay it"):
        replay(wbtc_eth(), btc)
    with pytest.raises(SimulationError, match="no series for ETH.*assets are BTC, ETH"):
        replay(wbtc_eth(), {"BTC": btc})


def test_absolute_prices_open_every_asset_at_its_first_price():
    series = {"BTC": bars_from_prices(BTC_ROWS), "ETH": bars_from_prices(ETH_ROWS)}
    scaled = replay(wbtc_eth(funding=0.08), series)
    absolute = replay(wbtc_eth(funding=0.08), series, absolute=True, keep_steps=True)
    assert [(a.scale, a.entry_price) for a in absolute.assets] == [(1.0, 60_000.0), (1.0, 3_000.0)]
    assert absolute.steps.assets[0].prices == tuple(BTC_ROWS)
    # opened at 30,000 / 1,000: the same deposit (1/3 WBTC and 10 ETH), shorts keeping their notional
    assert absolute.hold_pnl == pytest.approx(1_500 / 3 + 200 * 10)
    assert absolute.perp_pnl == pytest.approx(-1_500 / 3 - 200 * 10 + 0.08 / 365 * (
        sum(BTC_ROWS[1:]) / 3 + sum(ETH_ROWS[1:]) * 10), rel=1e-12)
    # v2 and notional-keeping shorts are scale-free: the same P&L as scaled
    for name in ("pool_pnl", "perp_pnl", "hold_pnl"):
        assert getattr(absolute, name) == pytest.approx(getattr(scaled, name), rel=1e-12)


def test_each_short_is_tested_within_the_bar_at_its_own_asset():
    # BTC short 1/6 on 1,000 USDC at 60,000, mmf 3%: Q = 11,000, liquidated above 11,000 x 6 / 1.03 = 64,077.67.
    # A BTC bar closing at 61,000 with a high of 65,000 crosses it: equity 0.03 x p_L / 6 = 320.39, less the
    # 1.5% fee, 160.19. ETH has no high / low: its short is tested at its close.
    config = wbtc_eth(btc_collateral=1_000.0)
    btc = [Bar(0.0, "d0", 60_000.0, 60_500.0, 59_500.0), Bar(86400.0, "d1", 61_000.0, 65_000.0, 60_000.0),
           Bar(172800.0, "d2", 60_000.0, 61_000.0, 59_000.0)]
    eth = bars_from_prices([3_000.0, 3_100.0, 2_900.0])
    result = replay(config, {"BTC": btc, "ETH": eth})
    p_liq = 11_000 * 6 / 1.03
    assert result.high_low and result.liquidation_step == 1 and result.liquidation_at == "d1"
    assert result.perp_pnl == pytest.approx(0.015 * p_liq / 6 - 1_000 - 10 / 3 * (2_900 - 3_000))
    closes_only = replay(config, {"BTC": [Bar(b.time, b.label, b.close) for b in btc], "ETH": eth})
    assert not closes_only.liquidated


def test_two_asset_report_names_each_asset():
    series = {"BTC": bars_from_prices(BTC_ROWS), "ETH": bars_from_prices(ETH_ROWS)}
    text = report.format_replay(replay(wbtc_eth(), series))
    assert "  BTC by 2: 30,000.00 is 60,000.00\n  ETH by 3: 1,000.00 is 3,000.00\n" in text
    assert "BTC market price, first / last    30,000.00 / 31,500.00\n" in text
    assert "ETH price change                           +20.00%\n" in text and "Market price" not in text
    doc = json.loads(json.dumps(report.replay_to_dict(replay(wbtc_eth(), series, absolute=True))))
    assert [a["symbol"] for a in doc["assets"]] == ["BTC", "ETH"] and doc["assets"][1]["market_last"] == 1_200.0
    assert "(entry price in the strategy):\n  BTC 30,000.00 (60,000.00)\n" in \
        report.format_replay(replay(wbtc_eth(), series, absolute=True))


def test_two_asset_plot_draws_each_asset(tmp_path):
    pytest.importorskip("matplotlib")
    series = {"BTC": bars_from_prices(BTC_ROWS), "ETH": bars_from_prices(ETH_ROWS)}
    result = replay(wbtc_eth(), series, keep_plot=True)
    assert [a.symbol for a in result.plot.assets] == ["BTC", "ETH"]
    report.plot_replay(result, tmp_path / "two.svg")
    svg = (tmp_path / "two.svg").read_text()
    assert all(f"<!-- {text} -->" in svg for text in ("Market price / first", "BTC", "ETH"))  # labels as comments


def test_the_two_asset_replay_holds_flat_memory(tmp_path):
    def peak(rows):
        files = {s: minute_file(tmp_path, rows, price=lambda i, p=p: p + (i % 50), name=f"{s}{rows}.csv")
                 for s, p in (("BTC", 60_000.0), ("ETH", 3_000.0))}
        tracemalloc.start()
        try:
            replay(wbtc_eth(), {s: read_bars(f) for s, f in files.items()})
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    small, large = peak(1000), peak(15_000)
    assert large < small * 1.25 + 50_000, (small, large)
