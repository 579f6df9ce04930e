from rules_support import check, codes, only, variant


def test_missing_assumption_uses_documented_default():
    d = only(check(variant(assume__vol_dot_ETH=None)), "H701")
    assert "`vol.ETH`" in d.message and "60%" in d.message
    assert d.span.line == 8  # the assume block


def test_missing_price_is_a_located_error_not_a_dropped_leg():
    result = check(variant(assume__price_dot_ETH=None))
    problems = [d for d in result.diagnostics if d.code == "H115"]
    assert problems and not result.ok
    assert "no price for ETH" in problems[0].message and "price.ETH" in problems[0].hint
    assert problems[0].span.line == 22  # `pair = ETH/USDC` of the pool, one line up without the price
    assert "H402" not in codes(result)  # no carry from a sum missing its legs


def test_example_with_every_assumption_reports_no_default():
    assert "H701" not in codes(check(variant()))
