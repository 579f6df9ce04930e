import math
import tracemalloc

import numpy as np
import pytest

from hedgec.simulation import (CoverSpec, ExploitEvent, PerpSpec, PoolSpec, SimConfig, simulate,
                                       simulate_prices)

from sim_reference import reference_run
from simulation_configs import bare_v2, eth_v2_neutral


def gbm_paths(rng, n, steps, p0, vol, years):
    dt = years / steps
    z = rng.standard_normal((n, steps))
    log = np.cumsum(-0.5 * vol * vol * dt + vol * math.sqrt(dt) * z, axis=1)
    return np.hstack([np.full((n, 1), p0), p0 * np.exp(log)])


def compare_with_reference(config, n=60, steps=40, seed=3):
    rng = np.random.default_rng(seed)
    prices = gbm_paths(rng, n, steps, config.pool.entry_price, config.vol, config.years)
    exploit = rng.integers(1, 3 * steps, size=(len(config.events), n))
    out = simulate_prices(config, prices, exploit if config.events else None)
    ref = reference_run(config, prices, exploit, config.years / steps)
    for key in ("pool_pnl", "fees", "perp_pnl", "funding", "trade_fees", "cover_paid", "exploit_loss", "net"):
        got = getattr(out, key)
        want = np.array([r[key] for r in ref])
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-6, err_msg=key)
    np.testing.assert_array_equal(out.liq_step, [r["liq_step"] for r in ref])
    np.testing.assert_array_equal(out.rebalances, [r["rebalances"] for r in ref])
    return out


def test_engine_matches_scalar_reference_v2_with_everything():
    config = eth_v2_neutral(
        perps=(PerpSpec("short", 3.3333, 2500.0, mmf=0.03, taker_fee=0.0005, liquidation_fee=0.015,
                        funding_apr=0.08, venue="dydx", rebalance_threshold=0.1),),
        vol=1.2, horizon_days=180.0,
    )
    out = compare_with_reference(config)
    assert out.liquidated.any() and not out.liquidated.all()
    assert out.rebalances.sum() > 0
    assert (out.exploit_loss > 0).any() and (out.cover_paid > 0).any()


def test_engine_matches_scalar_reference_v3_two_perps():
    config = SimConfig(
        pool=PoolSpec("v3", 50_000.0, 3000.0, 2400.0, 4000.0, fee_apr=0.35, venue="uniswap_v3"),
        perps=(PerpSpec("short", 5.0, 3000.0, mmf=0.03, taker_fee=0.0005, liquidation_fee=0.015,
                        funding_apr=-0.05, venue="dydx", rebalance_threshold=0.05),
               PerpSpec("short", 3.0, 20_000.0, mmf=0.05, funding_apr=0.1, venue="dydx")),
        covers=(CoverSpec("dydx", 5000.0, 40.0),),
        events=(ExploitEvent("dydx", 0.5, 0.3), ExploitEvent("uniswap_v3", 0.5, 1.0)),
        horizon_days=30.0, vol=0.9, paths=1, steps=40, seed=0, gas_cost=12.0,
    )
    out = compare_with_reference(config, steps=30)
    assert out.liquidated.any()


def test_simulate_and_simulate_prices_agree_on_the_same_draws():
    from hedgec.simulation.engine import BLOCK, block_streams

    config = eth_v2_neutral(paths=BLOCK, steps=20, events=(), covers=())
    result = simulate(config, workers=1)
    gen, _ = block_streams(config.seed, 0)
    z = gen.standard_normal((config.steps, BLOCK)).T
    dt = config.dt
    steps = np.exp((config.drift - 0.5 * config.vol ** 2) * dt + config.vol * math.sqrt(dt) * z)
    prices = np.hstack([np.full((BLOCK, 1), 3000.0), 3000.0 * np.cumprod(steps, axis=1)])
    out = simulate_prices(config, prices)
    assert result.mean_return == pytest.approx(out.net.mean() / 20_000, rel=1e-9)
    assert result.prob_liquidation == out.liquidated.mean()
    assert result.median_return == pytest.approx(np.median(out.net) / 20_000, abs=2 * result.quantile_resolution)
    assert result.q05_return == pytest.approx(np.quantile(out.net, 0.05) / 20_000, abs=5e-4)


def first_passage_probability(log_barrier, nu, vol, years):
    """P(max_{t<=T} X_t >= b) for X_t = nu t + vol W_t, b > 0."""
    phi = lambda x: 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))
    s = vol * math.sqrt(years)
    return phi((-log_barrier + nu * years) / s) + math.exp(2 * nu * log_barrier / vol ** 2) * phi(
        (-log_barrier - nu * years) / s)


def test_liquidation_probability_matches_first_passage_formula():
    # Convention: zero arithmetic drift, so the log-price drifts by nu = -vol^2/2.
    # No funding and no fees: the short's liquidation price is the fixed barrier
    # B = (C + s p0) / (s (1 + mmf)). Daily monitoring of B is compared with
    # continuous monitoring of B exp(0.5826 vol sqrt(dt)) (Broadie-Glasserman-Kou).
    vol, years, steps, paths = 0.6, 1.0, 365, 20_000
    config = bare_v2(pool=PoolSpec("v2", 10_000.0, 3000.0),
                     perps=(PerpSpec("short", 1.0, 1000.0, mmf=0.03),),
                     vol=vol, horizon_days=365.0, steps=steps, paths=paths, seed=11)
    barrier = (1000.0 + 3000.0) / 1.03
    shifted = barrier * math.exp(0.5826 * vol * math.sqrt(years / steps))
    expected = first_passage_probability(math.log(shifted / 3000.0), -0.5 * vol ** 2, vol, years)
    result = simulate(config)
    se = math.sqrt(expected * (1 - expected) / paths)
    assert abs(result.prob_liquidation - expected) < 3 * se, (result.prob_liquidation, expected, se)
    assert 0 < result.median_liquidation_day <= 365


def test_pool_value_mean_matches_gbm_expectation():
    config = bare_v2(perps=(), paths=20_000, steps=12, horizon_days=365.0, vol=0.8, seed=5)
    result = simulate(config)
    expected = math.exp(-0.8 ** 2 / 8) - 1  # E[sqrt(S_T/S_0)] - 1 with zero drift
    sd = math.sqrt(math.exp(0.0) - math.exp(-0.8 ** 2 / 4)) / math.sqrt(config.paths)
    assert abs(result.mean_pool_pnl / 10_000 - expected) < 3 * sd


def test_same_seed_same_result_and_chunking_does_not_matter():
    config = eth_v2_neutral(paths=5000, steps=30)
    base = simulate(config, chunk_size=8192, workers=1)
    assert simulate(config, chunk_size=8192, workers=1) == base
    assert simulate(config, chunk_size=1024, workers=1) == base
    assert simulate(config, chunk_size=3000, workers=2) == base
    assert simulate(config, workers=2) == base  # default chunks, split so each worker gets several
    other = simulate(eth_v2_neutral(paths=5000, steps=30, seed=8), workers=1)
    assert other.mean_return != base.mean_return


def test_hedge_reduces_variance_and_reports_components():
    result = simulate(eth_v2_neutral(paths=4096, steps=45), workers=2)
    assert 0.5 < result.hedge_effectiveness <= 1.0
    assert result.std_hedged_return < result.std_unhedged_return
    assert result.mean_funding_paid < 0  # positive funding: the short receives
    assert result.premiums == pytest.approx(195.0) and result.gas == 25.0
    assert result.mean_fees_earned > 0
    assert sum(result.hist_counts) == pytest.approx(result.paths, rel=0.01)
    assert result.q01_return <= result.q05_return <= result.median_return
    assert result.min_return <= result.q01_return and result.median_return <= result.max_return


def test_cover_pays_for_exploits():
    config = eth_v2_neutral(events=(ExploitEvent("dydx", 0.9, 1.0), ExploitEvent("uniswap_v2", 0.9, 1.0)),
                            horizon_days=365.0, steps=50, paths=2048)
    result = simulate(config)
    assert result.prob_exploit > 0.5
    assert 0 < result.mean_cover_paid <= result.mean_exploit_loss
    assert result.mean_cover_paid <= 30_000.0


def peak_memory(paths):
    config = eth_v2_neutral(paths=paths, steps=10)
    tracemalloc.start()
    try:
        simulate(config, chunk_size=2048, workers=1)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_does_not_grow_with_paths():
    small, large = peak_memory(4096), peak_memory(32_768)
    assert large < small * 1.25 + 200_000, (small, large)
