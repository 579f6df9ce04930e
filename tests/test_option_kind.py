"""The `option` kind: its language, figures, carry, plan and checklist, and the
issue's reference figures through the compiler's own valuation."""
import math

import numpy as np
import pytest
from pytest import approx

from hedgec import options
from hedgec.compiler.rules.options import horizon_pnl
from rules_support import check, codes, only, variant
from targets_support import compile_text, validator

EXAMPLE = "eth-usdc-v2-straddle"
T = 90 / 365
SIGMA = 0.6


def N(x: float) -> float:
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


def phi(x: float) -> float:
    return math.exp(-x * x / 2) / math.sqrt(2 * math.pi)


def atm(spot: float, vol: float, years: float) -> float:
    """An at-the-money call or put at zero rate: S (2 N(s sqrt T / 2) - 1)."""
    return spot * (2 * N(vol * math.sqrt(years) / 2) - 1)


def figures(text: str, name: str):
    return check(text).figures["options"][name]


def test_the_reference_put_costs_355_27_with_delta_minus_0_4408():
    put = figures(variant(EXAMPLE), "put_leg")
    assert put["unit_price"] == approx(355.27, abs=0.005)
    assert put["unit_price"] == approx(atm(3000, SIGMA, T), rel=1e-9)
    assert put["unit_delta"] == approx(-0.4408, abs=5e-5)
    assert put["unit_delta"] == approx(N(SIGMA * math.sqrt(T) / 2) - 1, rel=1e-9)


def test_bounds_2x_sizes_the_straddle_at_0_5719_eth_each_side():
    # n = (V0/2)(sqrt 2 - 1) / ((sqrt 2 + 1) S0) = 10000 x 0.414214 / (2.414214 x 3000)
    result = check(variant(EXAMPLE))
    for leg in ("put_leg", "call_leg"):
        f = result.figures["options"][leg]
        assert f["size"] == approx(0.571909, abs=1e-6)
        assert f["size"] == approx(options.bounds_matched_straddle(20000, 3000, 2), rel=1e-9)
        assert f["sizing"] == "bounds 2x"
    assert result.figures["carry"]["option_premiums"] == approx(406.36, abs=0.005)


def test_a_bounds_sized_put_alone_pays_the_pool_loss_at_the_band_bottom():
    # loss at r = 1/3: (V0/2)(1/sqrt 3 - 1)^2 = 10000 x 0.178633 = 1786.33; a 3000 put pays 2000 a unit
    text = variant(EXAMPLE, drop=("call_leg", "call_cover"), put_leg__size="bounds 3x")
    assert figures(text, "put_leg")["size"] == approx(10000 * (1 / math.sqrt(3) - 1) ** 2 / 2000, rel=1e-9)


def test_the_v2_strip_that_replicates_the_loss_is_worth_220_69():
    # Carr-Madan: V0 / (4 sqrt S0) K^-3/2 of puts below S0 and calls above, priced by Black-76
    strikes = np.geomspace(3000 / 400, 3000 * 400, 400_001)
    mids, widths = (strikes[1:] + strikes[:-1]) / 2, np.diff(strikes)
    kinds = np.where(mids < 3000, "put", "call")
    density = 20000 / (4 * math.sqrt(3000)) * mids ** -1.5
    strip = float(np.sum(density * options.black76_price(kinds, 3000.0, mids, T, SIGMA) * widths))
    assert strip == approx(220.69, abs=0.01)
    assert options.v2_strip_cost(20000, SIGMA, T) == approx(220.69, abs=0.005)


def test_straddle_residual_is_minus_the_premium_at_half_and_twice_the_price_and_no_worse_between():
    # pool + 3.3333 ETH short + 0.5719 ETH straddle: -(V0/2)(sqrt r - 1)^2 + n S0 |r - 1| - premium
    c = compile_text(variant(EXAMPLE))
    premium = c.analysis.carry["option_premiums"]
    edges = horizon_pnl(c.analysis, np.array([0.5, 2.0]))
    assert edges == approx([-406.36, -406.36], abs=0.005)
    assert edges == approx([-premium, -premium], rel=1e-9)
    band = horizon_pnl(c.analysis, np.geomspace(0.5, 2.0, 1001))
    assert band.min() >= -premium - 1e-6
    r = 1.5
    expected = -10000 * (math.sqrt(r) - 1) ** 2 + c.analysis.figures["put_leg"].size * 3000 * (r - 1) - premium
    assert horizon_pnl(c.analysis, np.array([r]))[0] == approx(expected, rel=1e-9)
    without = horizon_pnl(c.analysis, np.array([2.0]), with_options=False)[0]
    assert without == approx(-10000 * (math.sqrt(2) - 1) ** 2, rel=1e-9)  # -1,715.73: the loss a perp leaves


def test_implied_volatility_comes_from_iv_and_falls_back_to_vol():
    text = variant(EXAMPLE, assume__iv_dot_ETH="62%")
    put = figures(text, "put_leg")
    assert put["iv"] == 0.62 and put["iv_key"] == "iv.ETH"
    assert put["unit_price"] == approx(atm(3000, 0.62, T), rel=1e-9)
    assert "H852" not in codes(check(text))
    fallback = check(variant(EXAMPLE, assume__iv_dot_ETH=None))
    d = only(fallback, "H852")
    assert "priced at vol.ETH 60%" in d.message and d.span.line == 45
    assert fallback.figures["options"]["put_leg"]["iv_key"] == "vol.ETH"


@pytest.mark.parametrize("key, value, code, needle", [
    ("strike", "-3000 USDC", "H006", "must not be negative"),
    ("size", "0 ETH", "H006", "greater than zero"),
    ("expiry", "0d", "H006", "greater than zero"),
    ("type", "straddle", "H104", "`straddle` is not one of `put`, `call`"),
    ("side", "sell", "H104", "`sell` is not one of"),
    ("size", "bounds 1x", "H104", "the band 1/1 .. 1 is empty"),
    ("size", "2 SOL", "H112", "lists no options on SOL"),
    ("order", "limit -5 USDC", "H006", "must not be negative"),
])
def test_bad_option_inputs_are_located(key, value, code, needle):
    text = variant(EXAMPLE, **({"put_leg__size": "0.5 ETH"} | {f"put_leg__{key}": value}))
    result = check(text)
    d = only(result, code)
    assert needle in d.message
    line, row = next((i, row) for i, row in enumerate(text.split("\n"), 1)
                     if row.strip().startswith(f"{key} = {value}"))
    assert d.span.line == line and d.span.column - 1 >= row.index(key)  # the attribute or its value
    assert not result.ok


def test_bounds_sizing_needs_a_pool():
    d = only(check(variant(EXAMPLE, put_leg__hedges=None)), "H103")
    assert "`size = bounds 2x` sizes `option put_leg` from a pool: it needs `hedges`" in d.message


def test_a_strike_the_band_edge_never_reaches_cannot_be_sized_from_it():
    result = check(variant(EXAMPLE, put_leg__strike="1000 USDC"))
    d = only(result, "H115")
    assert "pays nothing at the band edge 1,500.00" in d.message


def test_premium_and_fees_enter_the_carry():
    # deribit: fee = size x min(0.03% x 3000, 12.5% x 355.27) = 0.5719 x 0.9 each leg
    text = variant(EXAMPLE, put_leg__venue="deribit", call_leg__venue="deribit")
    base = check(variant(EXAMPLE)).figures["carry"]
    carry = check(text).figures["carry"]
    assert carry["option_fees"] == approx(2 * 0.571909 * 0.9, rel=1e-5)
    assert carry["option_premiums"] == approx(406.36, abs=0.005)
    assert base["net"] - carry["net"] == approx(carry["option_fees"] + (carry["gas"] - base["gas"])
                                                + (carry["premiums"] - base["premiums"]), abs=1e-6)
    without = check(variant(EXAMPLE, drop=("put_leg", "call_leg", "put_cover", "call_cover"))).figures["carry"]
    assert without["option_premiums"] == 0
    assert base["net"] == approx(without["net"] - 406.36 - (base["premiums"] - without["premiums"])
                                 - (base["gas"] - without["gas"]), abs=0.01)


def test_a_short_on_an_inverse_venue_counts_its_coin_in_the_delta():
    # collar on deribit: long 3.3333 ETH of the 2700 put, short 3.3333 ETH of the 3600 call
    text = variant(EXAMPLE, drop=("hedge", "dydx_cover", "put_cover", "call_cover"),
                   put_leg__venue="deribit", put_leg__strike="2700 USDC", put_leg__size="3.3333 ETH",
                   call_leg__venue="deribit", call_leg__side="short", call_leg__strike="3600 USDC",
                   call_leg__size="3.3333 ETH")
    call = check(text).figures["options"]["call_leg"]
    s = SIGMA * math.sqrt(T)
    d1 = (math.log(3000 / 3600) + s * s / 2) / s
    price = 3000 * N(d1) - 3600 * N(d1 - s)
    assert call["unit_price"] == approx(price, rel=1e-9)
    # Deribit short margin: max(0.15 - 600/3000, 0.10) x 3000 + price, a unit
    assert call["margin"] == approx(3.3333 * (300 + price), rel=1e-9)
    fee = 3.3333 * min(0.0003 * 3000, 0.125 * price)
    assert call["coin"] == approx((call["margin"] + 3.3333 * price - fee) / 3000, rel=1e-9)
    assert call["delta"] == approx(-3.3333 * N(d1), rel=1e-9)
    greeks = only(check(text), "H853").data
    assert greeks["option"] == approx(call["delta"] + call["coin"] + figures(text, "put_leg")["delta"], rel=1e-9)


def test_the_plan_carries_option_pricing_inputs_and_outputs():
    from hedgec.targets.plan import PLAN_VERSION, build_plan

    plan = build_plan(compile_text(variant(EXAMPLE)))
    validator("plan").validate(plan)
    assert plan["plan_version"] == PLAN_VERSION == 2
    put = next(o for o in plan["options"] if o["name"] == "put_leg")
    assert (put["type"], put["side"], put["strike"], put["expiry_days"], put["iv"], put["rate"]) == \
        ("put", "long", 3000.0, 90.0, 0.6, 0.0)
    assert put["unit_price"] == approx(355.27, abs=0.005)
    assert put["greeks"]["delta"] == approx(-0.4408 * 0.5719, abs=5e-4)
    assert put["protected_by"] == ["put_cover"]
    assert plan["expected"]["option_premiums"] == approx(406.36, abs=0.005)


def test_the_checklist_funds_an_inverse_option_in_the_coin_after_cover():
    from hedgec.targets.checklist import build_steps

    text = variant(EXAMPLE, put_leg__venue="deribit", put_leg__size="1 ETH", put_leg__expiry="30d")
    steps = build_steps(compile_text(text))
    ids = [s.id for s in steps]
    deposit = next(s for s in steps if s.id == "put_on.deposit.put_leg")
    premium = atm(3000, SIGMA, 30 / 365)
    fee = min(0.0003 * 3000, 0.125 * premium)
    assert deposit.amounts[0].asset == "ETH"
    assert deposit.amounts[0].value == approx((premium + fee) / 3000, rel=1e-9)
    assert max(ids.index(i) for i in ids if i.startswith("cover.")) < ids.index("put_on.deposit.put_leg")
    assert ids.index("put_on.add_liquidity.lp") < ids.index("put_on.open.put_leg")
    assert "verify.greeks.put_leg" in ids and "unwind.settle.put_leg" in ids
    assert ids.index("unwind.settle.put_leg") < ids.index("unwind.withdraw.put_leg")
    expiry = next(s for s in steps if s.id == "monitor.option_expiry.put_leg")
    assert "60 days before the horizon" in expiry.details[0] and "roll it" in expiry.details[0]
    opened = next(s for s in steps if s.id == "put_on.open.put_leg")
    assert "ETH-30d-3000-P" in opened.details[0]


def test_the_risk_diff_reviews_option_legs(tmp_path, capsys):
    from hedgec.cli.main import main

    old, new = tmp_path / "old.hedge", tmp_path / "new.hedge"
    old.write_text(variant(EXAMPLE))
    new.write_text(variant(EXAMPLE, call_leg__size="1 ETH", call_cover__amount="360 USDC"))
    assert main(["diff", str(old), str(new)]) == 0
    out = capsys.readouterr().out
    assert "option call_leg" in out and "203.18 USDC -> 355.27 USDC" in out
