"""The fuzz harness's long mode: >= 100,000 inputs through every command, in
parallel shards, then the counts (crashes, hangs, refused, accepted) and each
kind of failure once, with the input that shows it.

    python benchmarks/fuzz_long.py --inputs 100000 --shards 2 --failures fuzz-failures.jsonl

Exit 1 if anything crashed or hung. The bounded budget that runs in CI is
tests/test_fuzz_harness.py; both use tests/fuzz_harness.py.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import fuzz_harness  # noqa: E402


def _shard(job: tuple[int, int, int, float | None]):
    inputs, seed, progress, deadline = job
    return fuzz_harness.fuzz(inputs, seed, progress=progress, deadline=deadline)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--inputs", type=int, default=100_000)
    parser.add_argument("--shards", type=int, default=2, help="processes, each with its own seed")
    parser.add_argument("--seed", type=int, default=0, help="shard i uses seed + i")
    parser.add_argument("--progress", type=int, default=2000)
    parser.add_argument("--minutes", type=float, help="stop after this long and report what ran (the count says how many)")
    parser.add_argument("--failures", metavar="FILE", help="each kind of failure with one input (JSON lines)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    per_shard = -(-args.inputs // args.shards)
    deadline = time.monotonic() + args.minutes * 60 if args.minutes else None
    jobs = [(per_shard, args.seed + i, args.progress, deadline) for i in range(args.shards)]
    with multiprocessing.get_context("fork").Pool(args.shards) as pool:
        shards = pool.map(_shard, jobs)
    total = fuzz_harness.Counts()
    kinds: Counter = Counter()
    examples = {}
    for counts in shards:
        for name in ("inputs", "refused", "accepted", "crashes", "hangs"):
            setattr(total, name, getattr(total, name) + getattr(counts, name))
        for command, n in counts.declined.items():
            total.declined[command] = total.declined.get(command, 0) + n
        for f in counts.failures:
            kind = (f.kind, f.command[0] if f.command else "", f.detail.strip().splitlines()[0][:200] if f.detail else "")
            kinds[kind] += 1
            examples.setdefault(kind, f)
    print(total.line() + f" in {time.perf_counter() - start:.0f}s ({args.shards} shards, seeds {args.seed}..)")
    for (kind, command, detail), n in kinds.most_common():
        print(f"  {n:6d} {kind} {command}: {detail}")
    if args.failures:
        with open(args.failures, "w", encoding="utf-8") as handle:
            for key, f in examples.items():
                source = f.source if isinstance(f.source, str) else f.source.decode("latin-1")
                handle.write(json.dumps({"kind": f.kind, "command": f.command, "detail": f.detail,
                                         "count": kinds[key], "source": source, "settings": f.settings}) + "\n")
    return 1 if total.crashes or total.hangs else 0


if __name__ == "__main__":
    sys.exit(main())
