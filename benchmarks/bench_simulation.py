"""Benchmark of the simulator against a bare numpy floor doing the same work.

The floor (``floor_run``) is the least numpy code for the same model in the
same process shape: chunks of paths, per-block random streams, one loop over
the steps; GBM prices, a v2 pool earning fees, a short paying or receiving
funding and closed at a fixed liquidation barrier, and the mean P&L. The
engine runs the same strategy (``same_work``: no exploits, no cover) with one
worker. Targets, each printed with its baseline and the ratio:

- ``simulate --workers 1`` within 1.3x of the floor at 100,000 paths x 365
  steps and at 1,000,000 x 90;
- two workers near 2x one worker (only meaningful on an idle machine: the
  load average is printed beside it);
- peak memory (max RSS of a fresh process) flat in the number of paths and
  under 150 MB;
- replay of a year of minute rows (525,600) with memory flat in the number
  of rows, and JSON without per-step series unless asked.

    python benchmarks/bench_simulation.py [--quick]
"""
from __future__ import annotations

import argparse
import dataclasses
import math
import os
import resource
import subprocess
import sys
import tempfile
import time

import numpy as np

from hedgec.simulation import CoverSpec, ExploitEvent, PerpSpec, PoolSpec, SimConfig, simulate
from hedgec.simulation.config import AssetSpec
from hedgec.simulation.engine import BLOCK, DEFAULT_CHUNK, block_streams, chunk_plan

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
V2 = os.path.join(ROOT, "specs", "eth-usdc-v2-neutral.hedge")


def bench_config(paths: int, steps: int) -> SimConfig:
    """The v2 example for a year: 20,000 USDC at 3,000, 60% vol, a 1x short on dYdX, both venues covered."""
    return SimConfig(
        pool=PoolSpec("v2", 20_000.0, 3000.0, fee_apr=0.15, venue="uniswap_v2"),
        perps=(PerpSpec("short", 3.3333, 10_000.0, mmf=0.03, taker_fee=0.0005, liquidation_fee=0.015,
                        funding_apr=0.08, venue="dydx"),),
        covers=(CoverSpec("dydx", 10_000.0, 260.0), CoverSpec("uniswap_v2", 20_000.0, 520.0)),
        events=(ExploitEvent("dydx", 0.02, 0.5), ExploitEvent("uniswap_v2", 0.02, 0.5)),
        horizon_days=365.0, vol=0.6, paths=paths, steps=steps, seed=2024, gas_cost=30.0,
    )


def two_assets(paths: int, steps: int) -> SimConfig:
    """The WBTC/ETH example's shape: one two-token pool with fees, a short per token with funding,
    correlated prices; no exploits or cover. Not in the floor: shows what a second asset costs."""
    return SimConfig(
        pools=(PoolSpec("v2", 20_000.0, 20.0, fee_apr=0.12, venue="uniswap_v2", name="lp", asset="BTC",
                        quote="ETH"),),
        perps=(PerpSpec("short", 1 / 6, 10_000.0, mmf=0.03, taker_fee=0.0005, liquidation_fee=0.015,
                        funding_apr=0.08, name="btc_hedge", asset="BTC"),
               PerpSpec("short", 10 / 3, 10_000.0, mmf=0.03, taker_fee=0.0005, liquidation_fee=0.015,
                        funding_apr=0.08, name="eth_hedge", asset="ETH")),
        assets=(AssetSpec("BTC", 60_000.0, 0.55), AssetSpec("ETH", 3_000.0, 0.6)),
        correlation=((1.0, 0.8), (0.8, 1.0)), horizon_days=365.0, paths=paths, steps=steps, seed=2024)


def same_work(paths: int, steps: int) -> SimConfig:
    """What the floor computes: no exploits and no cover."""
    return dataclasses.replace(bench_config(paths, steps), events=(), covers=())


def floor_run(config: SimConfig, chunk: int = DEFAULT_CHUNK) -> float:
    """Mean P&L of the pool + short, in bare numpy: the speed the engine is measured against."""
    pool, perp = config.pool, config.perps[0]
    dt = config.dt
    drift, vol = (config.drift - 0.5 * config.vol ** 2) * dt, config.vol * math.sqrt(dt)
    c = pool.value / math.sqrt(pool.entry_price)
    fee_step, funding_step = c * pool.fee_apr * dt, perp.size * perp.funding_apr * dt
    cash0 = perp.collateral + perp.size * pool.entry_price
    barrier = cash0 / (perp.size * (1 + perp.mmf))  # fixed: funding does not move it here
    total = 0.0
    for blocks in chunk_plan(config.paths, chunk):
        base, n = blocks[0][1], blocks[-1][2] - blocks[0][1]
        gens = [block_streams(config.seed, b)[0] for b, _, _ in blocks]
        bounds = [(lo - base, hi - base) for _, lo, hi in blocks]
        price, z, tmp = np.full(n, pool.entry_price), np.empty(n), np.empty(n)
        fees, funding = np.zeros(n), np.zeros(n)
        alive, below = np.ones(n, dtype=bool), np.empty(n, dtype=bool)
        for _ in range(config.steps):
            for gen, (lo, hi) in zip(gens, bounds):
                gen.standard_normal(out=z[lo:hi])
            z *= vol
            z += drift
            np.exp(z, out=z)
            price *= z
            np.sqrt(price, out=tmp)
            tmp *= fee_step
            fees += tmp
            np.multiply(price, funding_step, out=tmp)
            tmp *= alive
            funding += tmp
            np.less(price, barrier, out=below)
            alive &= below
        perp_pnl = np.where(alive, cash0 - perp.size * price + funding - perp.collateral, -perp.collateral)
        total += float((c * np.sqrt(price) - pool.value + fees + perp_pnl).sum())
    return total / config.paths


def best_of(fn, repeats: int, clock=time.perf_counter) -> float:
    best = math.inf
    for _ in range(repeats):
        start = clock()
        fn()
        best = min(best, clock() - start)
    return best


def total_cpu(fn) -> float:
    """CPU seconds of ``fn`` in this process and in the worker processes it ran and joined."""
    def now() -> float:
        own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime

    start = now()
    fn()
    return now() - start


def line(what: str, figure: str, baseline: str, ratio: float, target: str, met: bool) -> None:
    print(f"{what:<44} {figure:>10}  baseline {baseline:>10}  ratio {ratio:5.2f}  target {target}:"
          f" {'met' if met else 'NOT met'}")


def child_rss(code: str) -> float:
    """Max RSS in MiB of a fresh interpreter running ``code``, its children included."""
    probe = (f"{code}\nimport resource\n"
             "print(max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,"
             " resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))")
    out = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True).stdout
    return int(out.split()[-1]) / 1024


def cli_rss(args: list[str]) -> tuple[float, float, int]:
    """(max RSS MiB, seconds, bytes of output) of `hedgec ARGS` run in a fresh process."""
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        start = time.perf_counter()
        rss = child_rss(f"from hedgec.cli.main import main; main({args + ['-o', out.name]!r})")
        return rss, time.perf_counter() - start, os.path.getsize(out.name)


def write_minutes(path: str, rows: int) -> None:
    rng = np.random.default_rng(1)
    prices = 3000.0 * np.exp(np.cumsum(0.6 / math.sqrt(525_600) * rng.standard_normal(rows)))
    with open(path, "w") as out:
        out.write("timestamp,price\n")
        for i, p in enumerate(prices):
            out.write(f"{1704067200 + 60 * i},{p:.2f}\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the paths and rows, one repeat")
    args = parser.parse_args()
    scale, repeats = (10, 1) if args.quick else (1, 3)
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs;"
          f" chunk {DEFAULT_CHUNK:,} paths, blocks of {BLOCK:,}")

    simulate(same_work(4096, 10), workers=1)  # warm-up
    for paths, steps in ((100_000 // scale, 365), (1_000_000 // scale, 90)):
        config = same_work(paths, steps)
        engine = floor = math.inf
        for _ in range(repeats):  # interleaved, and in CPU time: other load on the machine hits both alike
            floor = min(floor, best_of(lambda: floor_run(config), 1, time.process_time))
            engine = min(engine, best_of(lambda: simulate(config, workers=1), 1, time.process_time))
        line(f"simulate --workers 1, {paths:,} x {steps}", f"{engine:.2f} s", f"{floor:.2f} s",
             engine / floor, "<= 1.3x the numpy floor (CPU s)", engine / floor <= 1.3)
        if steps == 365:
            full = bench_config(paths, steps)
            seconds = best_of(lambda: simulate(full, workers=1), repeats, time.process_time)
            print(f"{'  (with exploits and cover, not in the floor)':<44} {seconds:>8.2f} s: {seconds / floor:.2f}x")
            pair = best_of(lambda: simulate(two_assets(paths, steps), workers=1), repeats, time.process_time)
            print(f"{'  (two correlated assets, two shorts)':<44} {pair:>8.2f} s: {pair / floor:.2f}x")
            one = best_of(lambda: simulate(config, workers=1), repeats)
            two = best_of(lambda: simulate(config, workers=2), repeats)
            line(f"simulate --workers 2, {paths:,} x {steps}", f"{two:.2f} s", f"{one:.2f} s", one / two,
                 "near 2x one worker (wall s, idle machine)", one / two >= 1.8)
            cpu_one, cpu_two = total_cpu(lambda: simulate(config, workers=1)), total_cpu(lambda: simulate(config, workers=2))
            print(f"{'':<44} load average now {os.getloadavg()[0]:.2f}; two workers use {cpu_two / cpu_one:.2f}x"
                  f" the CPU of one ({cpu_two:.2f} s against {cpu_one:.2f} s), so at most"
                  f" {2 * cpu_one / cpu_two:.2f}x on two idle cores")

    code = ("import sys; sys.path.insert(0, {here!r}); from bench_simulation import bench_config;"
            " from hedgec.simulation import simulate; simulate(bench_config({paths}, 90), workers={workers})")
    here = os.path.dirname(os.path.abspath(__file__))
    bare = child_rss("import numpy, hedgec.simulation")
    small = child_rss(code.format(here=here, paths=100_000 // scale, workers=1))
    large = child_rss(code.format(here=here, paths=1_000_000 // scale, workers=1))
    line(f"peak RSS, {1_000_000 // scale:,} x 90 (1 worker)", f"{large:.0f} MiB", f"{small:.0f} MiB",
         large / small, f"flat in paths (vs {100_000 // scale:,}), under 150 MB", large / small < 1.2 and large < 143)
    two = child_rss(code.format(here=here, paths=1_000_000 // scale, workers=2))
    print(f"{'  with 2 workers (largest process)':<44} {two:.0f} MiB; interpreter + numpy + package alone {bare:.0f} MiB")

    with tempfile.TemporaryDirectory() as tmp:
        rows = 525_600 // scale
        few, many = os.path.join(tmp, "few.csv"), os.path.join(tmp, "many.csv")
        write_minutes(few, rows // 10)
        write_minutes(many, rows)
        replay = ["simulate", V2, "--format", "json", "--to", "2030-01-01", "--prices"]
        rss_few, _, _ = cli_rss(replay + [few])
        rss_many, seconds, size = cli_rss(replay + [many])
        line(f"replay peak RSS, {rows:,} minute rows", f"{rss_many:.0f} MiB", f"{rss_few:.0f} MiB",
             rss_many / rss_few, f"flat in rows (vs {rows // 10:,})", rss_many / rss_few < 1.2)
        _, _, per_step = cli_rss(replay + [many, "--per-step"])
        print(f"{'  its time; JSON without / with --per-step':<44} {seconds:.1f} s; {size / 1024:.1f} KiB"
              f" / {per_step / 2**20:.1f} MiB")


if __name__ == "__main__":
    main()
