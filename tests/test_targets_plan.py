"""The simulation plan: schema, determinism, and figures against hand computations."""
import json

import pytest
from ruamel.yaml import YAML

from hedgec.targets.plan import PlanOptions, build_plan, default_seed
from hedgec.targets.serialize import to_json, to_yaml
from targets_support import TWO_POOLS, clean_examples, compile_path, compile_text, validator

EXAMPLES = clean_examples()


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_plan_validates_in_json_and_yaml(path):
    plan = build_plan(compile_path(path))
    check = validator("plan")
    from_json = json.loads(to_json(plan))
    from_yaml = YAML(typ="safe", pure=True).load(to_yaml(plan))
    check.validate(from_json)
    check.validate(from_yaml)
    assert from_json == from_yaml  # the two formats carry the same document


def test_the_examples_include_v2_and_v3():
    models = {p["model"] for path in EXAMPLES for p in build_plan(compile_path(path))["pools"]}
    assert models == {"v2", "v3"}


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_same_input_gives_byte_identical_plans(path):
    first = compile_path(path)
    again = compile_path(path)
    assert to_yaml(build_plan(first)) == to_yaml(build_plan(again))
    assert to_json(build_plan(first)) == to_json(build_plan(again))


def test_v2_legs_are_normalised():
    plan = build_plan(compile_path(EXAMPLES[0].parent / "eth-usdc-v2-neutral.hedge"))
    (pool,), (perp,) = plan["pools"], plan["perps"]
    # 20,000 USDC at 3,000: x = 20000 / (2 * 3000) = 3.3333 ETH and 10,000 USDC.
    assert pool["model"] == "v2" and pool["volatile_amount"] == pytest.approx(20000 / 6000)
    assert pool["quote_amount"] == pytest.approx(10000) and pool["fee_apr"] == pytest.approx(0.15)
    # 1x on 10,000 USDC: notional 10,000, size 10000 / 3000 ETH; short liquidation
    # (e + s p) / (s (1 + mmf)) = (10000 + 10000) / (3.3333 * 1.03) = 5825.24.
    assert perp["size"] == pytest.approx(10000 / 3000) and perp["notional"] == pytest.approx(10000)
    assert perp["liquidation_price"] == pytest.approx(20000 / (10000 / 3000 * 1.03))
    assert perp["funding_apr"] == pytest.approx(0.08) and perp["hedges"] == "lp"
    # Premium 10,000 x 2.6% x 90 / 365 = 64.11.
    cover = next(k for k in plan["covers"] if k["name"] == "dydx_cover")
    assert cover["premium"] == pytest.approx(10000 * 0.026 * 90 / 365) and cover["venue"] == "dydx"


def test_v3_pool_carries_range_and_liquidity():
    plan = build_plan(compile_path(EXAMPLES[0].parent / "eth-usdc-v3-range.hedge"))
    (pool,) = plan["pools"]
    assert pool["model"] == "v3" and (pool["range_low"], pool["range_high"]) == (2400, 4000)
    # value = x p + y must equal the deposit: 9.3214 * 3000 + 22035.89 = 50000.
    assert pool["volatile_amount"] * 3000 + pool["quote_amount"] == pytest.approx(50000)
    assert pool["liquidity"] > 0


def test_scenarios_grid_monte_carlo_and_seed():
    plan = build_plan(compile_path(EXAMPLES[0].parent / "eth-usdc-v2-neutral.hedge"))
    grid, mc = plan["scenarios"]["grid"], plan["scenarios"]["monte_carlo"]
    assert grid["ratios"][0] == 0.2 and grid["ratios"][-1] == 3.0 and 1.0 in grid["ratios"]
    assert len(grid["ratios"]) == 57  # (3.0 - 0.2) / 0.05 + 1
    assert (mc["paths"], mc["steps"], mc["step_days"]) == (10000, 90, 1.0)  # daily over 90 days
    assert mc["vol"] == {"ETH": 0.6} and mc["drift"] == {"ETH": 0.0}
    assert mc["seed"] == default_seed("eth_usdc_v2_neutral") == default_seed("eth_usdc_v2_neutral")
    assert default_seed("eth_usdc_v2_neutral") != default_seed("eth_usdc_v3_range")


def test_options_override_seed_paths_and_events():
    c = compile_path(EXAMPLES[0].parent / "eth-usdc-v2-neutral.hedge")
    plan = build_plan(c, PlanOptions(seed=7, paths=50, exploit_probability=0.1, loss_share=1.0))
    assert plan["scenarios"]["monte_carlo"]["seed"] == 7
    assert plan["scenarios"]["monte_carlo"]["paths"] == 50
    for event in plan["scenarios"]["events"]:
        assert (event["annual_probability"], event["loss_share"]) == (0.1, 1.0)
        # 1 - (1 - 0.1)^(90/365) = 0.025645
        assert event["horizon_probability"] == pytest.approx(1 - 0.9 ** (90 / 365))


def test_events_pair_each_funded_venue_with_its_cover():
    plan = build_plan(compile_text(TWO_POOLS))
    events = {e["venue"]: e for e in plan["scenarios"]["events"]}
    assert set(events) == {"dydx", "uniswap_v2"}
    # dydx holds 5,000 + 10,000 collateral, covered for 15,000 by dydx_cover.
    assert events["dydx"]["funds_at_risk"] == pytest.approx(15000)
    assert [k["name"] for k in events["dydx"]["covers"]] == ["dydx_cover"]
    # uniswap_v2 holds 10,000 + 40,000; pool_cover protects 40,000 of it.
    assert events["uniswap_v2"]["funds_at_risk"] == pytest.approx(50000)
    assert events["uniswap_v2"]["covered_amount"] == pytest.approx(40000)
    validator("plan").validate(json.loads(to_json(plan)))


def test_fallbacks_are_recorded_when_assume_is_silent():
    text = TWO_POOLS.replace("    vol.BTC   = 50%\n", "")
    plan = build_plan(compile_text(text))
    keys = [f["key"] for f in plan["assumptions"]["fallbacks"]]
    assert "vol.BTC" in keys and "funding.BTC-USD" in keys
    assert plan["assumptions"]["vols"]["BTC"] == pytest.approx(0.55)  # catalog default for BTC


def test_plan_carries_catalog_figures_with_sources():
    plan = build_plan(compile_text(TWO_POOLS))
    cat = plan["catalog"]
    assert set(cat["markets"]) == {"dydx/ETH-USD", "dydx/BTC-USD"}
    assert cat["markets"]["dydx/BTC-USD"]["imf"] == 0.05 and cat["markets"]["dydx/BTC-USD"]["source"]["ref"]
    assert cat["cover_products"]["nexus_mutual/dydx"]["product_id"] == 28
    assert cat["venues"]["dydx"]["deposit_required"] is True
