import math

import numpy as np
import pytest

from hedgec.simulation import PerpSpec, PoolSpec, SimConfig, payoff_grid
from hedgec.simulation.grid import liquidation_price
from hedgec.finance import v2_amount as v2_amount0, v3_amounts, v3_liquidity
from hedgec.simulation.pools import PoolModel

from simulation_configs import bare_v2


def at(grid, field, ratio):
    return getattr(grid, field)[grid.ratios.index(ratio)]


def test_hedged_v2_is_minus_half_squared_sqrt_gap():
    grid = payoff_grid(bare_v2(pool=PoolSpec("v2", 20_000.0, 3000.0),
                               perps=(PerpSpec("short", 20_000.0 / 6000.0, 1e9, mmf=0.03),)),
                       ratios=[0.25, 0.5, 1.0, 2.0, 4.0])
    assert at(grid, "hedged", 2.0) == pytest.approx(-0.0858, abs=5e-5)
    assert at(grid, "hedged", 0.5) == pytest.approx(-0.0429, abs=5e-5)
    assert at(grid, "hedged", 1.0) == pytest.approx(0.0, abs=1e-12)
    for r in grid.ratios:
        assert at(grid, "hedged", r) == pytest.approx(-(math.sqrt(r) - 1) ** 2 / 2, abs=1e-12)


def test_impermanent_loss_values():
    grid = payoff_grid(bare_v2(), ratios=[0.25, 0.5, 0.8, 1.25, 2.0, 3.0, 4.0, 5.0])
    expected = {0.25: -0.2, 0.5: -0.057191, 0.8: -0.006192, 1.25: -0.006192, 2.0: -0.057191,
                3.0: -0.133975, 4.0: -0.2, 5.0: -0.254644}
    for r, il in expected.items():
        assert at(grid, "impermanent_loss", r) == pytest.approx(il, abs=1e-6)
        assert at(grid, "impermanent_loss", r) == pytest.approx(2 * math.sqrt(r) / (1 + r) - 1, abs=1e-12)


def test_domain_case_10k_pool_short_2_5_eth():
    grid = payoff_grid(bare_v2(), ratios=[0.5, 1.1, 1.5, 2.0])
    pnl = [v * 10_000 for v in grid.hedged]
    assert pnl == pytest.approx([-428.93, -11.91, -252.55, -857.86], abs=0.01)


def test_fees_funding_premiums_and_gas_enter_the_right_curves():
    config = bare_v2(pool=PoolSpec("v2", 10_000.0, 2000.0, fee_apr=0.1),
                     perps=(PerpSpec("short", 2.5, 1e9, mmf=0.03, funding_apr=0.08),),
                     gas_cost=50.0, covers=())
    grid = payoff_grid(config, ratios=[1.0])
    assert grid.pool[0] == pytest.approx(0.1)
    # at r = 1 the short receives 8% a year on 2.5 x 2000 = 5000 of notional
    assert grid.hedged[0] == pytest.approx(0.1 + 400 / 10_000)
    assert grid.all_in[0] == pytest.approx(grid.hedged[0] - 50 / 10_000)
    assert grid.hold[0] == 0.0


def test_liquidation_price_matches_dydx_docs_case():
    short = PerpSpec("short", 3.0, 1000.0, mmf=0.05)
    assert liquidation_price(short, 3000.0) == pytest.approx(3174.60, abs=0.01)


def test_grid_caps_a_liquidated_perp_at_its_collateral():
    config = bare_v2(perps=(PerpSpec("short", 2.5, 1000.0, mmf=0.03),))
    grid = payoff_grid(config, ratios=[3.0])
    pool_pnl = 10_000 * (math.sqrt(3.0) - 1)
    liq = (1000.0 + 2.5 * 2000.0) / (2.5 * 1.03)
    assert grid.liquidation_prices == (pytest.approx(liq),)
    # liquidated at liq with equity mmf x notional left (no liquidation fee here)
    assert grid.hedged[0] * 10_000 == pytest.approx(pool_pnl - 1000.0 + 0.03 * 2.5 * liq)


def test_v3_amounts_and_values_from_domain_case():
    liquidity = v3_liquidity(10_000.0, 2000.0, 1500.0, 2500.0)
    assert liquidity == pytest.approx(933.4553, abs=1e-4)
    amount0, amount1 = v3_amounts(liquidity, 2000.0, 1500.0, 2500.0)
    assert amount0 == pytest.approx(2.203589, abs=1e-6)
    assert amount1 == pytest.approx(5592.82, abs=0.01)
    model = PoolModel(PoolSpec("v3", 10_000.0, 2000.0, 1500.0, 2500.0))
    values = model.value(np.array([1500.0, 2200.0, 2500.0, 4000.0]))
    assert values == pytest.approx([8148.91, 10341.27, 10520.20, 10520.20], abs=0.01)
    assert model.amount0(np.array([1000.0, 3000.0])) == pytest.approx([liquidity * (1 / math.sqrt(1500) - 1 / math.sqrt(2500)), 0.0])


def test_v2_delta_is_half_the_value_in_tokens():
    assert v2_amount0(10_000.0, 2000.0, 2000.0) == pytest.approx(2.5)
    assert v2_amount0(10_000.0, 2000.0, np.array([2000.0, 8000.0])) == pytest.approx([2.5, 1.25])
    model = PoolModel(PoolSpec("v2", 10_000.0, 2000.0))
    assert model.amount0(np.array([8000.0])) == pytest.approx([10_000 * 2 / (2 * 8000)])


def test_v3_grid_uses_entry_amounts_for_hold():
    config = SimConfig(pool=PoolSpec("v3", 10_000.0, 2000.0, 1500.0, 2500.0), perps=())
    grid = payoff_grid(config, ratios=[0.75, 1.25])
    assert grid.hold[0] * 10_000 == pytest.approx(2.203589 * 1500 + 5592.82 - 10_000, abs=0.01)
    assert grid.pool[1] * 10_000 == pytest.approx(520.20, abs=0.01)


@pytest.mark.parametrize("spec", [PoolSpec("v2", 20_000.0, 3000.0),
                                  PoolSpec("v3", 50_000.0, 3000.0, 2400.0, 4000.0)])
def test_in_place_pool_maths_match_the_shared_formulas(spec):
    """The engine's allocation-free step maths are the finance formulas, on a price grid."""
    model = PoolModel(spec)
    prices = np.linspace(500.0, 9000.0, 171)
    out, tmp = np.empty_like(prices), np.empty_like(prices)
    assert model.value_into(prices, out, tmp) == pytest.approx(model.value(prices), rel=1e-12)
    assert model.amount0_into(prices, np.empty_like(prices)) == pytest.approx(model.amount0(prices), rel=1e-12)
