"""Simulation target: payoff grid, Monte Carlo and historical replay of a strategy.

The engine takes a plain ``SimConfig`` (see ``config``); it does not read plans.
"""
from .config import CoverSpec, ExploitEvent, OptionSpec, PerpSpec, PoolSpec, SimConfig
from .engine import simulate, simulate_prices
from .grid import GridResult, payoff_grid
from .replay import PriceFileError, ReplayResult, load_prices, replay
from .summary import Result

__all__ = [
    "CoverSpec", "ExploitEvent", "OptionSpec", "PerpSpec", "PoolSpec", "SimConfig",
    "Result", "simulate", "simulate_prices", "GridResult", "payoff_grid",
    "PriceFileError", "ReplayResult", "load_prices", "replay",
]
