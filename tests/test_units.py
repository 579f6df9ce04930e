"""Unit-aware arithmetic: never add ETH to USDC as bare numbers."""
import pytest

from hedgec.compiler.units import Amount, Prices, UnitError, price_symbol
from hedgec.numbers import plain as format_number


def test_same_asset_adds():
    assert Amount(1, "ETH") + Amount(0.5, "ETH") == Amount(1.5, "ETH")
    assert Amount(10, "USDC") * 3 == Amount(30, "USDC")
    assert Amount(10, "USDC") / Amount(4, "USDC") == 2.5


def test_mixed_assets_refuse_to_add():
    with pytest.raises(UnitError, match="without a price"):
        Amount(1, "ETH") + Amount(3000, "USDC")
    with pytest.raises(UnitError):
        Amount(1, "ETH") < Amount(1, "BTC")
    with pytest.raises(UnitError):
        Amount(1, "ETH") * Amount(1, "ETH")


def test_conversion_needs_a_price():
    prices = Prices("USDC", {"ETH": 3000.0})
    assert Amount(2, "ETH").to("USDC", prices) == Amount(6000, "USDC")
    assert Amount(2, "WETH").to("USDC", prices) == Amount(6000, "USDC")  # wrapped priced as underlying
    assert Amount(6000, "USDC").to("ETH", prices) == Amount(2, "ETH")
    with pytest.raises(UnitError, match="price.BTC"):
        Amount(1, "WBTC").to("USDC", prices)


def test_stablecoins_at_par_and_symbols():
    assert price_symbol("USDT") == price_symbol("USDC") == "USD"
    assert Amount(5, "USDC") + Amount(5, "USD") == Amount(10, "USDC")
    assert format_number(20000.0) == "20000" and format_number(0.25) == "0.25"


def test_report_table_numbers():
    from hedgec.numbers import cents, days_tenths, pct_hundredths, signed_pct

    assert [signed_pct(0.0125), signed_pct(-0.004), signed_pct(None)] == ["+1.25%", "-0.40%", "n/a"]
    assert [pct_hundredths(0.0125), pct_hundredths(-0.05), pct_hundredths(None)] == ["1.25%", "-5.00%", "n/a"]
    assert [cents(1234.5), cents(-1e-13), cents(-2.004)] == ["1,234.50", "0.00", "-2.00"]
    assert [days_tenths(12.46), days_tenths(None)] == ["12.5 d", "n/a"]
