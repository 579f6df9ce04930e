"""The execution checklist: order, figures, schema and readability."""
import json
import re

import pytest

from hedgec.compiler.kinds.perp import alert_price, drift_band
from hedgec.targets.checklist import build_steps, render
from targets_support import TWO_POOLS, clean_examples, compile_path, compile_text, validator

EXAMPLES = clean_examples()


def index(steps, action, leg):
    found = [i for i, s in enumerate(steps) if s.action == action and s.leg == leg]
    assert found, f"no {action} step for {leg}"
    return found[0]


def assert_order(c):
    """The order rules of the checklist, for any strategy."""
    steps = build_steps(c)
    assert [s.number for s in steps] == list(range(1, len(steps) + 1))
    phases = [s.phase for s in steps]
    assert phases == sorted(phases, key=["prepare", "cover", "put_on", "verify", "monitor", "unwind",
                                         "incident"].index)
    a = c.analysis
    for cover in a.of_kind("cover").values():
        bought = index(steps, "buy_cover", cover.name)
        for s in steps:
            if s.leg == cover.protects and s.action in ("deposit", "add_liquidity", "open"):
                assert bought < steps.index(s), f"cover {cover.name} after {s.id}"
    for perp in a.of_kind("perp").values():
        opened = index(steps, "open", perp.name)
        if c.catalog.venue(perp.venue).deposit_required:
            assert index(steps, "deposit", perp.name) < opened
        if perp.hedges:
            added = index(steps, "add_liquidity", perp.hedges)
            between = steps[added + 1:opened]
            assert all(s.action == "open" for s in between), "only other opens between liquidity and its hedge"
    last_put_on = max(i for i, s in enumerate(steps) if s.phase == "put_on")
    unwind = [i for i, s in enumerate(steps) if s.phase == "unwind"]
    assert unwind and min(unwind) > last_put_on
    assert all(s.phase in ("unwind", "incident") for s in steps[min(unwind):])
    return steps


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_checklists_are_in_order(path):
    steps = assert_order(compile_path(path))
    assert steps[0].action == "wallet"


def test_two_pools_two_hedges_order():
    steps = assert_order(compile_text(TWO_POOLS))
    ids = [s.id for s in steps]
    # Each short opens right after its own pool, not after both pools.
    assert ids.index("put_on.open.eth_short") == ids.index("put_on.add_liquidity.eth_lp") + 1
    assert ids.index("put_on.open.btc_short") == ids.index("put_on.add_liquidity.btc_lp") + 1
    # Shorts are closed right before the liquidity they hedge is removed, and collateral leaves after.
    assert ids.index("unwind.remove_liquidity.btc_lp") == ids.index("unwind.close.btc_short") + 1
    assert ids.index("unwind.withdraw.eth_short") > ids.index("unwind.remove_liquidity.eth_lp")


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_checklist_documents_validate(path, fmt):
    from ruamel.yaml import YAML

    text = render(compile_path(path), fmt)
    doc = json.loads(text) if fmt == "json" else YAML(typ="safe", pure=True).load(text)
    validator("checklist").validate(doc)


def test_every_transaction_step_carries_gas_and_amounts():
    steps = build_steps(compile_text(TWO_POOLS))
    for s in steps:
        if s.action in ("approve", "deposit", "add_liquidity", "open", "buy_cover", "close", "withdraw",
                        "remove_liquidity", "claim"):
            assert s.gas is not None and s.venue, s.id
    deposit = next(s for s in steps if s.id == "put_on.deposit.btc_short")
    assert deposit.amounts[0].value == 10000 and deposit.amounts[0].asset == "USDC"
    # dYdX deposit: 150,000 units at 10 gwei = 0.0015 ETH.
    assert deposit.gas.units == 150000 and deposit.gas.cost == pytest.approx(0.0015)
    add = next(s for s in steps if s.id == "put_on.add_liquidity.btc_lp")
    # 40,000 USDC at 40,000: 0.5 WBTC and 20,000 USDC.
    assert [(q.value, q.asset) for q in add.amounts] == [(pytest.approx(0.5), "WBTC"), (pytest.approx(20000), "USDC")]


def test_liquidation_alert_is_half_way_to_liquidation():
    c = compile_text(TWO_POOLS)
    step = next(s for s in build_steps(c) if s.id == "monitor.liquidation_alert.btc_short")
    # Short 0.5 BTC (2x on 10,000) at 40,000: liquidation (10000 + 20000) / (0.5 * 1.03) = 58,252.43;
    # alert 40,000 + (58,252.43 - 40,000) / 2 = 49,126.21.
    assert step.amounts[0].value == pytest.approx(40000 + (30000 / 0.515 - 40000) / 2)
    assert alert_price(100, 200, 0.75) == 175


def test_rebalance_band_for_v2_is_closed_form():
    c = compile_text(TWO_POOLS)
    pool = c.analysis.figures["eth_lp"]
    # v2 drift = sqrt(p/p0) - 1; 20% off target at p0 * 1.2^2 = 2880 and p0 * 0.8^2 = 1280.
    low, high = drift_band(pool, 1.0, 0.20)
    assert (low, high) == (pytest.approx(1280), pytest.approx(2880))


def test_rebalance_band_for_v3_uses_the_range_amounts():
    from hedgec import finance

    c = compile_path(EXAMPLES[0].parent / "eth-usdc-v3-range.hedge")
    pool = c.analysis.figures["lp"]
    low, high = drift_band(pool, 1.0, 0.10)
    assert 2400 < low < 3000 < high < 4000
    at_high = finance.v3_amounts(pool.liquidity, high, 2400, 4000)[0]
    assert pool.volatile_amount / at_high == pytest.approx(1.10)


def test_markdown_reads_as_a_checklist():
    md = render(compile_path(EXAMPLES[0].parent / "eth-usdc-v2-neutral.hedge"))
    assert md.startswith("# Execution checklist: ETH/USDC v2 LP")
    for heading in ("## 1. Prepare", "## 2. Buy cover", "## 3. Put the position on", "## 6. Unwind",
                    "## 7. If a venue is exploited"):
        assert heading in md
    assert md.count("- [ ] **") == len(build_steps(compile_path(EXAMPLES[0].parent / "eth-usdc-v2-neutral.hedge")))
    assert "20,000.00 USDC" in md and "gas ~150,000 units = 0.003 ETH" in md
    assert "product 28" in md and "0.05 ETH claim deposit" in md


def test_uncovered_venue_gets_an_incident_step():
    text = TWO_POOLS.split("  cover pool_cover")[0] + "}\n"
    steps = build_steps(compile_text(text))
    uncovered = [s for s in steps if s.action == "uncovered"]
    assert [s.venue for s in uncovered] == ["uniswap_v2"]


def test_funding_alert_at_break_even_carry():
    c = compile_path(EXAMPLES[0].parent / "eth-usdc-v2-neutral.hedge")
    step = next(s for s in build_steps(c) if s.action == "funding_alert")
    # Carry without funding: fees 739.73 - premiums 192.33 - trading 10.00 - gas 124.80 = 412.60 over 90 days;
    # a 10,000 short breaks even at f = -412.60 * 365 / (90 * 10000) = -16.7% a year.
    assert step.title == "Watch ETH-USD funding: alert below -16.7% a year"


def test_funding_alert_points_up_for_a_long_book():
    # Long perps that hedge nothing (a long "hedging" a pool is an error, H204).
    text = re.sub(r"\n\s*hedges\s*=\s*\w+", "", TWO_POOLS.replace("side       = short", "side       = long"))
    steps = build_steps(compile_text(text))
    assert all(" above " in s.title for s in steps if s.action == "funding_alert")


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_step_ids_are_unique(path):
    ids = [s.id for s in build_steps(compile_path(path))]
    assert len(ids) == len(set(ids))
    ids = [s.id for s in build_steps(compile_text(TWO_POOLS))]
    assert len(ids) == len(set(ids))


def _compiled_with(path, **thresholds):
    """The example compiled as `hedgec checklist` compiles it under these settings."""
    from hedgec.compiler.catalog import load_catalog
    from hedgec.compiler.config import Config
    from hedgec.compiler.pipeline import check_file
    from hedgec.targets import compiled

    catalog = load_catalog()
    return compiled(check_file(str(path), Config().with_thresholds(**thresholds), catalog), catalog)


def _step(c, step_id):
    return next(s for s in build_steps(c) if s.id == step_id)


def test_the_alert_levels_are_settings():
    from targets_support import SPECS

    # perp: entry 3,000, liquidation 3,000 (1 + 1 / 1.03) ... read from the figures; alerts 30% and 60% of the way
    c = _compiled_with(SPECS / "eth-usdc-v2-neutral.hedge", **{"perp-alert-share": 0.3, "perp-act-share": 0.6})
    p = c.analysis.figures["hedge"]
    step = _step(c, "monitor.liquidation_alert.hedge")
    assert step.amounts[0].value == pytest.approx(3000 + 0.3 * (p.liquidation_price - 3000))
    act = f"{3000 + 0.6 * (p.liquidation_price - 3000):,.2f}"
    assert "fires at 30% of the distance" in step.details[0] and act in step.details[1]
    # loan: the price at health factor h is supplied x LT / (debt x h): 24,358.73 x 0.78 / (3.3333 h)
    c = _compiled_with(SPECS / "eth-usdc-v2-aave-borrow.hedge", **{"health-factor-alert": 1.4, "health-factor-act": 1.2})
    f = c.analysis.figures["short_eth"]
    assert _step(c, "monitor.health_alert.short_eth").title.endswith("at 1.4 and 1.2")
    prices = [q.value for q in _step(c, "monitor.liquidation_alert.short_eth").amounts]
    assert prices == pytest.approx([f.supplied * 0.78 / (3.3333 * 1.4), f.supplied * 0.78 / (3.3333 * 1.2)])
    assert prices[0] == pytest.approx(24358.73 * 0.78 / (3.3333 * 1.4), rel=1e-6)
    # v3 range 2,400 .. 4,000: alerts 10% inside each edge
    c = _compiled_with(SPECS / "eth-usdc-v3-range.hedge", **{"range-alert": 0.1})
    assert [q.value for q in _step(c, "monitor.range_alert.lp").amounts] == pytest.approx([2640, 3600])


def test_range_alerts_of_a_narrow_range_stay_inside_it():
    from targets_support import SPECS

    text = (SPECS / "eth-usdc-v3-range.hedge").read_text().replace("2400 .. 4000 USDC", "2950 .. 3050 USDC")
    low, high = (q.value for q in _step(compile_text(text), "monitor.range_alert.lp").amounts)
    # 5% would put them at 3,097.50 and 2,897.50, crossed; a quarter of the width (100 / 6,000) inside each edge
    near = 0.5 * 100 / 6000
    assert (low, high) == pytest.approx((2950 * (1 + near), 3050 * (1 - near))) and 2950 < low < high < 3050


@pytest.mark.parametrize("thresholds, message", [
    ({"perp-alert-share": 0.8}, "`perp-alert-share` (0.8) must not be above `perp-act-share` (0.75)"),
    ({"perp-act-share": 1}, "`perp-act-share` must be below 1"),
    ({"health-factor-act": 1.3}, "`health-factor-act` (1.3) must not be above `health-factor-alert` (1.25)"),
    ({"health-factor-alert": 1}, "`health-factor-alert` must be above 1"),
    ({"range-alert": 0.5}, "`range-alert` must be below 0.5"),
])
def test_alert_levels_out_of_order_or_range_are_refused(thresholds, message):
    from hedgec.compiler.config import Config

    with pytest.raises(ValueError, match=re.escape(message)):
        Config().with_thresholds(**thresholds)
