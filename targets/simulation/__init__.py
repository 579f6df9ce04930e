"""Simulation target: payoff grid, Monte Carlo and historical replay of a strategy."""
from .config import CoverSpec, ExploitEvent, PerpSpec, PoolSpec, SimConfig
from .engine import Result, simulate, simulate_prices
from .grid import GridResult, payoff_grid

__all__ = [
    "CoverSpec", "ExploitEvent", "PerpSpec", "PoolSpec", "SimConfig",
    "Result", "simulate", "simulate_prices", "GridResult", "payoff_grid",
]
