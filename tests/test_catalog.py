import time
from datetime import date
from pathlib import Path

import pytest

from hedgec.compiler.catalog import (
    Catalog,
    CatalogError,
    load_catalog,
)


@pytest.fixture(scope="module")
def cat() -> Catalog:
    return load_catalog()


def write(tmp_path: Path, text: str, name: str = "overlay.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def expect_error(overlay: Path, path: str, fragment: str = "") -> CatalogError:
    with pytest.raises(CatalogError) as info:
        load_catalog([overlay])
    e = info.value
    assert e.file == str(overlay)
    assert e.path == path
    assert str(e) == f"{overlay}: at {path}: {e.message}"
    assert str(overlay) in str(e) and path in str(e)
    assert fragment in e.message
    return e


# --- bundled content -------------------------------------------------------


def test_bundled_loads_and_names_its_file(cat):
    assert len(cat.files) == 1 and cat.files[0].endswith("bundled.yaml")
    assert set(cat.chains) >= {"ethereum", "arbitrum", "optimism", "dydx"}
    assert set(cat.venues) >= {"uniswap_v2", "uniswap_v3", "dydx", "dydx_v4", "nexus_mutual", "aave_v3"}
    assert cat.chains["ethereum"].native == "ETH"
    assert cat.chains["arbitrum"].native == "ETH"
    assert cat.chains["dydx"].native == "DYDX"
    assert "USDC" in cat.chains["dydx"].gas_assets


def test_dydx_v3_leverage(cat):
    btc = cat.market("dydx", "BTC-USD")
    assert (btc.imf, btc.mmf) == (0.05, 0.03)
    assert btc.max_leverage == pytest.approx(20)
    assert cat.market("dydx", "ETH-USD").max_leverage == pytest.approx(20)
    assert cat.market("dydx", "AVAX-USD").max_leverage == pytest.approx(10)
    assert cat.market("dydx", "AVAX-USD").mmf == 0.05
    assert (btc.base, btc.quote) == ("BTC", "USD")
    assert cat.market("dydx", "NOPE-USD") is None
    assert cat.market("nope", "BTC-USD") is None


def test_unverified_figures_are_marked(cat):
    assert cat.market("dydx", "BTC-USD").source.verified is True
    assert cat.market("dydx", "SOL-USD").source.verified is False
    assert cat.market("dydx", "LINK-USD").source.verified is False
    product = cat.cover_product_for("nexus_mutual", "dydx")
    assert product.price_source.verified is False
    assert cat.venue("uniswap_v3").gas_source.verified is False


def test_dydx_v4_tiers(cat):
    btc = cat.market("dydx_v4", "BTC-USD")
    assert btc.tier == "large_cap"
    assert (btc.imf, btc.mmf) == (0.02, 0.012)
    assert btc.max_leverage == pytest.approx(50)
    assert cat.market("dydx_v4", "SOL-USD").max_leverage == pytest.approx(20)
    assert cat.market("dydx_v4", "AVAX-USD").max_leverage == pytest.approx(10)
    assert cat.market("dydx_v4", "LINK-USD").tier == "small_cap"
    v4 = cat.venue("dydx_v4")
    assert v4.tiers["long_tail"].max_leverage == pytest.approx(5)
    assert (v4.taker_fee, v4.maker_fee, v4.liquidation_fee) == (0.0005, 0.0001, 0.015)
    assert v4.chain == "dydx" and v4.deposit_required


def test_venues(cat):
    v2 = cat.venue("uniswap_v2")
    assert (v2.kind, v2.model, v2.chain, v2.pool_fee) == ("amm", "constant_product", "ethereum", 0.003)
    assert cat.venue("uniswap_v3").model == "concentrated"
    d = cat.venue("dydx")
    assert (d.kind, d.chain, d.deposit_required) == ("perp", "ethereum", True)
    assert d.gas["open"] == 0 and d.gas["close"] == 0  # off-chain orders
    assert cat.venue("nexus_mutual").gas["buy_cover"] > 0
    assert cat.venue("aave_v3").kind == "lending"
    assert cat.venue("nope") is None


def test_cover_products(cat):
    p = cat.cover_product_for("nexus_mutual", "dydx")
    assert p.product_id == 28
    assert (p.min_period_days, p.max_period_days) == (28, 365)
    assert p.cover_type == "protocol"
    assert p.grace_days == 35
    assert (p.claim_deposit, p.claim_deposit_asset) == (0.05, "ETH")
    assert set(p.currencies) == {"ETH", "USDC", "cbBTC"}
    assert cat.cover_product_for("nexus_mutual", "uniswap_v2").product_id == 71
    assert cat.cover_product_for("nexus_mutual", "uniswap_v3").product_id == 72
    assert cat.cover_product_for("nexus_mutual", "dydx_v4") is None
    assert cat.cover_product_for("other", "dydx") is None
    assert cat.providers() == ("nexus_mutual",)
    assert cat.venue("dydx").cover_product == "nexus_mutual/dydx"
    assert cat.venue("dydx_v4").cover_product is None


def test_defaults(cat):
    assert cat.default("vol", "ETH") == 0.60
    assert cat.default("vol", "DOGE") == cat.default("vol", "default")
    assert cat.default("funding_apr") == 0
    assert cat.default("native_price", "ETH") > 0
    assert cat.default("gas_price_gwei", "ethereum") > 0
    for d in cat.defaults.values():
        assert d.note and d.source.read


def test_every_entry_has_source_and_date(cat):
    entries = [*cat.chains.values(), *cat.cover_products.values()]
    for v in cat.venues.values():
        entries += [v, *v.markets.values(), *v.tiers.values(), *v.option_markets.values(), *v.reserves.values()]
        entries += [r.rates for r in v.reserves.values()]
    sources = [e.source for e in entries] + [r.utilization_source for v in cat.venues.values()
                                             for r in v.reserves.values()]
    for s in sources:
        assert s.url_or_ref
        assert date.fromisoformat(s.read) <= date.today()  # a real date, never in the future


def test_mappings_sorted_and_read_only(cat):
    assert list(cat.venues) == sorted(cat.venues)
    assert list(cat.venue("dydx").markets) == sorted(cat.venue("dydx").markets)
    with pytest.raises(TypeError):
        cat.venues["x"] = None  # type: ignore[index]


def test_bundled_load_is_cached():
    assert load_catalog() is load_catalog()
    t = time.perf_counter()
    for _ in range(100):
        load_catalog()
    assert time.perf_counter() - t < 0.05


# --- overlays --------------------------------------------------------------


def test_overlay_changes_one_figure(tmp_path, cat):
    p = write(tmp_path, "venues:\n  dydx:\n    markets:\n      BTC-USD:\n        imf: 0.1\n        mmf: 0.05\n")
    c = load_catalog([p])
    assert c.market("dydx", "BTC-USD").max_leverage == pytest.approx(10)
    # everything else is untouched
    assert c.market("dydx", "ETH-USD").max_leverage == pytest.approx(20)
    assert c.market("dydx", "BTC-USD").source == cat.market("dydx", "BTC-USD").source
    assert c.files == (cat.files[0], str(p))
    # the bundled catalog is not modified by the overlay
    assert load_catalog().market("dydx", "BTC-USD").imf == 0.05


def test_overlay_adds_a_venue_and_later_overlays_win(tmp_path):
    a = write(tmp_path, """
venues:
  gmx:
    kind: perp
    chain: arbitrum
    source: my notes
    read: 2026-12-01
    markets:
      ETH-USD: {imf: 0.02, mmf: 0.01, source: my notes, read: 2026-12-01, verified: false}
""", "a.yaml")
    b = write(tmp_path, "venues:\n  gmx:\n    markets:\n      ETH-USD:\n        imf: 0.04\n", "b.yaml")
    c = load_catalog([a, b])
    m = c.market("gmx", "ETH-USD")
    assert m.imf == 0.04 and m.mmf == 0.01
    assert m.source.read == "2026-12-01"  # unquoted YAML date becomes an ISO string
    assert c.venue("gmx").chain == "arbitrum"


def test_overlay_changes_a_tier(tmp_path):
    p = write(tmp_path, "venues:\n  dydx_v4:\n    tiers:\n      large_cap: {imf: 0.04, mmf: 0.02}\n")
    c = load_catalog([p])
    assert c.market("dydx_v4", "BTC-USD").max_leverage == pytest.approx(25)


def test_overlay_bad_type(tmp_path):
    p = write(tmp_path, "venues:\n  dydx:\n    markets:\n      BTC-USD:\n        imf: lots\n")
    expect_error(p, "venues.dydx.markets.BTC-USD.imf", "'lots' is not of type 'number'")


def test_overlay_negative_imf(tmp_path):
    p = write(tmp_path, "venues:\n  dydx:\n    markets:\n      BTC-USD:\n        imf: -0.1\n")
    e = expect_error(p, "venues.dydx.markets.BTC-USD.imf")
    assert e.message == "-0.1 is less than the minimum of 0"


def test_overlay_mmf_not_below_imf(tmp_path):
    p = write(tmp_path, "venues:\n  dydx:\n    markets:\n      BTC-USD:\n        imf: 0.03\n")
    expect_error(p, "venues.dydx.markets.BTC-USD.imf", "must be less than")
    p = write(tmp_path, "venues:\n  dydx:\n    markets:\n      BTC-USD:\n        mmf: 0.06\n")
    expect_error(p, "venues.dydx.markets.BTC-USD.mmf", "must be less than")


def test_overlay_tier_mmf_not_below_imf(tmp_path):
    p = write(tmp_path, "venues:\n  dydx_v4:\n    tiers:\n      large_cap: {mmf: 0.02}\n")
    expect_error(p, "venues.dydx_v4.tiers.large_cap.mmf", "must be less than")


def test_overlay_unknown_chain(tmp_path):
    p = write(tmp_path, "venues:\n  dydx:\n    chain: solana\n")
    expect_error(p, "venues.dydx.chain", "unknown chain 'solana'")


def test_overlay_unknown_tier(tmp_path):
    p = write(tmp_path, "venues:\n  dydx_v4:\n    markets:\n      BTC-USD: {tier: mega_cap}\n")
    expect_error(p, "venues.dydx_v4.markets.BTC-USD.tier", "unknown tier 'mega_cap'")


def test_overlay_cover_unknown_venue(tmp_path):
    p = write(tmp_path, "cover_products:\n  nexus_mutual:\n    dydx:\n      covers: [dydx, nowhere]\n")
    expect_error(p, "cover_products.nexus_mutual.dydx.covers.1", "unknown venue 'nowhere'")


def test_overlay_new_venue_missing_required(tmp_path):
    p = write(tmp_path, "venues:\n  gmx:\n    kind: perp\n")
    expect_error(p, "venues.gmx", "'chain' is a required property")


def test_overlay_unknown_key(tmp_path):
    p = write(tmp_path, "venues:\n  dydx:\n    makr_fee: 0.1\n")
    expect_error(p, "venues.dydx", "'makr_fee' was unexpected")


def test_overlay_alias_bomb_is_refused_fast(tmp_path):
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, cur in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    p = write(tmp_path, "\n".join(lines) + "\n")
    t = time.perf_counter()
    e = expect_error(p, "a", "anchors")
    assert time.perf_counter() - t < 0.5
    assert "line 1" in e.message


def test_overlay_alias_alone_is_refused(tmp_path):
    # an alias to an anchor defined nowhere still must not pass as data
    p = write(tmp_path, "venues:\n  dydx:\n    markets:\n      - *x\n")
    expect_error(p, "venues.dydx.markets.0", "aliases")


def test_overlay_custom_tag(tmp_path):
    p = write(tmp_path, "venues:\n  dydx:\n    chain: !!python/object:os.system ethereum\n")
    expect_error(p, "venues.dydx.chain", "tags")
    p = write(tmp_path, "venues: !custom\n  dydx: {}\n")
    expect_error(p, "venues", "tags")


def test_overlay_not_yaml(tmp_path):
    p = write(tmp_path, "venues: [unclosed\n  dydx: {\n")
    expect_error(p, "<document>", "not valid YAML")


def test_overlay_not_a_mapping(tmp_path):
    expect_error(write(tmp_path, "- 1\n- 2\n"), "<document>", "mapping")
    expect_error(write(tmp_path, "", "empty.yaml"), "<document>", "empty")


def test_overlay_duplicate_key(tmp_path):
    p = write(tmp_path, "venues:\n  dydx: {}\n  dydx: {}\n")
    expect_error(p, "<document>", "not valid YAML")


def test_overlay_missing_file(tmp_path):
    expect_error(tmp_path / "absent.yaml", "<document>", "not found")


def test_overlay_non_finite_number(tmp_path):
    p = write(tmp_path, "venues:\n  dydx:\n    markets:\n      BTC-USD: {imf: .nan}\n")
    expect_error(p, "venues.dydx.markets.BTC-USD.imf", "finite")


def test_error_attributes():
    e = CatalogError("f.yaml", "venues.dydx", "bad")
    assert (e.file, e.path, e.message) == ("f.yaml", "venues.dydx", "bad")
    assert str(e) == "f.yaml: at venues.dydx: bad"


def test_import_is_lazy():
    import subprocess
    import sys

    code = (
        "import sys, hedgec.compiler.catalog as c;"
        "print(any(m.split('.')[0] in ('ruamel', 'jsonschema') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_overlay_load_is_deterministic(tmp_path):
    p = write(tmp_path, "venues:\n  dydx:\n    markets:\n      ZZZ-USD: {imf: 0.5, mmf: 0.25, source: x, read: '2026-11-25'}\n"
              "      AAA-USD: {imf: 0.5, mmf: 0.25, source: x, read: '2026-11-25'}\n")
    a, b = load_catalog([p]), load_catalog([p])
    assert a == b
    names = list(a.venue("dydx").markets)
    assert names == sorted(names) and "AAA-USD" in names


def test_overlay_version_must_be_1(tmp_path):
    expect_error(write(tmp_path, "version: 2\n"), "version", "1 was expected")


# --- option venues ---------------------------------------------------------


def test_deribit_options(cat):
    d = cat.venue("deribit")
    assert (d.kind, d.chain, d.custodial, d.deposit_required) == ("options", "ethereum", True, True)
    assert (d.maker_fee, d.taker_fee, d.premium_cap) == (0.0003, 0.0003, 0.125)
    assert (d.delivery_fee.rate, d.delivery_fee.premium_cap) == (0.00015, 0.125)
    assert d.delivery_fee.source.verified is False
    btc, eth = cat.option_market("deribit", "BTC"), cat.option_market("deribit", "ETH")
    for m, coin in ((btc, "BTC"), (eth, "ETH")):
        assert m.inverse and m.settle_asset == coin and m.contract_size == 1
        assert (m.style, m.exercise, m.expiry_utc) == ("european", "cash", "08:00")
        assert m.tick == 0.0005
    assert (btc.min_size, btc.source.verified) == (0.1, True)
    assert (eth.min_size, eth.source.verified) == (1, False)
    assert cat.option_market("deribit", "SOL") is None and cat.option_market("nope", "ETH") is None
    cover = cat.cover_product_for("nexus_mutual", "deribit")
    assert (cover.product_id, cover.cover_type, cover.source.verified) == (280, "custody", False)
    assert d.cover_product == "nexus_mutual/deribit"


def test_derive_options(cat):
    d = cat.venue("derive")
    assert (d.kind, d.custodial) == ("options", False)
    assert set(d.option_markets) == {"BTC", "ETH"}
    eth = d.option_markets["ETH"]
    assert (eth.inverse, eth.settle_asset, eth.style, eth.min_size) == (False, "USDC", "european", None)
    cover = cat.cover_product_for("nexus_mutual", "derive")
    assert (cover.product_id, cover.cover_type, cover.source.verified) == (157, "protocol", False)
    # venues of other kinds list no options
    assert cat.venue("dydx").option_markets == {} and not cat.venue("dydx").custodial


def test_deribit_fee_from_the_catalog(cat):
    from hedgec.options import option_fee

    d = cat.venue("deribit")
    # 1 ETH put at 355.27 USDC, index 3,000: min(0.03% * 3000, 12.5% * 355.27) = 0.90 USDC
    assert option_fee(1, 3000, 355.27, rate=d.taker_fee, cap=d.premium_cap) == pytest.approx(0.90)
    # a 4 USDC option: capped at 0.50
    assert option_fee(1, 3000, 4.0, rate=d.taker_fee, cap=d.premium_cap) == pytest.approx(0.50)


def test_overlay_adds_an_options_venue(tmp_path):
    p = write(tmp_path, """
venues:
  aevo:
    kind: options
    chain: ethereum
    deposit_required: true
    source: my notes
    read: 2026-12-01
    fees: {maker: 0.0003, taker: 0.0005, premium_cap: 0.125, source: my notes, read: 2026-12-01}
    option_markets:
      ETH:
        settlement: linear
        settle_asset: USDC
        contract_size: 1
        style: european
        exercise: cash
        expiry_utc: "08:00"
        min_size: 0.01
        source: my notes
        read: 2026-12-01
        verified: false
  deribit:
    option_markets:
      ETH: {min_size: 0.1, verified: true}
""")
    c = load_catalog([p])
    aevo = c.option_market("aevo", "ETH")
    assert (aevo.settle_asset, aevo.min_size, aevo.inverse) == ("USDC", 0.01, False)
    assert c.venue("aevo").premium_cap == 0.125 and c.venue("aevo").delivery_fee is None
    eth = c.option_market("deribit", "ETH")
    assert (eth.min_size, eth.source.verified, eth.tick) == (0.1, True, 0.0005)
    assert load_catalog().option_market("deribit", "ETH").min_size == 1


@pytest.mark.parametrize("text,path,fragment", [
    ("venues:\n  opts:\n    kind: options\n    chain: ethereum\n    source: s\n    read: 2026-12-01\n",
     "venues.opts", "needs at least one option market"),
    ("venues:\n  deribit:\n    option_markets:\n      ETH: {settle_asset: USDC}\n",
     "venues.deribit.option_markets.ETH.settle_asset", "settles in ETH"),
    ("venues:\n  dydx:\n    option_markets:\n      ETH: {settlement: linear, settle_asset: USDC, contract_size: 1,"
     " style: european, exercise: cash, source: s, read: 2026-12-01}\n",
     "venues.dydx.option_markets", "only an options venue"),
    ("venues:\n  dydx:\n    fees: {premium_cap: 0.1}\n", "venues.dydx.fees.premium_cap", "only an options venue"),
    ("venues:\n  deribit:\n    option_markets:\n      ETH: {settlement: physical}\n",
     "venues.deribit.option_markets.ETH.settlement", "is not one of"),
    ("venues:\n  deribit:\n    option_markets:\n      ETH: {expiry_utc: 8am}\n",
     "venues.deribit.option_markets.ETH.expiry_utc", "does not match"),
    ("venues:\n  deribit:\n    option_markets:\n      ETH: {min_size: 0}\n",
     "venues.deribit.option_markets.ETH.min_size", "less than or equal to the minimum"),
])
def test_overlay_bad_options(tmp_path, text, path, fragment):
    expect_error(write(tmp_path, text), path, fragment)


def test_options_overlay_example_in_the_docs_loads(tmp_path):
    doc = (Path(__file__).resolve().parent.parent / "docs" / "options.md").read_text()
    example = doc.split("```yaml\n", 1)[1].split("```", 1)[0]
    c = load_catalog([write(tmp_path, example)])
    assert c.option_market("aevo", "ETH").min_size == 0.01
