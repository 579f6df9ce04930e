"""Benchmark of the Monte Carlo engine against the scalar reference.

100,000 paths x 365 daily steps of a v2 ETH/USDC pool (20,000 USDC at 3000,
60% vol) hedged with a 3.3333 ETH short on dYdX (10,000 collateral, mmf 3%,
funding 8% apr), both venues covered and exposed to exploits.

    python benchmarks/bench_simulation.py [--paths N] [--steps N] [--workers N]

Reports path-steps per second, peak memory (tracemalloc in this process and
the maximum resident set size of a fresh subprocess), and the speed of the
scalar reference in tests/sim_reference.py on a subset of paths.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import random
import resource
import subprocess
import sys
import time
import tracemalloc


HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests"))

from hedgec.simulation import CoverSpec, ExploitEvent, PerpSpec, PoolSpec, SimConfig, simulate  # noqa: E402
from hedgec.simulation.report import format_table  # noqa: E402


def bench_config(paths: int, steps: int) -> SimConfig:
    return SimConfig(
        pool=PoolSpec("v2", 20_000.0, 3000.0, fee_apr=0.15, venue="uniswap_v2"),
        perps=(PerpSpec("short", 3.3333, 10_000.0, mmf=0.03, taker_fee=0.0005, liquidation_fee=0.015,
                        funding_apr=0.08, venue="dydx"),),
        covers=(CoverSpec("dydx", 10_000.0, 260.0), CoverSpec("uniswap_v2", 20_000.0, 520.0)),
        events=(ExploitEvent("dydx", 0.02, 0.5), ExploitEvent("uniswap_v2", 0.02, 0.5)),
        horizon_days=365.0, vol=0.6, paths=paths, steps=steps, seed=2024, gas_cost=30.0,
    )


def time_engine(config: SimConfig, workers: int | None, chunk: int, repeats: int = 3):
    """Best wall time of ``repeats`` runs (the machine may be shared)."""
    best, result = math.inf, None
    for _ in range(repeats):
        start = time.perf_counter()
        result = simulate(config, chunk_size=chunk, workers=workers)
        best = min(best, time.perf_counter() - start)
    return result, best


def scalar_price_paths(config: SimConfig, paths: int, seed: int) -> list[list[float]]:
    """GBM paths drawn one normal at a time, as a scalar simulator would."""
    rng = random.Random(seed)
    drift = (config.drift - 0.5 * config.vol ** 2) * config.dt
    vol = config.vol * math.sqrt(config.dt)
    out = []
    for _ in range(paths):
        price, path = config.pool.entry_price, [config.pool.entry_price]
        for _ in range(config.steps):
            price *= math.exp(drift + vol * rng.gauss(0.0, 1.0))
            path.append(price)
        out.append(path)
    return out


def time_reference(config: SimConfig, paths: int) -> tuple[float, float]:
    """(seconds drawing the scalar paths, seconds running the scalar step logic)."""
    from sim_reference import reference_run

    start = time.perf_counter()
    prices = scalar_price_paths(config, paths, seed=1)
    drawn = time.perf_counter()
    never = [[config.steps + 1] * paths for _ in config.events]
    reference_run(config, prices, never, config.dt)
    return drawn - start, time.perf_counter() - drawn


def child_main(args) -> None:
    """Run once and print the peak resident set size (KiB) as JSON."""
    config = bench_config(args.paths, args.steps)
    simulate(config, chunk_size=args.chunk, workers=args.workers)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(json.dumps({"maxrss_kib": own, "worker_maxrss_kib": workers}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paths", type=int, default=100_000)
    parser.add_argument("--steps", type=int, default=365)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--chunk", type=int, default=8192)
    parser.add_argument("--reference-paths", type=int, default=200)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_main(args)
        return

    config = bench_config(args.paths, args.steps)
    path_steps = args.paths * args.steps
    simulate(bench_config(2048, 10), workers=args.workers)  # warm-up
    result, seconds = time_engine(config, args.workers, args.chunk)
    rate = path_steps / seconds

    tracemalloc.start()
    time_engine(config, args.workers, args.chunk, repeats=1)
    traced_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()

    cmd = [sys.executable, os.path.abspath(__file__), "--child", "--paths", str(args.paths),
           "--steps", str(args.steps), "--chunk", str(args.chunk)]
    if args.workers:
        cmd += ["--workers", str(args.workers)]
    child = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
    baseline = json.loads(subprocess.run(
        [sys.executable, "-c", "import json, resource, numpy, hedgec.simulation;"
         "print(json.dumps({'maxrss_kib': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))"],
        check=True, capture_output=True, text=True).stdout)

    draw_seconds, logic_seconds = time_reference(config, args.reference_paths)
    ref_steps = args.reference_paths * args.steps
    ref_rate = ref_steps / (draw_seconds + logic_seconds)
    logic_rate = ref_steps / logic_seconds
    workers = args.workers or os.cpu_count()

    print(format_table(result))
    print(f"engine:     {args.paths:,} paths x {args.steps} steps in {seconds:.2f} s (best of 3)"
          f" = {rate / 1e6:.1f} million path-steps/s (workers={workers}, chunk={args.chunk})")
    print(f"reference:  {args.reference_paths} paths x {args.steps} steps: scalar draws {draw_seconds:.3f} s"
          f" + step logic {logic_seconds:.3f} s = {ref_rate / 1e6:.3f} million path-steps/s"
          f" (step logic alone {logic_rate / 1e6:.3f})")
    print(f"speed-up:   {rate / ref_rate:.0f}x over the scalar reference with its own draws,"
          f" {rate / logic_rate:.0f}x over its step logic alone")
    print(f"memory:     tracemalloc peak (this process) {traced_peak / 2**20:.1f} MiB;"
          f" max RSS of a fresh run {child['maxrss_kib'] / 1024:.1f} MiB,"
          f" of its worker processes {child['worker_maxrss_kib'] / 1024:.1f} MiB"
          f" (interpreter + numpy + package alone: {baseline['maxrss_kib'] / 1024:.1f} MiB)")


if __name__ == "__main__":
    main()
