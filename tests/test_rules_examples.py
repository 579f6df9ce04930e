"""The canonical examples keep their outcome, with exactly these findings."""
import json
from pathlib import Path

import pytest

from hedgec.cli.main import main
from hedgec.compiler.rules.reference import markdown
from rules_support import SPECS, check, codes, example

EXPECTED = {
    "eth-usdc-v2-neutral": (True, ["H507", "H507"]),
    "btc-overlevered": (False, ["H201", "H301", "H304", "H305", "H501", "H507", "H701", "H701", "H701"]),
    "avax-uncovered": (False, ["H201", "H301", "H304", "H305", "H501", "H501", "H605", "H701", "H701", "H701"]),
    "eth-usdc-v3-range": (True, ["H202", "H203", "H401", "H501", "H507"]),
    "eth-usdc-v2-straddle": (True, ["H507", "H507", "H507", "H507", "H851", "H851", "H853", "H858"]),
    "btc-eth-v2-two-shorts": (True, ["H507", "H507", "H507"]),
    "eth-usdc-v2-aave-borrow": (True, ["H507", "H507", "H805"]),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_findings(name):
    ok, expected = EXPECTED[name]
    result = check(example(name))
    assert result.ok is ok
    assert codes(result) == expected


def test_v2_example_has_no_warning():
    assert all(d.severity.value == "info" for d in check(example()).diagnostics)


def test_avax_warns_about_both_uncovered_venues():
    result = check(example("avax-uncovered"))
    uncovered = sorted(d.message for d in result.diagnostics if d.code == "H501")
    assert uncovered == ["perp `hedge` holds 250 USDC on dydx with no cover protecting it",
                         "pool `lp` holds 5,000 USDC on uniswap_v2 with no cover protecting it"]


def test_check_json_carries_the_figures(capsys):
    assert main(["check", "--format", "json", str(SPECS / "eth-usdc-v2-neutral.hedge")]) == 0
    first = capsys.readouterr().out
    figures = json.loads(first)["files"][0]["figures"]
    perp = figures["perps"]["hedge"]
    for key in ("notional", "leverage", "liquidation_price", "liquidation_distance", "liquidation_probability"):
        assert isinstance(perp[key], float)
    assert figures["covers"]["pool_cover"]["premium"] > 0 and figures["wallets"]["main"]["cost"] > 0
    main(["check", "--format", "json", str(SPECS / "eth-usdc-v2-neutral.hedge")])
    assert capsys.readouterr().out == first  # byte-identical


def test_check_specs_exit_code(capsys):
    assert main(["check", str(SPECS)]) == 1
    assert "checked 7 files: 4 errors, 9 warnings, 27 info" in capsys.readouterr().out


def test_rules_reference_is_current():
    committed = (Path(__file__).resolve().parent.parent / "docs" / "rules.md").read_text("utf-8")
    assert committed == markdown(), "regenerate: python -m hedgec.compiler.rules.reference > docs/rules.md"
