"""Portfolios: two-token pools, correlation, exposure netted per asset, and the
simulator over several pools and correlated assets, against hand-computed figures.

Reference: a 20,000 USDC WBTC/ETH v2 pool at BTC 60,000 / ETH 3,000 holds
10,000 / 60,000 = 0.16667 WBTC and 10,000 / 3,000 = 3.3333 ETH. Hedged with
shorts of those sizes and never rebalanced, its P&L at price ratios a (BTC), b
(ETH) is V0 sqrt(ab) - V0 - (V0/2)(a - 1) - (V0/2)(b - 1) = -(V0/2)(sqrt a - sqrt b)^2:
at a = 1.5, b = 1.2, -10,000 (1.224745 - 1.095445)^2 = -167.18. Its expectation
under martingale GBM prices is -V0 (1 - exp(-sigma_p^2 T / 8)),
sigma_p^2 = sigma_B^2 + sigma_E^2 - 2 rho sigma_B sigma_E.
"""
import json
import math

import numpy as np
import pytest

from hedgec.cli.main import main
from hedgec.compiler.kinds import KINDS
from hedgec.simulation import simulate
from hedgec.simulation.config import AssetSpec, PerpSpec, PoolSpec, SimConfig
from hedgec.simulation.engine import Model, block_streams, gbm_filler, run_batch
from hedgec.simulation.from_plan import config_from_plan
from hedgec.simulation.grid import payoff_at, payoff_grid
from hedgec.targets.plan import PlanOptions, build_plan

from rules_support import SPECS, check, codes, example, only, variant
from targets_support import compile_path

NAME = "btc-eth-v2-two-shorts"
EXAMPLE = str(SPECS / f"{NAME}.hedge")
V0 = 20_000.0


def add_short(text: str, name: str, before: str, collateral: str = "10000 USDC", extra: str = "") -> str:
    """`text` with one more ETH-USD short of the pool `lp`, written before block `before`."""
    perp = (f"  perp {name} {{\n    venue      = dydx\n    market     = ETH-USD\n    side       = short\n"
            f"    hedges     = lp\n{extra}    collateral = {collateral}\n    leverage   = 1x\n"
            f"    from       = main\n  }}\n\n")
    return text.replace(f"  cover {before} {{", perp + f"  cover {before} {{")


def static_pnl(a: float, b: float) -> float:
    return -(V0 / 2) * (math.sqrt(a) - math.sqrt(b)) ** 2


# ---- the language and the compiler ---------------------------------------------
def test_two_token_pool_holds_each_token_and_checks_clean_with_two_shorts():
    result = check(example(NAME))
    assert result.ok and codes(result) == ["H507", "H507", "H507"]  # no H205, H206, H207
    pool = result.figures["pools"]["lp"]
    assert pool["volatile_amount"] == pytest.approx(1 / 6, rel=1e-9)  # 0.16667 WBTC
    assert pool["quote_units"] == pytest.approx(10 / 3, rel=1e-9)  # 3.3333 ETH
    perps = result.figures["perps"]
    assert perps["btc_hedge"]["coverage"] == pytest.approx(1.0) and perps["eth_hedge"]["coverage"] == pytest.approx(1.0)
    exposure = result.figures["exposure"]
    assert exposure["BTC"] == {"long": pytest.approx(1 / 6), "short": pytest.approx(1 / 6),
                               "net": pytest.approx(0, abs=1e-9), "net_share": pytest.approx(0, abs=1e-9)}
    assert exposure["ETH"]["long"] == pytest.approx(10 / 3) and exposure["ETH"]["net"] == pytest.approx(0, abs=1e-9)


def test_check_json_carries_the_net_per_asset(capsys):
    assert main(["check", EXAMPLE, "--format", "json"]) == 0
    figures = json.loads(capsys.readouterr().out)["files"][0]["figures"]
    assert sorted(figures["exposure"]) == ["BTC", "ETH"]
    assert set(figures["exposure"]["ETH"]) == {"long", "short", "net", "net_share"}


def test_deposit_in_any_priced_asset():
    # 6.6667 ETH x 3,000 = 20,000 USDC: the same pool
    pool = check(variant(NAME, lp__deposit="6.666666666666667 ETH")).figures["pools"]["lp"]
    assert pool["deposit"] == pytest.approx(V0) and pool["volatile_amount"] == pytest.approx(1 / 6)


def test_compiler_valuation_gives_the_static_two_short_loss():
    c = compile_path(SPECS / f"{NAME}.hedge")
    figures, kinds = c.analysis.figures, c.analysis.kinds
    prices = {"BTC": 60_000.0 * 1.5, "ETH": 3_000.0 * 1.2}
    pnl = 0.0
    for name, f in figures.items():
        kind = KINDS[kinds[name]]
        if kind.value is None:
            continue
        entry = f.deposit if kinds[name] == "pool" else f.collateral
        pnl += kind.value(f, prices, 0.25) - entry
    assert pnl == pytest.approx(static_pnl(1.5, 1.2), abs=1e-6)
    assert pnl == pytest.approx(-167.18, abs=0.005)


def test_two_hundred_percent_hedge_is_an_error_naming_it():
    # a second short of the pool's whole ETH next to the first
    text = add_short(example(NAME), "eth_again", "btc_cover")
    result = check(text)
    assert not result.ok
    d = only(result, "H206")
    assert "200%" in d.message and "ETH" in d.message and d.data["share"] == pytest.approx(2.0)
    lines = text.split("\n")
    added = next(i for i, line in enumerate(lines) if "perp eth_again" in line)
    assert d.span.line == added + 5  # its `hedges = lp`, the short that tips it over


def test_two_hundred_percent_on_one_asset_pool():
    text = add_short(example(), "hedge2", "dydx_cover")
    result = check(text)
    d = only(result, "H206")
    assert "200%" in d.message and result.figures["exposure"]["ETH"]["net_share"] == pytest.approx(-1.0)
    assert not result.ok


def test_split_by_ratio_is_clean():
    text = add_short(variant(hedge__ratio="50%", hedge__collateral="5000 USDC", dydx_cover__amount="5000 USDC"),
                     "hedge2", "dydx_cover", "5000 USDC", "    ratio      = 50%\n")
    result = check(text)
    assert "H206" not in codes(result) and "H201" not in codes(result)
    assert result.figures["exposure"]["ETH"]["net"] == pytest.approx(0, abs=1e-9)


def test_wrong_asset_only_for_a_token_the_pool_does_not_hold():
    result = check(variant(NAME, eth_hedge__market="AVAX-USD", assume__price_dot_AVAX="35 USDC"))
    d = only(result, "H205")
    assert "WBTC and ETH" in d.message and "BTC-USD" in d.hint and "ETH-USD" in d.hint


def test_one_token_left_unhedged_warns():
    text = variant(NAME, drop=("eth_hedge", "eth_cover"))
    d = only(check(text), "H207")
    assert "3.333 ETH" in d.message


@pytest.mark.parametrize("written, value", [("0.8", 0.8), ("80%", 0.8), ("-0.25", -0.25), ("0", 0.0)])
def test_correlation_values(written, value):
    result = check(variant(NAME, assume__corr_dot_WBTC_dot_ETH=written))
    assert result.strategy.assume.correlations == {"BTC.ETH": value}


@pytest.mark.parametrize("key, written, code", [
    ("corr.WBTC.ETH", "1.5", "H104"), ("corr.WBTC.ETH", "120%", "H104"), ("corr.BTC.WBTC", "0.5", "H104"),
    ("corr.WBTC.ETH", "1", "H121"), ("corr.WBTC.ETH", "-100%", "H121")])
def test_bad_correlations_are_located_errors(key, written, code):
    text = example(NAME).replace("corr.WBTC.ETH   = 0.8", f"{key} = {written}")
    d = only(check(text), code)
    assert d.span.line == 17


def test_contradictory_correlations_name_every_key():
    text = example(NAME).replace("corr.WBTC.ETH   = 0.8", "corr.BTC.ETH = 0.9\n    corr.ETH.SOL = 0.9\n"
                                                         "    corr.BTC.SOL = -0.5")
    d = only(check(text), "H121")
    assert d.span.line == 19 and all(k in d.message for k in ("corr.BTC.ETH", "corr.ETH.SOL", "corr.BTC.SOL"))
    assert not check(text).ok


def test_a_pair_given_twice_in_either_order():
    text = example(NAME).replace("corr.WBTC.ETH   = 0.8", "corr.WBTC.ETH = 0.8\n    corr.ETH.BTC = 0.7")
    assert only(check(text), "H105").span.line == 18


def test_plan_states_the_correlation_and_the_independent_pairs():
    plan = build_plan(compile_path(SPECS / f"{NAME}.hedge"))
    corr = plan["scenarios"]["monte_carlo"]["correlation"]
    assert corr == {"assets": ["BTC", "ETH"], "matrix": [[1.0, 0.8], [0.8, 1.0]], "stated": {"BTC.ETH": 0.8},
                    "unstated": "independent"}
    pool = plan["pools"][0]
    assert pool["quote_price_symbol"] == "ETH" and pool["quote_units"] == pytest.approx(10 / 3)


# ---- the simulator --------------------------------------------------------------
def two_token_config(rho: float, paths: int = 4096, **overrides) -> SimConfig:
    """The reference pool and its two shorts: no fees, funding or liquidation."""
    base = dict(
        pools=(PoolSpec("v2", V0, 20.0, name="lp", asset="BTC", quote="ETH"),),
        perps=(PerpSpec("short", V0 / 2 / 60_000, 1e9, mmf=0.0, name="btc_hedge", asset="BTC"),
               PerpSpec("short", V0 / 2 / 3_000, 1e9, mmf=0.0, name="eth_hedge", asset="ETH")),
        assets=(AssetSpec("BTC", 60_000.0, 0.55), AssetSpec("ETH", 3_000.0, 0.60)),
        correlation=((1.0, rho), (rho, 1.0)), horizon_days=90.0, paths=paths, steps=30, seed=11)
    return SimConfig(**(base | overrides))


def test_grid_gives_the_static_loss_and_the_pair_curve():
    config = two_token_config(0.8)
    assert payoff_at(config, [[1.5], [1.2]])["hedged"][0] == pytest.approx(-167.18, abs=0.005)
    grid = payoff_grid(config, ratios=[0.5, 1.0, 1.5, 2.0])
    for i, r in enumerate(grid.ratios):  # every asset moved together: the token ratio holds, no loss
        assert grid.hedged[i] * V0 == pytest.approx(0.0, abs=1e-6)
    pair = grid.pairs[0]
    assert (pair.pool, pair.asset, pair.quote) == ("lp", "BTC", "ETH")
    for r, hedged in zip(pair.ratios, pair.hedged):  # BTC moved alone, ETH held at entry
        assert hedged * V0 == pytest.approx(static_pnl(r, 1.0), abs=1e-6)
    assert "held at entry" in grid.held_fixed


@pytest.mark.parametrize("rho", [0.8, -0.3])
def test_monte_carlo_mean_matches_the_closed_form(rho):
    years = 90 / 365
    var_p = 0.55 ** 2 + 0.60 ** 2 - 2 * rho * 0.55 * 0.60
    expected = -V0 * (1 - math.exp(-var_p * years / 8))  # -82.7 at 0.8, -563.1 at -0.3
    result = simulate(two_token_config(rho, paths=40_000), workers=1)
    mean = result.mean_return * V0
    error = result.std_return * V0 / math.sqrt(result.paths)
    assert abs(mean - expected) < 4 * error, (mean, expected, error)
    assert error < abs(expected) / 8  # tight enough that the two correlations are told apart


def test_draws_have_the_stated_correlation():
    config = two_token_config(0.8, steps=200)
    model = Model(config)
    seen = []
    gens = [block_streams(5, 0)[0]]
    run_batch(model, 1024, gbm_filler(model, gens, [(0, 1024)], 1024),
              on_step=lambda st, step: seen.append(np.log(st.prices.copy())))
    returns = np.diff(np.array(seen), axis=0)  # steps x assets x paths
    rho = np.corrcoef(returns[:, 0].ravel(), returns[:, 1].ravel())[0, 1]
    assert rho == pytest.approx(0.8, abs=0.01)
    assert returns[:, 0].std() == pytest.approx(0.55 * math.sqrt(config.dt), rel=0.02)


def test_same_seed_same_result_whatever_the_chunks_and_workers():
    config = two_token_config(0.8, paths=5000, steps=20)
    one = simulate(config, chunk_size=1024, workers=1)
    assert simulate(config, chunk_size=4096, workers=1) == one
    assert simulate(config, chunk_size=2048, workers=2) == one


def test_each_perp_liquidates_on_its_own_market():
    # the BTC short at 5x liquidates when BTC rises ~20%; the ETH short has collateral to spare
    config = two_token_config(0.0, paths=2048, perps=(
        PerpSpec("short", V0 / 2 / 60_000, 2_000.0, mmf=0.03, name="btc_hedge", asset="BTC"),
        PerpSpec("short", V0 / 2 / 3_000, 1e9, mmf=0.03, name="eth_hedge", asset="ETH")))
    legs = {leg.name: leg for leg in simulate(config, workers=1).legs}
    assert legs["btc_hedge"].prob_liquidation > 0.05 and legs["eth_hedge"].prob_liquidation == 0.0


def test_example_simulates_with_a_breakdown_per_leg_and_asset(capsys):
    assert main(["simulate", EXAMPLE, "--paths", "2048", "--workers", "1", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    mc = doc["monte_carlo"]
    assert [leg["name"] for leg in mc["legs"]] == ["lp", "btc_hedge", "eth_hedge"]
    assert [a["symbol"] for a in mc["assets"]] == ["BTC", "ETH"]
    assert doc["grid"]["pairs"][0]["pool"] == "lp"
    assert main(["simulate", EXAMPLE, "--paths", "2048", "--workers", "1"]) == 0
    text = capsys.readouterr().out
    assert "by leg" in text and "eth_hedge" in text and "BTC moved alone" in text


def test_replay_refuses_several_assets_in_words(tmp_path, capsys):
    csv = tmp_path / "p.csv"
    csv.write_text("timestamp,price\n2024-01-01,60000\n2024-01-02,61000\n")
    assert main(["simulate", EXAMPLE, "--prices", str(csv)]) == 2
    assert "one price series" in capsys.readouterr().err


def test_plan_round_trip_keeps_the_two_token_pool():
    config = config_from_plan(build_plan(compile_path(SPECS / f"{NAME}.hedge"), PlanOptions(paths=64)))
    pool = config.pools[0]
    assert (pool.asset, pool.quote, pool.entry_price) == ("BTC", "ETH", pytest.approx(20.0))
    assert config.correlation == ((1.0, 0.8), (0.8, 1.0))


def test_a_plain_short_next_to_a_full_hedge_over_hedges_the_asset():
    plain = ("  perp bet {\n    venue      = dydx\n    market     = ETH-USD\n    side       = short\n"
             "    collateral = 10000 USDC\n    leverage   = 1x\n    from       = main\n  }\n\n")
    text = example().replace("  cover dydx_cover {", plain + "  cover dydx_cover {")
    d = only(check(text), "H206")
    assert "the strategy's shorts" in d.message and "200%" in d.message
    assert d.span.line == text.split("\n").index("  perp bet {") + 4  # its `side`


def test_a_plain_short_on_an_asset_no_pool_holds_is_a_position_not_an_error():
    plain = ("  perp bet {\n    venue      = dydx\n    market     = BTC-USD\n    side       = short\n"
             "    collateral = 10000 USDC\n    leverage   = 1x\n    from       = main\n  }\n\n")
    result = check(example().replace("  cover dydx_cover {", plain + "  cover dydx_cover {")
                   .replace("price.ETH       = 3000 USDC", "price.ETH       = 3000 USDC\n    price.BTC = 60000 USDC"))
    assert "H206" not in codes(result) and "H205" not in codes(result)
    btc = result.figures["exposure"]["BTC"]
    assert btc["long"] == 0 and btc["short"] == pytest.approx(1 / 6) and btc["net_share"] is None


def test_risk_diff_shows_a_correlation_change(tmp_path, capsys):
    changed = tmp_path / "b.hedge"
    changed.write_text(example(NAME).replace("corr.WBTC.ETH   = 0.8", "corr.WBTC.ETH   = 0.6"))
    main(["diff", EXAMPLE, str(changed)])
    assert "corr.BTC.ETH  0.8 -> 0.6" in capsys.readouterr().out
