"""Option legs in the simulator: per-path valuation at the horizon, the grid's
curve with options, and the reference straddle through the plan."""
import math

import numpy as np
from pytest import approx

from hedgec.compiler.rules.options import horizon_pnl
from hedgec.simulation import OptionSpec, PoolSpec, SimConfig, payoff_grid, replay, simulate, simulate_prices
from hedgec.simulation.from_plan import config_from_plan
from hedgec.simulation.replay import bars_from_prices
from hedgec.targets.plan import build_plan
from rules_support import variant
from targets_support import compile_text

EXAMPLE = "eth-usdc-v2-straddle"


def N(x: float) -> float:
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


def atm(spot: float, vol: float, years: float) -> float:
    return spot * (2 * N(vol * math.sqrt(years) / 2) - 1)


def plan_config(**changes):
    # 20,000 USDC at 0.5x: the same 3.3333 ETH short, liquidated only above 2.5x the entry price
    changes = {"hedge__collateral": "20000 USDC", "hedge__leverage": "0.5x", "dydx_cover__amount": "20000 USDC"} \
        | changes
    c = compile_text(variant(EXAMPLE, **changes))
    return c, config_from_plan(build_plan(c))


def test_the_reference_straddle_through_the_simulators_grid():
    # no fees or funding: pool + perp + straddle at the horizon is -406.36 at r = 0.5 and 2, less the
    # perp's taker fee to open (0.05% x 10,000); Derive records no option fee
    c, config = plan_config(lp__fee_apr="0%", assume__funding_dot_ETH_dash_USD="0% apr")
    assert config.options and sum(o.deposit for o in config.options) == approx(406.36, abs=0.005)
    grid = payoff_grid(config, ratios=[0.5, 2.0])
    open_fee = 5.0
    assert [v * 20000 + open_fee for v in grid.with_options] == approx([-406.36, -406.36], abs=0.005)
    band = np.geomspace(0.5, 2.0, 401)
    between = np.asarray(payoff_grid(config, ratios=band).with_options) * 20000 + open_fee
    assert between.min() >= -406.36 - 0.005
    # the compiler's valuation gives the same curve
    assert between == approx(horizon_pnl(c.analysis, band), abs=1e-6)
    # and without options, the loss the perp leaves: -(V0/2)(sqrt 2 - 1)^2 at r = 2
    assert grid.hedged[1] * 20000 + open_fee == approx(-10000 * (math.sqrt(2) - 1) ** 2, rel=1e-9)


def test_grid_and_compiler_agree_for_an_option_that_expired_before_the_horizon():
    c, config = plan_config(lp__fee_apr="0%", assume__funding_dot_ETH_dash_USD="0% apr", put_leg__expiry="30d",
                            call_leg__expiry="150d")
    band = np.geomspace(0.4, 2.5, 51)
    grid = np.asarray(payoff_grid(config, ratios=band).with_options) * 20000 + 5.0
    assert grid == approx(horizon_pnl(c.analysis, band), abs=1e-6)


def flat_config(option: OptionSpec, horizon: float = 90.0) -> SimConfig:
    return SimConfig(pool=PoolSpec("v2", 20_000.0, 3000.0), options=(option,), horizon_days=horizon, steps=90,
                     vol=0.6, paths=1)


def test_an_option_that_expired_earlier_is_worth_its_intrinsic_value_at_the_paths_price_then():
    # a 3000 call expiring on day 30: the path is at 6000 on day 30 and back at 3000 at the horizon
    call = OptionSpec("call", "long", 1.0, 3000.0, 30.0, 0.6, deposit=100.0)
    path = np.concatenate([np.linspace(3000, 6000, 31), np.linspace(6000, 3000, 61)[1:]])
    out = simulate_prices(flat_config(call), path[None, :])
    assert out.option_pnl[0] == approx(3000 - 100, rel=1e-12)
    assert out.hedged[0] == approx(out.pool_pnl[0] + out.fees[0] + out.perp_pnl[0] + 2900, rel=1e-12)


def test_an_option_alive_at_the_horizon_keeps_its_black76_time_value():
    # expires on day 120, horizon 90, flat price: worth the at-the-money price with 30 days left
    put = OptionSpec("put", "long", 2.0, 3000.0, 120.0, 0.6, deposit=500.0)
    out = simulate_prices(flat_config(put), np.full((1, 91), 3000.0))
    assert out.option_pnl[0] == approx(2 * atm(3000, 0.6, 30 / 365) - 500, rel=1e-9)


def test_a_short_option_with_coin_margin_follows_the_coin():
    # short 1 call at 3000 expiring at the horizon, 1.2 ETH held beside it; the price ends at 3600
    short = OptionSpec("call", "short", 1.0, 3000.0, 90.0, 0.6, deposit=3000.0, coin=1.2)
    out = simulate_prices(flat_config(short), np.linspace(3000, 3600, 91)[None, :])
    assert out.option_pnl[0] == approx(1.2 * 3600 - 600 - 3000, rel=1e-12)


def test_monte_carlo_prices_the_straddle_fairly():
    # martingale prices: the straddle's mean payoff is its premium, so its mean P&L is about 0
    _, config = plan_config()
    result = simulate(config.__class__(**{**config.__dict__, "paths": 20_000, "events": ()}), workers=1)
    assert abs(result.mean_option_pnl) < 8.0  # standard error of the mean about 2.5
    assert result.mean_option_pnl != 0.0


def test_a_replay_counts_the_options_in_the_net():
    _, config = plan_config()
    result = replay(config, bars_from_prices([3000.0] * 91))
    premium = sum(o.deposit for o in config.options)
    assert result.option_pnl == approx(-premium, rel=1e-9)  # at the money at expiry: worthless
    assert result.net_pnl == approx(result.pool_pnl + result.perp_pnl - premium - config.premiums
                                    - config.gas_cost, rel=1e-9)


def exploited_at(config: SimConfig, path, step: int):
    """The outcome of one path on which every event strikes at `step`."""
    return simulate_prices(config, path[None, :], exploit_steps=np.full((len(config.events), 1), step))


def test_an_exploit_of_the_venue_takes_a_share_of_a_long_option_and_cover_pays_it():
    from hedgec.simulation import CoverSpec, ExploitEvent

    # a 3000 call expiring on day 30; the price is 6000 from day 30: intrinsic 3000 at day 60,
    # when Deribit loses half of what it holds: 1500 taken, and the call keeps half its payoff
    call = OptionSpec("call", "long", 1.0, 3000.0, 30.0, 0.6, deposit=100.0, venue="deribit")
    path = np.concatenate([np.linspace(3000, 6000, 31), np.full(60, 6000.0)])
    base = flat_config(call)
    hit = base.__class__(**{**base.__dict__, "events": (ExploitEvent("deribit", 0.5, 0.5),),
                            "covers": (CoverSpec("deribit", 1000.0, 0.0),)})
    out = exploited_at(hit, path, 60)
    assert out.exploit_loss[0] == approx(1500.0, rel=1e-12) and out.cover_paid[0] == approx(1000.0, rel=1e-12)
    assert out.option_pnl[0] == approx(1500.0 - 100.0, rel=1e-12)
    elsewhere = base.__class__(**{**hit.__dict__, "events": (ExploitEvent("uniswap_v3", 0.5, 0.5),)})
    assert exploited_at(elsewhere, path, 60).option_pnl[0] == approx(3000.0 - 100.0, rel=1e-12)


def test_an_exploit_takes_a_share_of_a_short_options_margin_and_leaves_its_liability():
    from hedgec.simulation import ExploitEvent

    # short 1 call at 3000, 3,100 of margin and premium held; flat price, 30 days left at the
    # exploit on day 60: equity = 3100 - call price; a quarter of it is taken
    short = OptionSpec("call", "short", 1.0, 3000.0, 90.0, 0.6, deposit=3000.0, cash=3100.0, venue="deribit")
    base = flat_config(short)
    hit = base.__class__(**{**base.__dict__, "events": (ExploitEvent("deribit", 0.5, 0.25),)})
    out = exploited_at(hit, np.full(91, 3000.0), 60)
    assert out.exploit_loss[0] == approx(0.25 * (3100 - atm(3000, 0.6, 30 / 365)), rel=1e-9)
    # at expiry at the money the call is worthless: 3,100 held, less what was taken, less the deposit
    assert out.option_pnl[0] == approx(3100 - out.exploit_loss[0] - 3000, rel=1e-12)
