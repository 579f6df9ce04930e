"""Every quantity has a domain; every assumption names something the strategy
uses: what `check` passes means something (issue "Truthful and total")."""
import pytest

from hedgec.cli.main import main
from hedgec.compiler.schema import block_keys
from rules_support import check, codes, only, variant


@pytest.mark.parametrize("changes, words", [
    ({"lp__deposit": "0 USDC"}, "`deposit`: must be above 0, not 0"),
    ({"dydx_cover__amount": "0 USDC"}, "`amount`: must be above 0, not 0"),
    ({"hedge__ratio": "0%"}, "`ratio`: must be above 0%, not 0%"),
    ({"hedge__rebalance": "0%"}, "`rebalance`: must be above 0%, not 0%"),
    ({"assume__vol_dot_ETH": "0%"}, "`vol.ETH`: must be above 0%, not 0%"),
    ({"assume__vol_dot_ETH": "1000000%"}, "must be at most 1000%, not 1000000%"),
    ({"lp__fee_apr": "1000000%"}, "`fee_apr`: must be at most 1000%"),
    ({"assume__funding_dot_ETH-USD": "1000000% apr"}, "must be at most 1000% apr"),
    ({"eth_usdc_v2_neutral__horizon": "1000000y"}, "`horizon`: must be at most 36500d"),
])
def test_impossible_values_are_located_errors(changes, words):
    result = check(variant(**changes))
    assert not result.ok and result.blocked
    d = only(result, "H104")
    assert words in d.message, d.message
    assert d.span.line > 1


@pytest.mark.parametrize("changes, words", [
    ({"assume__vol_dot_ETH": "400%"}, "400% is far outside what strategies use (above 300%)"),
    ({"lp__fee_apr": "250%"}, "250% is far outside"),
    ({"eth_usdc_v2_neutral__horizon": "20y"}, "7300d is far outside what strategies use (above 3650d)"),
    ({"hedge__ratio": "150%"}, "150% is far outside"),
])
def test_implausible_values_are_warnings_that_can_be_silenced(changes, words):
    result = check(variant(**changes))
    d = only(result, "H117")
    assert words in d.message and d.severity.value == "warning"


@pytest.mark.parametrize("key, value, words", [
    ("funding.ETH", "8% apr", "`funding` is assumed per perp market (BASE-QUOTE), not `ETH`"),
    ("vol.ETH-USD", "60%", "`vol` is assumed per asset, not `ETH-USD`"),
])
def test_an_assumption_of_the_wrong_shape_is_an_error(key, value, words):
    text = variant().replace("    gas_price       = 20 gwei", f"    gas_price       = 20 gwei\n    {key} = {value}")
    d = only(check(text), "H116")
    assert words in d.message


@pytest.mark.parametrize("key, hint", [
    ("drift.ETHH", "did you mean `ETH`?"),
    ("funding.BANANA-USD", "the strategy uses ETH-USD"),
    ("vol.SOL", "the strategy uses"),
])
def test_an_assumption_nothing_uses_is_reported_with_a_suggestion(key, hint):
    value = "8% apr" if key.startswith(("drift", "funding")) else "60%"
    text = variant().replace("    gas_price       = 20 gwei", f"    gas_price       = 20 gwei\n    {key} = {value}")
    d = only(check(text), "H118")
    assert f"`{key}` is used by nothing" in d.message and hint in d.hint


def test_the_examples_use_every_assumption_they_make():
    for name in ("eth-usdc-v2-neutral", "eth-usdc-v3-range", "avax-uncovered", "btc-overlevered"):
        assert "H118" not in codes(check(variant(name)))


def test_every_quantity_states_its_domain_in_the_key_table():
    # amounts, percentages, rates and durations: each key says where it means something
    quantities = [(kind, name) for kind, keys in block_keys().items() for name, key in keys.items()
                  if key.form in ("amount", "percent", "rate", "percent_or_rate", "duration", "rebalance")]
    assert quantities and all(block_keys()[kind][name].domain is not None for kind, name in quantities), \
        [q for q in quantities if block_keys()[q[0]][q[1]].domain is None]


@pytest.mark.parametrize("changes", [{"lp__range": "2000 .. 4000 USDC"}, {"hedge__hedges": "main"}])
def test_what_check_refuses_no_target_compiles(tmp_path, capsys, changes):
    path = tmp_path / "s.hedge"
    path.write_text(variant(**changes))
    for command in (["plan"], ["checklist"], ["graph"], ["simulate", "--paths", "50"]):
        assert main(command + [str(path)]) == 1
        assert "internal error" not in capsys.readouterr().err
