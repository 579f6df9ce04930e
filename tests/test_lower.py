"""Lowering to the typed IR: value forms per key, units, positions."""
import pytest

from hedgec.compiler import ir
from hedgec.compiler.kinds.wallet import Wallet
from hedgec.compiler.lower import lower
from hedgec.compiler.pipeline import check_text
from hedgec.compiler.syntax import parse
from hedgec.compiler.units import Amount

from conftest import SPECS


def strategy_of(text: str):
    strategy, problems = lower(parse(text, "t.hedge"), "t.hedge")
    return strategy, problems


def test_v2_example_ir(v2_text):
    s, problems = strategy_of(v2_text)
    assert problems == []
    assert s.name == "eth_usdc_v2_neutral" and s.base == "USDC"
    assert s.horizon == ir.Duration(90)
    assert s.assume.prices == {"ETH": Amount(3000, "USDC")}
    assert s.assume.vols == {"ETH": 0.6}
    assert s.assume.funding == {"ETH-USD": pytest.approx(0.08)}
    assert s.assume.gas_price == ir.GasPrice(20)
    (wallet,) = s.of_kind("wallet")
    assert wallet == Wallet("main", "self", "ethereum", Amount(0.25, "ETH"))
    (pool,) = s.of_kind("pool")
    assert pool.pair == ir.Pair("ETH", "USDC") and pool.deposit == Amount(20000, "USDC")
    assert pool.fee_apr == pytest.approx(0.15) and pool.source == ir.Ref("main")
    (perp,) = s.of_kind("perp")
    assert perp.hedges == ir.Ref("lp") and perp.ratio == 1.0 and perp.leverage == ir.Leverage(1)
    assert perp.order == ir.Order("market")
    assert [c.protects.name for c in s.of_kind("cover")] == ["hedge", "lp"]
    assert s.of_kind("cover")[0].period == ir.Duration(90)


def test_v3_range_and_limit_order():
    s, _ = strategy_of((SPECS / "eth-usdc-v3-range.hedge").read_text())
    assert s.of_kind("pool")[0].range == ir.PriceRange(2400, 4000, "USDC")
    assert s.of_kind("perp")[0].leverage is None
    b, _ = strategy_of((SPECS / "btc-overlevered.hedge").read_text())
    assert b.of_kind("perp")[0].order == ir.Order("limit", Amount(20100, "USDC"))


def test_attribute_spans_point_at_the_line(v2_text):
    s, _ = strategy_of(v2_text)
    assert s.of_kind("perp")[0].at("leverage").line == 36
    assert s.of_kind("perp")[0].span.line == 29


@pytest.mark.parametrize("text,days", [("90d", 90), ("8h", 8 / 24), ("4w", 28), ("1y", 365)])
def test_durations(text, days):
    s, problems = strategy_of(f"strategy s {{\n horizon = {text}\n}}")
    assert problems == [] and s.horizon.days == pytest.approx(days)


def test_equality_ignores_layout(v2_text):
    packed = "\n".join(line.strip() for line in v2_text.splitlines() if line.strip())
    assert strategy_of(packed)[0] == strategy_of(v2_text)[0]


def codes(text: str) -> list[str]:
    return [d.code for d in check_text(text, "t.hedge").diagnostics]


def with_attr(v2_text: str, old: str, new: str) -> str:
    assert old in v2_text
    return v2_text.replace(old, new, 1)


@pytest.mark.parametrize("old,new,code", [
    ("leverage   = 1x", "leverage   = 1 USDC", "H104"),
    ("leverage   = 1x", "leverage   = -1x", "H006"),
    ("horizon = 90d", "horizon = 90 USDC", "H104"),
    ("deposit = 20000 USDC", "deposit = 20000", "H104"),
    ("deposit = 20000 USDC", "deposit = 1e999 USDC", "H006"),
    ("deposit = 20000 USDC", "deposit = -0 USDC", "H006"),
    ("deposit = 20000 USDC", "deposit = 1234567890123456789 USDC", "H006"),
    ("side       = short", "side       = shrt", "H104"),
    ("funding.ETH-USD = 8% apr", "funding.ETH-USD = 8%", "H104"),
    ("gas_price       = 20 gwei", "gas_price       = 20 USDC", "H104"),
    ("pair    = ETH/USDC", "pair    = ETH", "H104"),
    ("market     = ETH-USD", "market     = eth", "H104"),
    ("order      = market", "order      = stop 1 USDC", "H104"),
    ("collateral = 10000 USDC", "colateral = 10000 USDC", "H102"),
    ("vol.ETH         = 60%", "volatility.ETH  = 60%", "H116"),
])
def test_invalid_values_are_located(v2_text, old, new, code):
    result = check_text(with_attr(v2_text, old, new), "t.hedge")
    hits = [d for d in result.diagnostics if d.code == code]
    assert hits, [str(d) for d in result.diagnostics]
    line = next(i for i, l in enumerate(with_attr(v2_text, old, new).splitlines(), 1) if new in l)
    assert hits[0].span.line == line


def test_unknown_key_hint(v2_text):
    d = next(d for d in check_text(with_attr(v2_text, "collateral = 10000", "colateral = 10000")).diagnostics
             if d.code == "H102")
    assert d.hint == "did you mean `collateral`?"


def test_duplicate_key_and_missing_key(v2_text):
    text = with_attr(v2_text, "    fee_apr = 15%\n", "    fee_apr = 15%\n    fee_apr = 16%\n")
    text = with_attr(text, "    market     = ETH-USD\n", "")
    found = codes(text)
    assert "H105" in found and "H103" in found


def test_empty_range_is_refused(v2_text):
    text = with_attr(v2_text, "fee_apr = 15%", "range = 4000 .. 2400 USDC")
    assert "H104" in codes(text)


def test_unknown_blocks_and_second_strategy():
    assert "H101" in codes("strategy s {\n horizon = 30d\n swap o {\n }\n}")
    assert "H101" in codes("pool p {\n}\n")
    assert "H113" in codes("strategy a {\n horizon = 1d\n}\nstrategy b {\n horizon = 1d\n}")


def test_every_form_has_words_for_its_error_message(v2_text):
    from hedgec.compiler.schema import ASSUME, FORMS, block_keys

    BLOCKS = block_keys()

    forms = {k.form for keys in BLOCKS.values() for k in keys.values()} | {k.form for k in ASSUME.values()}
    assert forms <= set(FORMS)
    d = next(d for d in check_text(with_attr(v2_text, "fee_apr = 15%", "fee_apr = 15x")).diagnostics)
    assert d.code == "H104" and "a yearly percentage" in d.message
