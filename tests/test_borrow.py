"""Lending legs (`borrow`): the issue's reference figures through the compiler,
the lending rules, bad inputs, the targets and the simulation, against
hand-computed values (docs/lending.md)."""
from __future__ import annotations

import json
import math

import numpy as np
import pytest

from hedgec import finance
from hedgec.cli.main import main
from hedgec.compiler.catalog import load_catalog
from hedgec.targets.checklist import build_steps
from hedgec.targets.plan import build_plan
from rules_support import check
from hedgec.simulation.engine import simulate_prices
from hedgec.simulation.from_plan import config_from_plan
from hedgec.simulation.grid import payoff_grid
from hedgec.simulation.lending import LoanSpec, pnl_at
from targets_support import SPECS, compile_path, compile_text, validator

# The position: 19,230.77 USDC supplied, 3.3333 WETH borrowed at 3,000, sold into USDC.
REFERENCE = """strategy ref {
  horizon = 90d
  base    = USDC
  assume {
    price.ETH = 3000 USDC
    vol.ETH   = 60%
    gas_price = 20 gwei
  }
  wallet main {
    gas = 0.3 ETH
  }
  pool lp {
    venue   = uniswap_v2
    pair    = ETH/USDC
    deposit = 20000 USDC
    fee_apr = 15%
    from    = main
  }
  borrow short_eth {
    venue      = aave_v3
    amount     = 3.3333 ETH
    collateral = 19230.77 USDC
    hedges     = lp
    from       = main
  }
}
"""
Q, S0, C, LT_USDC, BONUS_USDC = 3.3333, 3000.0, 19230.77, 0.78, 0.045


def with_loan(*lines: str, drop: tuple[str, ...] = (), text: str = REFERENCE) -> str:
    """The reference strategy with the loan's keys changed: `key = value` lines replace or add."""
    head, _, rest = text.partition("  borrow short_eth {\n")
    body, _, tail = rest.partition("  }\n}")
    keys = {line.split("=")[0].strip(): line for line in body.splitlines()}
    for line in lines:
        keys[line.split("=")[0].strip()] = f"    {line}"
    for key in drop:
        keys.pop(key, None)
    return head + "  borrow short_eth {\n" + "\n".join(keys.values()) + "\n  }\n}" + tail


def figures_json(tmp_path, text: str, capsys) -> dict:
    path = tmp_path / "loan.hedge"
    path.write_text(text)
    main(["check", "--format", "json", str(path)])
    return json.loads(capsys.readouterr().out)["files"][0]


def diagnostics(result, code):
    return [d for d in result.diagnostics if d.code == code]


# ---- the reference figures, through `check --format json` ------------------------------
def test_reference_figures(tmp_path, capsys):
    out = figures_json(tmp_path, REFERENCE, capsys)
    loan = out["figures"]["borrows"]["short_eth"]
    assert loan["health_factor"] == pytest.approx(C * LT_USDC / (Q * S0)) == pytest.approx(1.5, abs=1e-4)
    assert loan["liquidation_price"] == pytest.approx(4500.0, abs=0.05)  # 19,230.77 x 0.78 / 3.3333
    assert loan["liquidation_distance"] == pytest.approx(0.5, abs=1e-4)
    assert loan["borrow_apr"] == pytest.approx(0.0255)  # WETH: 2.7% x 0.85 / 0.90 at 85% utilisation
    assert loan["supply_apr"] == pytest.approx(0.065 * 0.85 / 0.92 * 0.85 * 0.90)  # USDC: 4.59%
    assert loan["max_borrow"] == pytest.approx(C * 0.75)  # 14,423.08
    assert loan["reserve"] == "WETH" and loan["funds"] is None


def test_reference_figures_with_the_proceeds_supplied(tmp_path, capsys):
    loan = figures_json(tmp_path, with_loan("resupply = yes"), capsys)["figures"]["borrows"]["short_eth"]
    assert loan["proceeds"] == pytest.approx(Q * S0)
    assert loan["liquidation_price"] == pytest.approx(6840.0, abs=0.1)  # (19,230.77 + 9,999.90) x 0.78 / 3.3333
    assert loan["health_factor"] == pytest.approx(2.28, abs=1e-4)
    assert loan["supplied"] == pytest.approx(C + Q * S0)


def test_target_hf_sizes_the_collateral():
    result = check(with_loan("target_hf = 1.5", drop=("collateral",)))
    f = result.analysis.figures["short_eth"]
    assert f.collateral == pytest.approx(1.5 * Q * S0 / LT_USDC)  # 19,230.58
    assert f.collateral_derived and f.collateral_asset == "USDC"
    assert f.liquidation_price == pytest.approx(1.5 * S0)  # HF x S0 without proceeds


def test_catalog_rates_are_recorded_as_fallbacks_and_assumed_rates_win():
    fallbacks = {d.data["key"]: d.data["value"] for d in diagnostics(check(REFERENCE), "H701")}
    assert fallbacks["borrow_rate.ETH"] == pytest.approx(0.0255)
    assert fallbacks["supply_rate.USDC"] == pytest.approx(0.0459416, abs=1e-7)
    text = REFERENCE.replace("    gas_price = 20 gwei", "    gas_price = 20 gwei\n    borrow_rate.ETH = 2.6% apr\n"
                                                          "    supply_rate.USDC = 4.9% apr")
    result = check(text)
    assert not diagnostics(result, "H701")
    f = result.analysis.figures["short_eth"]
    assert (f.borrow_apr, f.supply_apr) == (pytest.approx(0.026), pytest.approx(0.049))


# ---- rules -------------------------------------------------------------------------------------
def test_carry_enters_the_strategy_carry():
    text = REFERENCE.replace("    gas_price = 20 gwei", "    gas_price = 20 gwei\n    borrow_rate.ETH = 2.55% apr\n"
                                                          "    supply_rate.USDC = 4.9% apr")
    result = check(text)
    carry = result.analysis.carry
    t = 90 / 365
    assert carry["supply_income"] == pytest.approx(C * math.expm1(0.049 * t)) == pytest.approx(233.76, abs=0.01)
    assert carry["borrow_cost"] == pytest.approx(Q * S0 * math.expm1(0.0255 * t)) == pytest.approx(63.07, abs=0.01)
    others = carry["fees"] - carry["gas"]
    assert carry["net"] == pytest.approx(others + 233.76 - 63.07, abs=0.01)
    (info,) = diagnostics(result, "H805")
    b = info.data["breakeven_borrow_apr"]  # carry with the borrow at b* is zero
    assert carry["net"] + carry["borrow_cost"] - Q * S0 * math.expm1(b * t) == pytest.approx(0, abs=1e-6)


def test_liquidation_chance_uses_the_perps_function_and_thresholds():
    result = check(REFERENCE)
    (warning,) = diagnostics(result, "H803")
    liq = C * LT_USDC / Q
    expected = finance.touch_probability(S0, liq, 0.6, 90 / 365, direction="up")
    # a martingale price (nu = -sigma^2/2), b = ln 1.5, sigma sqrt(T) = 0.29794:
    # N(-1.50986) + e^(-0.405465) N(-1.21192) = 0.06554 + 0.66667 x 0.11277 = 0.1407
    assert warning.data["probability"] == pytest.approx(expected) == pytest.approx(0.1407, abs=1e-4)
    assert warning.data["liquidation_cost"] == pytest.approx(0.5 * C * LT_USDC * BONUS_USDC)  # 337.50
    assert "337.50" in " ".join(warning.notes)
    assert warning.span.line == 19  # the borrow block
    (error,) = diagnostics(check(REFERENCE.replace("vol.ETH   = 60%", "vol.ETH   = 150%")), "H804")
    assert error.data["probability"] > 0.25


def test_borrowing_above_ltv_is_an_error_and_a_low_health_factor_a_warning():
    (error,) = diagnostics(check(with_loan("amount = 5 ETH")), "H801")  # 15,000 > 14,423.08
    assert error.span.line == 22 and "14,423.08" in error.message
    assert error.data["max_borrow"] == pytest.approx(C * 0.75)
    result = check(with_loan("collateral = 16000 USDC"))  # HF = 16,000 x 0.78 / 9,999.90 = 1.248
    (warning,) = diagnostics(result, "H802")
    assert warning.data["health_factor"] == pytest.approx(16000 * 0.78 / (Q * S0))
    assert not diagnostics(result, "H801") and not diagnostics(check(REFERENCE), "H802")  # 1.50 is at the threshold


def test_zero_collateral_is_located():
    (error,) = diagnostics(check(with_loan("collateral = 0 USDC")), "H801")
    assert "no collateral" in error.message and error.span.line == 22


@pytest.mark.parametrize("lines,drop,code,line", [
    (("amount = 1000 USDC",), (), "H813", 21),  # a stablecoin against itself
    (("amount = 10 AVAX",), (), "H811", 21),  # not listed on aave_v3
    (("collateral = 19230.77 FRAX",), (), "H811", 22),
    (("amount = 0 ETH",), (), "H814", 21),
    (("target_hf = 1.5",), (), "H812", 25),  # both
    ((), ("collateral",), "H812", 19),  # neither
])
def test_bad_inputs_are_located(lines, drop, code, line):
    result = check(with_loan(*lines, drop=drop))
    assert not result.ok
    (found,) = diagnostics(result, code)
    assert found.span.line == line and found.hint


def test_resupply_needs_proceeds():
    text = with_loan("resupply = yes").replace("    from    = main\n  }\n  borrow", "    from    = short_eth\n  }\n"
                                                                                     "  borrow")
    (error,) = diagnostics(check(text), "H806")
    assert "lp" in error.message


def test_the_collateral_is_funds_held_that_cover_rules_see():
    warnings = {d.data["venue"]: d for d in diagnostics(check(REFERENCE), "H501")}
    assert warnings["aave_v3"].data["at_risk"] == pytest.approx(C)
    assert "product 97" in warnings["aave_v3"].hint
    assert "H501" not in [d.code for d in check((SPECS / "eth-usdc-v2-aave-borrow.hedge").read_text()).diagnostics]


def test_hedge_sizing_counts_the_loan():
    assert not diagnostics(check(REFERENCE), "H201")  # 3.3333 of the pool's 3.3333 ETH
    (warning,) = diagnostics(check(with_loan("amount = 2 ETH")), "H201")
    assert warning.data["coverage"] == pytest.approx(2 / (10000 / 3000))
    with_perp = REFERENCE.replace("  borrow short_eth", """  perp hedge {
    venue      = dydx
    market     = ETH-USD
    side       = short
    hedges     = lp
    collateral = 10000 USDC
    leverage   = 1x
    from       = main
  }
  borrow short_eth""")
    (warning,) = diagnostics(check(with_perp), "H201")  # the perp and the loan: twice the exposure
    assert warning.data["coverage"] == pytest.approx(2.0, abs=1e-4)


# ---- targets -----------------------------------------------------------------------------------
def test_plan_carries_the_loan_and_validates():
    c = compile_path(SPECS / "eth-usdc-v2-aave-borrow.hedge")
    plan = build_plan(c)
    validator("plan").validate(plan)
    (loan,) = plan["borrows"]
    assert loan["funds"] == "lp" and loan["hedges"] == "lp" and loan["protected_by"] == ["aave_cover"]
    assert loan["health_factor"] == pytest.approx(1.9)
    assert loan["liquidation_price"] == pytest.approx(1.9 * S0)
    assert loan["close_factor"] == {"close_factor": 0.5, "hf_threshold": 0.95, "full_close_below": 2000.0,
                                    "min_leftover": 1000.0}
    assert set(plan["catalog"]["reserves"]) == {"aave_v3/WETH", "aave_v3/USDC"}
    assert plan["expected"]["borrow_cost"] == pytest.approx(Q * S0 * math.expm1(0.026 * 90 / 365))


def test_checklist_order_of_a_loan_that_funds_its_pool():
    steps = build_steps(compile_path(SPECS / "eth-usdc-v2-aave-borrow.hedge"))
    ids = [s.id for s in steps]
    put_on = ["put_on.deposit.short_eth", "put_on.borrow.short_eth", "put_on.keep.short_eth",
              "put_on.add_liquidity.lp"]
    unwind = ["unwind.remove_liquidity.lp", "unwind.buy_back.short_eth", "unwind.repay.short_eth",
              "unwind.withdraw.short_eth"]
    for order in (put_on, unwind):
        assert [ids.index(i) for i in order] == sorted(ids.index(i) for i in order)
    assert "put_on.swap.short_eth" not in ids  # the ETH goes into the pool, not sold
    assert "incident.claim.aave_cover" in ids and "verify.health_factor.short_eth" in ids
    alerts = next(s for s in steps if s.id == "monitor.liquidation_alert.short_eth")
    supplied = 1.9 * Q * S0 / LT_USDC
    assert [a.value for a in alerts.amounts] == pytest.approx([supplied * LT_USDC / (Q * hf) for hf in (1.25, 1.10)])
    eth = [s for s in steps if s.id == "prepare.fund_tokens.main.ETH"]
    assert [a.value for s in eth for a in s.amounts] == pytest.approx([10000 / 3000 - Q])  # the loan brings the rest


def test_checklist_of_a_loan_sold_and_resupplied():
    steps = build_steps(compile_text(REFERENCE.replace("    hedges     = lp", "    hedges     = lp\n"
                                                                                "    resupply   = yes")))
    ids = [s.id for s in steps]
    assert ids.index("put_on.borrow.short_eth") < ids.index("put_on.swap.short_eth") \
        < ids.index("put_on.resupply.short_eth")


# ---- simulation --------------------------------------------------------------------------------
def _loan_config():
    """The reference loan in the simulator, with no interest so liquidations are easy to count by hand."""
    c = compile_text(REFERENCE.replace("    vol.ETH   = 60%", "    vol.ETH   = 60%\n    borrow_rate.ETH = 0% apr\n"
                                                                  "    supply_rate.USDC = 0% apr"))
    return config_from_plan(build_plan(c))


def test_plan_gives_the_simulator_the_loan():
    (loan,) = _loan_config().loans
    assert (loan.amount, loan.supplied, loan.liquidation_threshold, loan.liquidation_bonus) == (Q, C, 0.78, 0.045)


@pytest.mark.parametrize("path,expected", [
    # HF 15,000 / 15,333.18 = 0.978 > 0.95 and large: 50% repaid, bonus 4.5% lost on it
    ([3000.0, 4600.0], -Q * 1600 - 0.045 * 0.5 * Q * 4600),
    # HF 0.9375 <= 0.95: all of it repaid
    ([3000.0, 4800.0], -Q * 1800 - 0.045 * Q * 4800),
    # liquidated at 4,600, then the half left follows the price back down
    ([3000.0, 4600.0, 3000.0], (C - 1.045 * 0.5 * Q * 4600) - 0.5 * Q * 3000 - (C - Q * S0)),
    ([3000.0, 4400.0], -Q * 1400),  # below the liquidation price: nothing happens
])
def test_a_path_crossing_the_liquidation_price_is_liquidated_by_the_rule(path, expected):
    config = _loan_config()
    out = simulate_prices(config, np.array([path]))
    assert out.loan_pnl[0] == pytest.approx(expected, rel=1e-9)
    assert out.liquidated[0] == (max(path) > 4500.05)


def test_debt_and_collateral_accrue_per_step():
    config = _loan_config()
    loan = LoanSpec(amount=Q, entry_price=S0, supplied=C, liquidation_threshold=0.78, liquidation_bonus=0.045,
                    borrow_apr=0.0255, supply_apr=0.049, asset=config.symbols[0])
    config = type(config)(**{**config.__dict__, "loans": (loan,), "horizon_days": 365.0})
    out = simulate_prices(config, np.full((1, 366), S0))
    expected = C * math.exp(0.049) - Q * math.exp(0.0255) * S0 - (C - Q * S0)
    assert out.loan_pnl[0] == pytest.approx(expected, rel=1e-9)
    assert pnl_at(loan, np.array([S0]), 1.0)[0] == pytest.approx(expected, rel=1e-9)


def test_the_grid_liquidates_as_the_monte_carlo():
    config = _loan_config()
    (loan,) = config.loans
    one_step = simulate_prices(config, np.array([[3000.0, 4600.0]])).loan_pnl[0]
    assert pnl_at(loan, np.array([4600.0]), config.years, points=1)[0] == pytest.approx(one_step)
    grid = payoff_grid(config, ratios=[1.0])
    assert grid.hedged[0] * config.pool.value == pytest.approx(
        (grid.pool[0]) * config.pool.value + pnl_at(loan, np.array([S0]), config.years)[0])


def test_simulate_runs_the_example(capsys):
    assert main(["simulate", str(SPECS / "eth-usdc-v2-aave-borrow.hedge"), "--paths", "500", "--workers", "1"]) == 0
    assert "Probability of liquidation" in capsys.readouterr().out


def test_a_dear_loan_makes_the_carry_negative_and_says_why():
    text = REFERENCE.replace("    gas_price = 20 gwei", "    gas_price = 20 gwei\n    borrow_rate.ETH = 60% apr")
    (warning,) = diagnostics(check(text), "H402")
    assert "borrow cost" in warning.notes[0]
    assert warning.data["borrow_cost"] == pytest.approx(Q * S0 * math.expm1(0.6 * 90 / 365))


def test_diff_shows_a_changed_borrow_rate_and_the_loans_figures(tmp_path, capsys):
    old, new = tmp_path / "old.hedge", tmp_path / "new.hedge"
    old.write_text(REFERENCE)
    new.write_text(with_loan("collateral = 25000 USDC").replace(
        "    gas_price = 20 gwei", "    gas_price = 20 gwei\n    borrow_rate.ETH = 4% apr"))
    main(["diff", str(old), str(new)])
    out = capsys.readouterr().out
    assert "borrow_rate.ETH" in out and "health factor" in out and "borrow cost" in out


def test_a_pool_cannot_take_a_loan_of_another_asset():
    text = with_loan("amount = 0.1 WBTC").replace("    from    = main\n  }\n  borrow",
                                                   "    from    = short_eth\n  }\n  borrow")
    text = text.replace("    price.ETH = 3000 USDC", "    price.ETH = 3000 USDC\n    price.BTC = 60000 USDC")
    result = check(text)
    (error,) = diagnostics(result, "H807")
    assert error.span.line == 18 and result.analysis.figures["short_eth"].funds is None


def test_value_counts_the_sale_proceeds_and_the_interest():
    from hedgec.compiler.kinds import KINDS

    f = check(REFERENCE).analysis.figures["short_eth"]
    value = KINDS["borrow"].value
    assert value(f, {"ETH": S0}, 0.0) == pytest.approx(C)  # collateral + proceeds - debt at entry
    assert value(f, {"ETH": 4000.0}, 0.0) == pytest.approx(C - Q * 1000)
    one_year = C * math.exp(f.supply_apr) + Q * S0 - Q * math.exp(f.borrow_apr) * S0
    assert value(f, {"ETH": S0}, 1.0) == pytest.approx(one_year)


def test_supplying_the_proceeds_is_one_more_deposit_the_wallet_pays_gas_for():
    plain, resupplied = (check(with_loan(f"resupply = {r}")).analysis.figures["main"] for r in ("no", "yes"))
    deposit = load_catalog().venue("aave_v3").gas_units("deposit")
    assert deposit and resupplied.setup_units - plain.setup_units == deposit
    steps = [a.step for a in resupplied.actions if a.leg == "short_eth"]
    assert steps[:5] == ["approve", "deposit", "borrow", "swap", "deposit"]
    assert resupplied.cost > plain.cost
