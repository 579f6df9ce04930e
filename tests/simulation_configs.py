"""Configurations shared by the simulation tests."""
from hedgec.simulation import CoverSpec, ExploitEvent, PerpSpec, PoolSpec, SimConfig


def eth_v2_neutral(**overrides) -> SimConfig:
    """The ETH/USDC v2 example: 20k at 3000, short 3.3333 ETH, both venues covered."""
    base = dict(
        pool=PoolSpec("v2", 20_000.0, 3000.0, fee_apr=0.15, venue="uniswap_v2"),
        perps=(PerpSpec("short", 3.3333, 10_000.0, mmf=0.03, taker_fee=0.0005, liquidation_fee=0.015,
                        funding_apr=0.08, venue="dydx"),),
        covers=(CoverSpec("dydx", 10_000.0, 65.0), CoverSpec("uniswap_v2", 20_000.0, 130.0)),
        events=(ExploitEvent("dydx", 0.02, 0.5), ExploitEvent("uniswap_v2", 0.03, 0.5)),
        horizon_days=90.0, vol=0.6, paths=4096, steps=90, seed=7, gas_cost=25.0,
    )
    base.update(overrides)
    return SimConfig(**base)


def bare_v2(**overrides) -> SimConfig:
    """A v2 pool with a 100% short sized at entry, no fees, funding or events."""
    base = dict(
        pool=PoolSpec("v2", 10_000.0, 2000.0),
        perps=(PerpSpec("short", 2.5, 1e9, mmf=0.03),),
        horizon_days=365.0, vol=0.6, paths=2048, steps=50, seed=1,
    )
    base.update(overrides)
    return SimConfig(**base)
