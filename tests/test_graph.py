"""The dependency graph and the structure rules built on it."""
from hedgec.compiler.graph import format_cycle
from hedgec.compiler.pipeline import check_text

from conftest import SPECS


def result(text):
    return check_text(text, "t.hedge")


def test_typed_edges_of_v2(v2_text):
    g = result(v2_text).graph
    assert g.nodes("wallet") == ["main"]
    assert g.nodes("venue") == ["venue:dydx", "venue:nexus_mutual", "venue:uniswap_v2"]
    assert g.targets("hedge", "hedges") == ["lp"]
    assert g.protectors("hedge") == ["dydx_cover"] and g.protectors("lp") == ["pool_cover"]
    assert g.sources("lp", "funds") == ["main"]
    assert g.venue_of("hedge") == "dydx" and g.venue_of("pool_cover") == "nexus_mutual"
    assert g.funding_wallet("dydx_cover") == "main"
    assert {e.kind for e in g.edges()} == {"funds", "hedges", "protects", "held_at"}


def test_order_is_topological_and_deterministic(v2_text):
    order = result(v2_text).graph.order()
    assert order[0] == "main"
    assert order.index("pool_cover") < order.index("lp") < order.index("hedge")
    assert order.index("dydx_cover") < order.index("hedge")
    assert order == result(v2_text).graph.order()


def codes(text):
    return [d.code for d in result(text).diagnostics]


def test_unknown_reference_with_hint(v2_text):
    d = [d for d in result(v2_text.replace("hedges     = lp", "hedges     = lq")).diagnostics if d.code == "H107"]
    assert d and d[0].hint == "did you mean `lp`?" and d[0].span.line == 33


def test_wrong_kind_reference(v2_text):
    found = result(v2_text.replace("hedges     = lp", "hedges     = dydx_cover")).diagnostics
    d = next(d for d in found if d.code == "H108")
    assert "must name a pool" in d.message and "is a cover" in d.message


def test_duplicate_name(v2_text):
    text = v2_text.replace("cover pool_cover {", "cover lp {").replace("protects = lp\n", "protects = hedge\n")
    assert "H106" in codes(text)


def test_cycle_is_reported_as_a_path(v2_text):
    text = v2_text.replace("    from    = main\n  }\n\n  perp", "    from    = hedge\n  }\n\n  perp")
    text = text.replace("    order      = market\n    from       = main", "    order      = market\n    from       = lp")
    d = next(d for d in result(text).diagnostics if d.code == "H109")
    assert "hedge --> lp --> hedge" in d.message
    assert format_cycle(["a", "b", "c"]) == "a --> b --> c --> a"


def test_leg_with_no_funding_wallet(v2_text):
    text = v2_text.replace("    order      = market\n    from       = main", "    order      = market\n    from       = lp")
    text = text.replace("    fee_apr = 15%\n    from    = main", "    fee_apr = 15%\n    from    = pool_cover")
    text = text.replace("    protects = lp\n    amount   = 20000 USDC\n    period   = 90d\n    from     = main",
                        "    protects = lp\n    amount   = 20000 USDC\n    period   = 90d\n    from     = lp")
    found = result(text).diagnostics
    assert "H109" in [d.code for d in found]  # lp --> pool_cover --> lp
    unfunded = {d.message for d in found if d.code == "H110"}
    assert "`perp hedge` is not funded by any wallet" in unfunded  # its funds come from the cycle


def test_unknown_venue_market_chain(v2_text):
    assert "H111" in codes(v2_text.replace("venue   = uniswap_v2", "venue   = uniswap_v9"))
    assert "H111" in codes(v2_text.replace("chain   = ethereum", "chain   = etherum"))
    assert "H112" in codes(v2_text.replace("market     = ETH-USD", "market     = DOGE-USD"))
    assert "H114" in codes(v2_text.replace("venue      = dydx", "venue      = uniswap_v2"))


def test_clean_examples_have_no_structure_errors():
    for name in ("eth-usdc-v2-neutral.hedge", "eth-usdc-v3-range.hedge"):
        assert not [d for d in result((SPECS / name).read_text()).diagnostics if d.code < "H200"]
