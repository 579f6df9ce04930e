"""The registry of kinds and of rules: one declaration drives everything, and
settings never make a broken strategy look clean."""
import subprocess
import sys
from dataclasses import dataclass
from typing import Mapping

import numpy as np
import pytest

from hedgec.compiler import ir
from hedgec.compiler.config import Config
from hedgec.compiler.kinds import FROM, Checklist, Drawing, Kind, registered
from hedgec.compiler.registry import registry
from hedgec.compiler.schema import Key
from hedgec.compiler.source import Span
from hedgec.simulation import PoolSpec
from hedgec.simulation.grid import liquidation_price as grid_liquidation_price
from hedgec.simulation.pools import PoolModel
from hedgec.targets.checklist import build_steps, render
from hedgec.targets.graph import to_dot
from hedgec.targets.plan import build_plan
from rules_support import check, codes, variant
from targets_support import compile_text


# ---- a kind that exists only in this test ---------------------------------------------

@dataclass(frozen=True)
class Vault(ir.Block):
    name: str
    venue: str
    amount: object
    source: ir.Ref
    span: Span = ir._span()
    spans: Mapping[str, Span] = ir._spans()

    kind = "vault"


@dataclass(frozen=True)
class VaultFigures:
    name: str
    venue: str
    amount: float


def _open(b, name):
    f = b.figures(name)
    b.add("put_on", "park", f"Park {f.amount:g} in {f.venue}", name, venue=f.venue)


VAULT = Kind(
    name="vault", doc="a test-only kind", ir_class=Vault,
    keys={"venue": Key("name", "where", required=True), "amount": Key("amount", "how much", required=True),
          "from": Key("ref", "funded by", required=True)},
    references=(FROM,), venue_key="venue", venue_kind="amm", section="vaults", problem_key="amount",
    analyse=lambda leg, ctx: VaultFigures(leg.name, leg.venue, ctx.base_value(leg.amount)),
    funds_held=lambda f: f.amount,
    setup=("approve", "add_liquidity"), unwind=("remove_liquidity",),  # transactions uniswap_v2 lists
    drawing=Drawing("box", ("[", "]"), lambda f, base: [f"holds {f.amount:g} {base}"]),
    plan=lambda c, leg: {"name": leg.name, "amount": c.analysis.figures[leg.name].amount},
    checklist=Checklist(open=_open),
    exposure=lambda f: {},
    value=lambda f, prices, years: f.amount,
)

VAULT_TEXT = variant() .replace("  perp hedge {", "  vault parked {\n    venue  = uniswap_v2\n    amount = 1234 USDC\n"
                                                 "    from   = main\n  }\n\n  perp hedge {")


def test_a_kind_declared_in_a_test_compiles_end_to_end():
    with registered(VAULT):
        result = check(VAULT_TEXT)
        assert result.ok, [f"{d.code} {d.message}" for d in result.diagnostics]
        # The generic rules apply to it: it holds funds on a venue with no cover protecting it.
        assert any(d.code == "H501" and "vault `parked`" in d.message for d in result.diagnostics)
        assert result.figures["vaults"]["parked"]["amount"] == 1234
        c = compile_text(VAULT_TEXT)
        assert build_plan(c)["vaults"] == [{"name": "parked", "amount": 1234.0}]
        steps = build_steps(c)
        assert [s.title for s in steps if s.leg == "parked"] == ["Park 1234 in uniswap_v2"]
        assert '"parked" [label="vault parked\\nholds 1234 USDC"' in to_dot(c)
        # Its transactions are paid for by the wallet that funds it.
        gas = c.analysis.figures["main"].actions
        assert [a.step for a in gas if a.leg == "parked"] == ["approve", "add_liquidity", "remove_liquidity"]
    assert "vault" not in codes(check(variant()))  # gone again after the `with`


def test_unknown_kind_of_block_is_still_reported_outside_the_registration():
    result = check(VAULT_TEXT)
    assert "H101" in codes(result)


# ---- selection never hides an error ------------------------------------------------------

def test_select_cannot_hide_an_unknown_venue():
    text = variant(hedge__venue="nowhere")
    result = check(text, Config(select=("H3",)))
    assert not result.ok and result.blocked
    assert "H111" in codes(result)


def test_targets_refuse_a_blocked_strategy_in_words(tmp_path, capsys):
    from hedgec.cli.main import main

    (tmp_path / "hedgec.toml").write_text('[tool.hedgec]\nselect = ["H3"]\n')
    path = tmp_path / "s.hedge"
    path.write_text(variant(hedge__venue="nowhere"))
    assert main(["check", str(path)]) == 1
    for command in (["plan"], ["checklist"], ["graph"], ["simulate", "--paths", "100"]):
        assert main(command + [str(path)]) == 1, command
        err = capsys.readouterr().err
        assert "H111" in err and "internal error" not in err


def test_suppression_cannot_silence_a_structural_error():
    text = variant(hedge__venue="nowhere").replace("venue      = nowhere", "venue      = nowhere  # hedgec: ignore[H111]")
    assert "H111" in codes(check(text))


def test_deselected_checks_do_not_run():
    ran = []
    check_obj = next(c for c in registry().checks if "H303" in c.codes)
    original = check_obj.run
    object.__setattr__(check_obj, "run", lambda ctx: ran.append(1) or original(ctx))
    try:
        result = check(variant(hedge__leverage="2x", hedge__hedges=None), Config(select=("H2",)))
        assert not ran and not {"H303", "H304"} & set(codes(result))
        check(variant(hedge__leverage="2x", hedge__hedges=None), Config(select=("H3",)))
        assert ran
    finally:
        object.__setattr__(check_obj, "run", original)


def test_every_check_declares_its_codes_and_thresholds():
    reg = registry()
    emitted = {code for c in reg.checks for code in c.codes}
    assert emitted <= set(reg.rules)
    read = {t for c in reg.checks for t in c.thresholds}
    assert read <= set(reg.thresholds)
    assert "size-tolerance" in read and "liquidation-warn" in read


def test_lowering_needs_no_prior_import_of_the_pipeline():
    code = ("from hedgec.compiler.lower import lower; from hedgec.compiler.syntax import parse;"
            "s, found = lower(parse('strategy s {\\n horizon = 1d\\n wallet w { bogus = 1 }\\n}\\n', 'x'), 'x');"
            "print(sorted(d.code for d in found))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "['H102']"


def test_unknown_threshold_in_settings_is_refused():
    from hedgec.compiler.config import ConfigError, config_from_table

    with pytest.raises(ConfigError):
        config_from_table({"thresholds": {"size-tolerence": 0.1}}, "hedgec.toml")


# ---- one home per formula ----------------------------------------------------------------

@pytest.mark.parametrize("example", ["eth-usdc-v2-neutral", "eth-usdc-v3-range"])
def test_validator_and_simulator_value_the_pool_identically(example):
    from hedgec.compiler.kinds import KINDS

    c = compile_text(variant(example))
    pool = next(iter(c.analysis.of_kind("pool").values()))
    plan_pool = build_plan(c)["pools"][0]
    spec = PoolSpec(plan_pool["model"], plan_pool["deposit"], plan_pool["entry_price"],
                    plan_pool["range_low"], plan_pool["range_high"])
    prices = np.linspace(500.0, 9000.0, 341)
    validator = KINDS["pool"].value(pool, {"ETH": prices}, 0.0)
    simulator = PoolModel(spec).value(prices)
    assert validator == pytest.approx(simulator, rel=1e-12)
    assert pool.amount_at(prices) == pytest.approx(PoolModel(spec).amount0(prices), rel=1e-12)


def test_one_liquidation_price_in_check_plan_checklist_and_simulate():
    from hedgec.simulation.from_plan import config_from_plan

    text = variant()
    figures = check(text).figures["perps"]["hedge"]
    c = compile_text(text)
    plan = build_plan(c)
    config = config_from_plan(plan)
    from_grid = grid_liquidation_price(config.perps[0], config.pool.entry_price)
    assert figures["liquidation_price"] == pytest.approx(5825.24, abs=0.005)
    assert plan["perps"][0]["liquidation_price"] == pytest.approx(figures["liquidation_price"], rel=1e-9)
    assert from_grid == pytest.approx(figures["liquidation_price"], rel=1e-9)
    assert "liquidates at 5,825.24 USDC" in render(c)


# ---- checklist figures that follow the registry --------------------------------------------

HEDGE2 = ("  perp hedge2 {\n    venue      = dydx\n    market     = ETH-USD\n    side       = short\n"
          "    hedges     = lp\n    ratio      = 30%\n    collateral = 3000 USDC\n    from       = main\n  }\n\n")


def test_the_legs_of_a_split_hedge_share_one_rebalance_band():
    text = variant(hedge__ratio="70%", hedge__collateral="7000 USDC", hedge__leverage=None,
                   dydx_cover__amount="7000 USDC").replace("  perp hedge {", HEDGE2 + "  perp hedge {")
    c = compile_text(text)
    bands = {s.leg: s.title.split("leaves ")[1] for s in build_steps(c) if s.action == "rebalance"}
    assert set(bands) == {"hedge", "hedge2"}
    assert bands["hedge"] == bands["hedge2"] == "2,430.00 .. 3,630.00 USDC"  # as for one 100% hedge
    funding = [s for s in build_steps(c) if s.action == "funding_alert"]
    assert len(funding) == 1 and "`hedge2`, `hedge`" in funding[0].details[0]


def test_margin_fractions_print_with_their_decimals():
    from hedgec.numbers import pct, share

    assert share(0.012) == "1.2%" and share(0.05) == "5%"
    assert pct(0.9997) == "99.9%"  # never rounded up to a round figure it has not reached
    margin = next(s for s in build_steps(compile_text(variant())) if s.action == "margin")
    assert "(5%)" in margin.details[1] and "(3%)" in margin.details[1]
