import json
import warnings
from pathlib import Path

import numpy as np
import pytest

from hedgec.simulation import PerpSpec, PoolSpec, SimConfig, simulate
from hedgec.simulation.replay import PriceFileError, load_prices, replay
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
    result = replay(v2_hedge(fees=False), prices[i:j + 1], dates[i:j + 1])
    ratio = prices[j] / prices[i]
    assert result.prices[0] == 3000.0 and result.prices[-1] == pytest.approx(3000.0 * ratio)
    assert result.pool_pnl[-1] == pytest.approx(20_000 * (np.sqrt(ratio) - 1))  # about -5,770
    assert result.perp_pnl[-1] == pytest.approx(20_000 / 6000 * 3000 * (1 - ratio))  # about +4,940
    assert result.hedged_pnl[-1] == pytest.approx(-20_000 * (np.sqrt(ratio) - 1) ** 2 / 2)
    assert abs(result.hedged_pnl[-1]) < 0.2 * abs(result.pool_pnl[-1])
    assert not result.liquidated
    with_costs = replay(v2_hedge(fees=True), prices[i:j + 1], dates[i:j + 1])
    assert with_costs.fees > 0 and with_costs.funding_paid < 0
    assert with_costs.hedged_pnl[-1] > result.hedged_pnl[-1]


def test_replay_liquidates_a_short_on_a_rally():
    prices = [3000.0, 3300.0, 3900.0, 4500.0, 4000.0]
    config = SimConfig(pool=PoolSpec("v2", 20_000.0, 3000.0),
                       perps=(PerpSpec("short", 3.3333, 2000.0, mmf=0.03, liquidation_fee=0.015),),
                       horizon_days=4.0, steps=4)
    result = replay(config, prices)
    assert result.liquidation_step == 2
    assert result.perp_pnl[-1] == result.perp_pnl[2] > -2000.0 - 1e-9


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
