"""`hedgec simulate`: report, JSON, plot, replay of real prices, bad input."""
import json

import pytest

from hedgec.cli.main import main
from hedgec.targets.plan import PlanOptions, build_plan
from hedgec.simulation import payoff_grid
from hedgec.simulation.from_plan import config_from_plan

from conftest import ROOT, SPECS
from targets_support import TWO_POOLS, compile_path, compile_text

V2 = str(SPECS / "eth-usdc-v2-neutral.hedge")
ETH = ROOT.parent / "shared" / "data" / "ETH-USD-daily.csv"


def test_plan_becomes_the_engine_config():
    plan = build_plan(compile_path(SPECS / "eth-usdc-v2-neutral.hedge"), PlanOptions(seed=7, paths=2000))
    config = config_from_plan(plan)
    assert (config.pool.kind, config.pool.value, config.pool.entry_price) == ("v2", 20000, 3000)
    (perp,) = config.perps
    # 20,000 USDC at 3,000: 10,000 / 3,000 = 3.3333 ETH, 1x on 10,000 USDC
    assert perp.side == "short" and perp.size == pytest.approx(10000 / 3000) and perp.mmf == 0.03
    assert perp.funding_apr == pytest.approx(0.08)
    assert {c.venue for c in config.covers} == {"dydx", "uniswap_v2"}
    assert (config.horizon_days, config.steps, config.paths, config.seed) == (90, 90, 2000, 7)
    assert config.vol == 0.6


def test_grid_of_the_v2_example_matches_the_static_hedge_formula():
    plan = build_plan(compile_path(SPECS / "eth-usdc-v2-neutral.hedge"))
    config = config_from_plan(plan)
    grid = payoff_grid(config, ratios=[0.5, 1.5])
    # hedged = -(sqrt(r)-1)^2/2 of the deposit (pool + short sized at entry), plus, along a steady
    # (geometric) move to r, fees on the pool's value V0 sqrt(r^t) and funding on the short's notional
    # N0 r^t, averaged over t in [0, 1]: mean of x^t is (x - 1) / ln x.
    # fees 15% x 90/365 = 3.6986% of V0; funding 8% x 10,000 x 90/365 / 20,000 = 0.9863% of V0
    # (the short receives); taker fee 0.05% x 10,000 to open = 0.025% of V0.
    # r = 0.5: -4.2893% + 3.6986% x 0.84530 + 0.9863% x 0.72135 - 0.025% = -0.4763%
    # r = 1.5: -2.5255% + 3.6986% x 1.10858 + 0.9863% x 1.23315 - 0.025% = +2.7659%
    # (not r = 2: 6,000 is above the short's liquidation price, 5,825)
    assert grid.hedged[0] == pytest.approx(-0.004763, abs=2e-5)
    assert grid.hedged[1] == pytest.approx(0.027659, abs=2e-5)


def test_two_pools_on_two_assets_are_simulated_leg_by_leg(capsys):
    plan = build_plan(compile_text(TWO_POOLS), PlanOptions(paths=2048, seed=3))
    config = config_from_plan(plan)
    assert [p.name for p in config.pools] == ["eth_lp", "btc_lp"] and config.symbols == ("BTC", "ETH")
    assert [(p.name, p.asset, p.hedges) for p in config.perps][0] == ("eth_short", "ETH", "eth_lp")
    # each pool valued at its own asset: BTC x 1.5 moves btc_lp only (ETH held at entry)
    from hedgec.simulation.grid import payoff_at
    at = payoff_at(config, [[1.5], [1.0]])
    assert at["hold"][0] == pytest.approx(20_000 * 0.5)  # btc_lp holds half its 40,000 in WBTC
    from hedgec.simulation import simulate
    result = simulate(config, workers=1)
    assert [leg.name for leg in result.legs][:2] == ["eth_lp", "btc_lp"] and len(result.assets) == 2
    assert sum(leg.mean_pnl for leg in result.legs) == pytest.approx(result.mean_pool_pnl + result.mean_fees_earned
                                                                      + result.mean_perp_pnl, rel=1e-9)


def test_report_and_plot(tmp_path, capsys):
    png = tmp_path / "out.png"
    assert main(["simulate", V2, "--paths", "2000", "--seed", "1", "--plot", str(png), "--workers", "1"]) == 0
    out = capsys.readouterr().out
    assert "Payoff at the horizon" in out and "Probability of liquidation" in out
    assert "Hedge effectiveness" in out
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20_000
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary left behind


def test_json_is_deterministic(capsys):
    args = ["simulate", V2, "--paths", "1500", "--seed", "3", "--format", "json"]
    assert main(args) == 0
    first = capsys.readouterr().out
    assert main(args + ["--workers", "1"]) == 0
    assert capsys.readouterr().out == first
    doc = json.loads(first)
    assert doc["monte_carlo"]["paths"] == 1500 and doc["strategy"]["name"] == "eth_usdc_v2_neutral"
    assert len(doc["grid"]["ratios"]) == 57


def test_rejected_strategy_is_not_simulated(capsys):
    assert main(["simulate", str(SPECS / "btc-overlevered.hedge")]) == 1
    assert "error[H301]" in capsys.readouterr().err


def write_csv(path, rows):
    path.write_text("timestamp,price\n" + "".join(f"{t},{p}\n" for t, p in rows))
    return str(path)


def test_replay_of_a_crash(tmp_path, capsys):
    # ETH halves: the v2 pool loses 1 - sqrt(0.5) = 29.3% of its value, the 1:1 short gains
    # 3.3333 ETH x 1,500 = 5,000 USDC; the static hedge leaves -(sqrt(0.5)-1)^2/2 = -4.29%.
    csv = write_csv(tmp_path / "crash.csv", [(i, 3000 - 1500 * i / 10) for i in range(11)])
    assert main(["simulate", V2, "--prices", csv, "--format", "json"]) == 0
    replay = json.loads(capsys.readouterr().out)["replay"]
    assert replay["perp_pnl"] == pytest.approx(5000, rel=0.02)
    assert replay["hedged_pnl"] / 20000 == pytest.approx(-0.0429, abs=0.005)
    assert replay["hold_pnl"] == pytest.approx(-5000)
    assert replay["liquidation_step"] is None
    assert replay["steps"] is None  # per-step series only with --per-step
    assert main(["simulate", V2, "--prices", csv, "--format", "json", "--per-step"]) == 0
    steps = json.loads(capsys.readouterr().out)["replay"]["steps"]
    assert len(steps["perp_pnl"]) == 11 and steps["perp_pnl"][-1] == pytest.approx(replay["perp_pnl"])
    assert steps["prices"][:2] == [3000.0, 2850.0]


@pytest.mark.skipif(not ETH.exists(), reason="shared price data not present")
def test_replay_of_real_eth_prices(tmp_path, capsys):
    # 2021-05-11 .. 2021-05-23: ETH's close fell from about 4,169 to about 2,110.
    lines = ETH.read_text().splitlines()
    rows = [lines[0]] + [l for l in lines[1:] if "2021-05-11" <= l[:10] <= "2021-05-23"]
    path = tmp_path / "may.csv"
    path.write_text("\n".join(rows) + "\n")
    assert main(["simulate", V2, "--prices", str(path)]) == 0
    out = capsys.readouterr().out
    assert "from 2021-05-11 to 2021-05-23" in out and "4,168.70 / 2,109.58" in out


def test_bad_price_file_names_file_and_line(tmp_path, capsys):
    csv = tmp_path / "bad.csv"
    csv.write_text("timestamp,price\n1,3000\n2,null\n3,2900\n")
    assert main(["simulate", V2, "--prices", str(csv)]) == 2
    err = capsys.readouterr().err
    assert f"{csv}:3: no price" in err and "--skip-missing" in err and "Traceback" not in err
    assert main(["simulate", V2, "--prices", str(csv), "--skip-missing"]) == 0
    assert "skipped 1 rows without a price (lines 3)" in capsys.readouterr().err
    assert main(["simulate", V2, "--prices", str(tmp_path / "missing.csv")]) == 2


def test_plot_needs_png_or_svg(capsys):
    assert main(["simulate", V2, "--plot", "out.pdf"]) == 2


POOL_ONLY = """strategy p {
  horizon = HORIZON
  base    = USDC
  assume {
    price.ETH = 3000 USDC
    vol.ETH   = 60%
    DRIFT
  }
  wallet main {
    custody = self
    chain   = ethereum
    gas     = 0.25 ETH
  }
  pool lp {
    venue   = uniswap_v2
    pair    = ETH/USDC
    deposit = 20000 USDC
    from    = main
  }
}
"""


def pool_only(tmp_path, horizon="90d", drift=""):
    path = tmp_path / "p.hedge"
    path.write_text(POOL_ONLY.replace("HORIZON", horizon).replace("DRIFT", drift))
    return str(path)


def one_error_line(capsys, *words):
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("hedgec: error: "), err
    for word in words:
        assert word in err, err
    return err


def test_a_huge_horizon_takes_longer_steps_and_says_so(tmp_path, capsys):
    from hedgec.simulation.engine import MAX_STEPS
    from hedgec.targets.plan import MAX_STEPS as PLAN_MAX_STEPS

    assert PLAN_MAX_STEPS == MAX_STEPS
    # 36,500 days (the longest horizon `check` accepts) in 3,650 steps of 10 days, not 36,500 daily steps
    assert main(["simulate", pool_only(tmp_path, "36500d"), "--paths", "50", "--workers", "1"]) == 0
    assert "50 paths x 3,650 steps of 10 days over 36500 days" in capsys.readouterr().out


def test_prices_that_would_overflow_are_refused_in_one_line(tmp_path, capsys):
    # the largest drift and horizon `check` accepts: (10 - 0.18) x 100 years = 982 of log-price drift
    assert main(["simulate", pool_only(tmp_path, "36500d", "drift.ETH = 1000% apr"), "--paths", "50"]) == 2
    one_error_line(capsys, "cannot simulate", "drift 1000%", "log-price drift 982", "beyond floating-point range")


@pytest.mark.parametrize("horizon, drift, words", [
    ("90d", "drift.ETH = 1e6% apr", ("must be at most 1000% apr",)),
    ("1e12d", "", ("must be at most 36500d",)),
])
def test_values_outside_their_domain_stop_at_check(tmp_path, capsys, horizon, drift, words):
    assert main(["simulate", pool_only(tmp_path, horizon, drift), "--paths", "50"]) == 1
    err = capsys.readouterr().err
    assert "error[H104]" in err and all(w in err for w in words), err


@pytest.mark.parametrize("args, words", [
    (["--workers", "-3"], ("--workers must be between 1 and 256, not -3",)),
    (["--workers", "0"], ("--workers must be between 1",)),
    (["--paths", "1000000000"], ("--paths must be at most 10,000,000",)),
    (["--paths", "0"], ("--paths must be at least 1",)),
])
def test_bad_command_line_values_exit_2_with_one_line(capsys, args, words):
    assert main(["simulate", V2] + args) == 2
    one_error_line(capsys, *words)


def test_engine_bounds_hold_for_direct_callers():
    from hedgec.simulation import simulate
    from hedgec.simulation.engine import MAX_PATHS, MAX_STEPS, SimulationError
    from simulation_configs import bare_v2

    for config in (bare_v2(paths=MAX_PATHS + 1), bare_v2(steps=MAX_STEPS + 1), bare_v2(drift=1e4)):
        with pytest.raises(SimulationError):
            simulate(config)


@pytest.mark.parametrize("change, words", [
    (lambda plan: plan["strategy"].update(horizon_days=0.0), "the horizon is 0 days"),
    (lambda plan: plan["perps"][0].update(rebalance_threshold=0.0), "perp `hedge` has rebalance = 0%"),
])
def test_unsimulable_plans_get_a_clean_message(change, words):
    from hedgec.cli.main import UsageError
    from hedgec.cli.simulate import simulation_config

    plan = build_plan(compile_path(SPECS / "eth-usdc-v2-neutral.hedge"))
    change(plan)
    with pytest.raises(UsageError, match="cannot simulate: " + words.replace("`", ".")):
        simulation_config(plan, "x.hedge")


def test_zero_rebalance_from_a_strategy_exits_2(tmp_path, capsys):
    text = (SPECS / "eth-usdc-v2-neutral.hedge").read_text().replace(
        "leverage   = 1x", "leverage   = 1x\n    rebalance  = 0%")
    path = tmp_path / "r.hedge"
    path.write_text(text)
    code = main(["simulate", str(path), "--paths", "50"])
    err = capsys.readouterr().err
    if code == 1:  # `check` refuses it: fine too, as long as it is a diagnostic
        assert "rebalance" in err and "internal error" not in err
    else:
        assert code == 2 and "rebalance = 0%" in err and "internal error" not in err


def test_control_characters_in_the_title_do_not_reach_the_terminal(tmp_path, capsys):
    text = (SPECS / "eth-usdc-v2-neutral.hedge").read_text().replace(
        'title   = "ETH/USDC', 'title   = "\x1b[2J\x1b]0;pwned\x07\x9b\u202eETH/USDC')
    path = tmp_path / "esc.hedge"
    path.write_text(text)
    assert main(["simulate", str(path), "--paths", "50", "--workers", "1"]) == 0
    out = capsys.readouterr().out
    title = out.splitlines()[0]
    assert not any(ch in out for ch in "\x1b\x07\x9b\u202e")
    assert title == r"eth_usdc_v2_neutral: \x1b[2J\x1b]0;pwned\x07\x9b\u202eETH/USDC v2 LP, delta-neutral on dYdX," \
        " covered by Nexus Mutual"


def test_terminal_safe_keeps_printable_text():
    from hedgec.simulation.report import terminal_safe

    assert terminal_safe("ETH/USDC — 3,000 € ü 漢") == "ETH/USDC — 3,000 € ü 漢"
    assert terminal_safe("a\nb\tc\x7f\x9b") == "a\\x0ab\tc\\x7f\\x9b"  # a tab is harmless


def test_plots_are_byte_identical_across_runs_and_hash_seeds(tmp_path):
    """A plot drawn here and one drawn by another process with another hash seed."""
    import os
    import subprocess
    import sys

    def draw(folder) -> list[list[str]]:
        return [["simulate", V2, "--paths", "300", "--workers", "1", "--plot", str(folder / name)]
                for name in ("plot.svg", "plot.png")]

    here, there = tmp_path / "here", tmp_path / "there"
    here.mkdir(), there.mkdir()
    for argv in draw(here):
        assert main(argv) == 0
    seed = "1" if os.environ.get("PYTHONHASHSEED") != "1" else "2"
    subprocess.run([sys.executable, "-c", f"from hedgec.cli.main import main; [main(a) for a in {draw(there)!r}]"],
                   check=True, capture_output=True, env=dict(os.environ, PYTHONHASHSEED=seed))
    runs = [{name: (folder / name).read_bytes() for name in ("plot.svg", "plot.png")} for folder in (here, there)]
    assert runs[0] == runs[1]
    assert b"<dc:date>" not in runs[0]["plot.svg"] and runs[0]["plot.png"][:4] == b"\x89PNG"


@pytest.mark.skipif(not ETH.exists(), reason="shared price data not present")
def test_replay_window_horizon_and_scaling_are_stated(capsys):
    assert main(["simulate", V2, "--prices", str(ETH), "--from", "2021-05-11", "--to", "2021-05-23"]) == 0
    out = capsys.readouterr().out
    assert "Replay: 12 daily steps from 2021-05-11 to 2021-05-23" in out
    assert "Spans 12 days, shorter than the strategy's 90-day horizon." in out
    assert "Prices scaled by 0.71964" in out and "so the first, 4,168.70, is the entry price 3,000.00" in out
    # without --to the replay stops at the horizon: 90 days after 2021-05-11 is 2021-08-09
    assert main(["simulate", V2, "--prices", str(ETH), "--from", "2021-05-11"]) == 0
    out = capsys.readouterr().out
    assert "90 daily steps from 2021-05-11 to 2021-08-09" in out and "Spans the strategy's 90-day horizon" in out


@pytest.mark.skipif(not ETH.exists(), reason="shared price data not present")
def test_a_series_far_from_the_entry_price_is_warned(capsys):
    btc = ETH.with_name("BTC-USD-daily.csv")
    assert main(["simulate", V2, "--prices", str(btc), "--from", "2021-05-11", "--to", "2021-05-20"]) == 0
    err = capsys.readouterr().err
    assert "warning" in err and "is it the price of ETH?" in err
    assert main(["simulate", V2, "--prices", str(ETH), "--from", "2021-05-11", "--to", "2021-05-20"]) == 0
    assert "warning" not in capsys.readouterr().err  # 4,168.70 is within 2x of 3,000


@pytest.mark.parametrize("args, words", [
    (["--from", "2021-05-11"], "--from applies to a replay"),
    (["--per-step"], "--per-step applies to a replay"),
    (["--prices", "x.csv", "--per-step"], "--per-step adds per-step series to the JSON"),
    (["--prices", "x.csv", "--workers", "2"], "--workers applies to the Monte Carlo"),
    (["--prices", "x.csv", "--from", "soon"], "--from takes a date"),
    (["--prices", "x.csv", "--from", "2021-05-11", "--to", "2021-05-01"], "is not before --to"),
])
def test_replay_flags_are_checked(capsys, args, words):
    assert main(["simulate", V2] + args) == 2
    one_error_line(capsys, words)


def test_the_text_table_shows_each_curve_at_its_own_ratio(capsys):
    """The rows kept for a terminal keep every curve, options included, at the same ratio."""
    straddle = str(SPECS / "eth-usdc-v2-straddle.hedge")
    assert main(["simulate", straddle, "--paths", "50", "--workers", "1", "--format", "json"]) == 0
    grid = json.loads(capsys.readouterr().out)["grid"]
    at_two = grid["with_options"][grid["ratios"].index(2.0)]
    assert main(["simulate", straddle, "--paths", "50", "--workers", "1"]) == 0
    row = next(line for line in capsys.readouterr().out.splitlines() if line.strip().startswith("2.00 "))
    assert f"{100 * at_two:.2f}%" in row.split()[5]


# ------------------------------------------------------- a replay on two assets
TWO = str(SPECS / "btc-eth-v2-two-shorts.hedge")
BTC = ETH.with_name("BTC-USD-daily.csv")


def two_files(tmp_path, btc_rows, eth_rows):
    days = [f"2024-01-{d:02d}" for d in range(1, 32)]
    return (write_csv(tmp_path / "btc.csv", [(days[i], p) for i, p in btc_rows]),
            write_csv(tmp_path / "eth.csv", [(days[i], p) for i, p in eth_rows]))


def test_two_assets_replay_with_a_series_each(tmp_path, capsys):
    # BTC 60,000 -> 66,000 (a = 1.1), ETH 3,000 -> 2,700 (b = 0.9): the pool's v2 value is
    # 20,000 sqrt(ab) = 19,899.75 before fees; holding 1/6 WBTC and 10/3 ETH makes 1,000 - 1,000 = 0.
    btc, eth = two_files(tmp_path, [(0, 60_000), (1, 63_000), (2, 66_000)], [(0, 3_000), (1, 2_850), (2, 2_700)])
    assert main(["simulate", TWO, "--prices", f"WBTC={btc}", "--prices", f"eth={eth}", "--format", "json",
                 "--per-step"]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    replay = json.loads(captured.out)["replay"]
    assert [(a["symbol"], a["scale"], a["market_last"]) for a in replay["assets"]] == [
        ("BTC", 1.0, 66_000.0), ("ETH", 1.0, 2_700.0)]
    assert replay["hold_pnl"] == pytest.approx(0.0, abs=1e-9)
    assert replay["pool_pnl"] - replay["fees"] == pytest.approx(20_000 * ((1.1 * 0.9) ** 0.5 - 1))  # -100.25
    steps = replay["steps"]
    assert [a["prices"] for a in steps["assets"]] == [[60_000, 63_000, 66_000], [3_000, 2_850, 2_700]]
    assert main(["simulate", TWO, "--prices", f"BTC={btc}", "--prices", f"ETH={eth}"]) == 0
    out = capsys.readouterr().out
    assert "BTC market price, first / last    60,000.00 / 66,000.00" in out and "ETH price change" in out


def test_rows_at_times_another_series_lacks_are_skipped_and_warned(tmp_path, capsys):
    btc, eth = two_files(tmp_path, [(0, 60_000), (1, 61_000), (2, 62_000), (3, 63_000)],
                         [(0, 3_000), (2, 3_100), (3, 3_200)])
    assert main(["simulate", TWO, "--prices", f"BTC={btc}", "--prices", f"ETH={eth}", "--format", "json"]) == 0
    captured = capsys.readouterr()
    assert f"hedgec: warning: {btc}: skipped 1 rows at times another series lacks" in captured.err
    replay = json.loads(captured.out)["replay"]
    assert replay["rows"] == 3 and replay["uneven_steps"] and [a["unaligned_rows"] for a in replay["assets"]] == [1, 0]


def test_window_and_missing_rows_apply_to_every_series(tmp_path, capsys):
    btc, eth = two_files(tmp_path, [(d, 60_000 + 100 * d) for d in range(10)],
                         [(d, "null" if d == 4 else 3_000 + 10 * d) for d in range(10)])
    args = ["simulate", TWO, "--prices", f"BTC={btc}", "--prices", f"ETH={eth}", "--from", "2024-01-03",
            "--to", "2024-01-07", "--format", "json"]
    assert main(args) == 2
    assert f"{eth}:6: no price ('null')" in capsys.readouterr().err
    assert main(args + ["--skip-missing"]) == 0
    captured = capsys.readouterr()
    assert "skipped 1 rows without a price (lines 6)" in captured.err
    assert "skipped 1 rows at times another series lacks" in captured.err  # BTC's 2024-01-05
    replay = json.loads(captured.out)["replay"]
    assert (replay["first"], replay["last"], replay["rows"]) == ("2024-01-03", "2024-01-07", 4)
    assert [a["market_first"] for a in replay["assets"]] == [60_200.0, 3_020.0]


@pytest.mark.parametrize("prices, words", [
    (["{btc}"], "holds BTC and ETH: one price series cannot replay it; name each series:"
                " --prices BTC=CSV --prices ETH=CSV"),
    (["BTC={btc}"], "--prices gives no series for ETH: add --prices ETH=CSV"),
    (["BTC={btc}", "SOL={eth}"], "holds no SOL; its assets are BTC and ETH: --prices BTC=CSV --prices ETH=CSV"),
    (["BTC={btc}", "WBTC={btc}", "ETH={eth}"], "--prices gives BTC twice"),
    (["BTC=", "ETH={eth}"], "--prices BTC= names no file: --prices BTC=CSV"),
    ([""], "--prices takes a CSV file (or SYMBOL=CSV for a strategy on several assets), not ''"),
])
def test_two_asset_price_arguments_are_checked(tmp_path, capsys, prices, words):
    btc, eth = two_files(tmp_path, [(0, 60_000), (1, 61_000)], [(0, 3_000), (1, 3_100)])
    args = [arg for value in prices for arg in ("--prices", value.format(btc=btc, eth=eth))]
    assert main(["simulate", TWO] + args) == 2
    one_error_line(capsys, words)


def test_two_assets_without_two_common_rows_exit_2(tmp_path, capsys):
    btc, eth = two_files(tmp_path, [(0, 60_000), (1, 61_000)], [(1, 3_000), (2, 3_100)])
    assert main(["simulate", TWO, "--prices", f"BTC={btc}", "--prices", f"ETH={eth}"]) == 2
    one_error_line(capsys, "cannot simulate", "have 1 time in common in the window; a replay needs at least two")


def test_a_one_asset_strategy_takes_a_named_series_too(tmp_path, capsys):
    csv = write_csv(tmp_path / "eth.csv", [(i, 3000 - 100 * i) for i in range(5)])
    assert main(["simulate", V2, "--prices", csv]) == 0
    bare = capsys.readouterr().out
    assert main(["simulate", V2, "--prices", f"WETH={csv}"]) == 0
    assert capsys.readouterr().out == bare
    assert main(["simulate", V2, "--prices", f"BTC={csv}"]) == 2
    one_error_line(capsys, "holds no BTC; its assets are ETH: --prices ETH=CSV")
    assert main(["simulate", V2, "--prices", csv, "--prices", f"ETH={csv}"]) == 2
    one_error_line(capsys, "holds one asset, ETH: give --prices once")


@pytest.mark.skipif(not ETH.exists(), reason="shared price data not present")
def test_the_bundled_two_asset_example_replays_the_bundled_data(capsys):
    # no --from: from the first date both files have (ETH's first, 2015-08-07), for the 90-day horizon
    assert main(["simulate", TWO, "--prices", f"BTC={BTC}", "--prices", f"ETH={ETH}", "--format", "json"]) == 0
    captured = capsys.readouterr()
    replay = json.loads(captured.out)["replay"]
    assert (replay["first"], replay["last"], replay["rows"]) == ("2015-08-07", "2015-11-05", 91)
    (btc, eth) = replay["assets"]
    assert (btc["symbol"], btc["market_first"], eth["market_first"]) == ("BTC", 279.584991, 2.77212)
    a, b = btc["market_last"] / btc["market_first"], eth["market_last"] / eth["market_first"]
    # 10,000 USDC of each token held; the v2 pool at 20,000 sqrt(ab), fees on top
    assert replay["hold_pnl"] == pytest.approx(10_000 * (a - 1) + 10_000 * (b - 1))
    assert replay["pool_pnl"] - replay["fees"] == pytest.approx(20_000 * ((a * b) ** 0.5 - 1))
    assert "is it the price of BTC?" in captured.err and "is it the price of ETH?" in captured.err
    assert main(["simulate", TWO, "--prices", f"BTC={BTC}", "--prices", f"ETH={ETH}", "--from", "2021-05-01"]) == 0
    captured = capsys.readouterr()
    assert "Replay: 90 daily steps from 2021-05-01 to 2021-07-30" in captured.out
    assert "  BTC by 1.03756: 57,828.05 is 60,000.00" in captured.out and captured.err == ""


@pytest.mark.parametrize("name", ["eth-usdc-v2-straddle", "eth-usdc-v2-aave-borrow"])
def test_absolute_prices_open_loans_and_options_at_the_first_price(tmp_path, capsys, name):
    # v2, notional-keeping perps and loans, and options at the same moneyness and notional are
    # scale-free: a series at 2,000 replayed as it is gives the P&L of the same series scaled to 3,000
    csv = write_csv(tmp_path / "p.csv", [(i * 86400, 2000 + 60 * i - 3 * i * i) for i in range(30)])
    figures = []
    for extra in ([], ["--absolute-prices"]):
        assert main(["simulate", str(SPECS / f"{name}.hedge"), "--prices", csv, "--format", "json"] + extra) == 0
        replay = json.loads(capsys.readouterr().out)["replay"]
        figures.append([replay[k] for k in ("pool_pnl", "perp_pnl", "option_pnl", "hold_pnl", "net_pnl")])
    assert figures[0][2] != 0 or name.endswith("borrow")
    assert figures[1] == pytest.approx(figures[0], rel=1e-9, abs=1e-6)


def test_two_pools_replay_each_on_its_own_asset(tmp_path, capsys):
    # eth_lp 10,000 USDC at 2,000, btc_lp 40,000 USDC at 40,000 (v2): ETH x 1.21, BTC x 0.81 leave the
    # pools at 10,000 x 1.1 + 40,000 x 0.9 before fees, and holding half of each deposit in its token
    # makes 5,000 x 0.21 - 20,000 x 0.19 = -2,750
    path = tmp_path / "two.hedge"
    path.write_text(TWO_POOLS)
    btc, eth = two_files(tmp_path, [(0, 40_000), (1, 36_000), (2, 32_400)], [(0, 2_000), (1, 2_200), (2, 2_420)])
    assert main(["simulate", str(path), "--prices", f"ETH={eth}", "--prices", f"WBTC={btc}", "--format",
                 "json"]) == 0
    replay = json.loads(capsys.readouterr().out)["replay"]
    assert [a["symbol"] for a in replay["assets"]] == ["BTC", "ETH"]
    assert replay["hold_pnl"] == pytest.approx(-2_750.0)
    assert replay["pool_pnl"] - replay["fees"] == pytest.approx(10_000 * 0.1 - 40_000 * 0.1)
    assert replay["deposit"] == 50_000.0
