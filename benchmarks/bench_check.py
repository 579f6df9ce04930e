"""How fast is `hedgec check`?

Generates a corpus of strategies and reports, side by side in one run:

1. checking many small files (parse, IR, graph, rules) against loading the
   same strategies written as YAML with ruamel.yaml plus jsonschema
   validation, which is what a user would pick instead of a language;
2. the same for one large file holding many legs;
3. the wall time of `hedgec check` on one small file against a bare
   `python -c pass` and against the imports no check can avoid (lark and
   networkx).

Targets: the whole check at least 3x faster than the YAML load; one small
file within 2x of `python -c pass` + the unavoidable imports.

    python benchmarks/bench_check.py [--files 500] [--legs 400]
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = (ROOT / "specs" / "eth-usdc-v2-neutral.hedge").read_text()


def strategy_text(i: int) -> str:
    """A variant of the v2 example with its own name and amounts."""
    return (TEMPLATE.replace("strategy eth_usdc_v2_neutral", f"strategy s{i}")
            .replace("deposit = 20000 USDC", f"deposit = {20000 + i} USDC")
            .replace("collateral = 10000 USDC", f"collateral = {10000 + i // 2} USDC"))


def large_text(legs: int) -> str:
    """One strategy with `legs` pools, each hedged and covered."""
    head, _, _ = TEMPLATE.partition("  pool lp {")
    parts = [head]
    for i in range(legs):
        parts.append(f"""  pool lp{i} {{
    venue   = uniswap_v2
    pair    = ETH/USDC
    deposit = {1000 + i} USDC
    fee_apr = 15%
    from    = main
  }}

  perp hedge{i} {{
    venue      = dydx
    market     = ETH-USD
    side       = short
    hedges     = lp{i}
    collateral = {500 + i} USDC
    leverage   = 1x
    order      = market
    from       = main
  }}

  cover cover{i} {{
    provider = nexus_mutual
    protects = lp{i}
    amount   = {1000 + i} USDC
    period   = 90d
    from     = main
  }}

""")
    return "".join(parts) + "}\n"


# ---- the same strategies as YAML, with a JSON Schema of the same rules ----

LEG_SCHEMA = {
    "pool": {"venue": "string", "pair": "string", "deposit": "string", "fee_apr": "string", "from": "string"},
    "perp": {"venue": "string", "market": "string", "side": "string", "hedges": "string", "ratio": "string",
             "collateral": "string", "leverage": "string", "order": "string", "from": "string"},
    "cover": {"provider": "string", "protects": "string", "amount": "string", "period": "string",
              "from": "string"},
    "wallet": {"custody": "string", "chain": "string", "gas": "string"},
}
QUANTITY = r"^-?\d+(\.\d+)?(\s*[A-Za-z%]+)?( apr)?$"


def yaml_schema() -> dict:
    def block(keys):
        props = {k: {"type": "string", "pattern": QUANTITY} if k in ("deposit", "collateral", "amount", "gas")
                 else {"type": "string"} for k in keys}
        return {"type": "object", "properties": props, "required": ["from"] if "from" in keys else [],
                "additionalProperties": False}

    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "required": ["strategy"],
        "properties": {"strategy": {
            "type": "object",
            "required": ["name", "horizon"],
            "properties": {
                "name": {"type": "string"}, "title": {"type": "string"}, "horizon": {"type": "string"},
                "base": {"type": "string"},
                "assume": {"type": "object", "additionalProperties": {"type": ["string", "number"]}},
                **{f"{kind}s": {"type": "object", "additionalProperties": block(keys)}
                   for kind, keys in LEG_SCHEMA.items()},
            },
            "additionalProperties": False,
        }},
    }


def to_yaml(text: str) -> str:
    """The strategy in `text` written as the YAML document a user would keep instead."""
    from hedgec.compiler.syntax import parse

    tree = parse(text, "x")
    (strategy,) = tree.blocks
    lines = ["strategy:", f"  name: {strategy.name}"]
    for attr in strategy.attributes:
        lines.append(f"  {attr.key}: {_raw(text, attr.value.span)}")
    groups: dict[str, list] = {}
    for block in strategy.blocks:
        groups.setdefault(block.kind, []).append(block)
    for kind, blocks in groups.items():
        if kind == "assume":
            lines.append("  assume:")
            lines += [f"    {a.key}: {_raw(text, a.value.span)}" for a in blocks[0].attributes]
            continue
        lines.append(f"  {kind}s:")
        for block in blocks:
            lines.append(f"    {block.name}:")
            lines += [f"      {a.key}: {_raw(text, a.value.span)}" for a in block.attributes]
    return "\n".join(lines) + "\n"


def _raw(text: str, span) -> str:
    line = text.splitlines()[span.line - 1]
    return '"' + line[span.column - 1: span.end_column - 1].replace('"', "'") + '"'


# ---- measuring ----

def best_of(runs: int, fn) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def check_all(paths):
    from hedgec.compiler.pipeline import check_file

    for path in paths:
        result = check_file(str(path))
        assert not result.diagnostics or result.ok, result.diagnostics


def yaml_all(paths, validator):
    from ruamel.yaml import YAML

    yaml = YAML(typ="safe")
    for path in paths:
        validator.validate(yaml.load(Path(path).read_text()))


def wall(cmd: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=False, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=500)
    parser.add_argument("--legs", type=int, default=400)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    import jsonschema

    validator = jsonschema.Draft202012Validator(yaml_schema())
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        hedge_paths, yaml_paths = [], []
        for i in range(args.files):
            text = strategy_text(i)
            (folder / f"s{i}.hedge").write_text(text)
            (folder / f"s{i}.yaml").write_text(to_yaml(text))
            hedge_paths.append(folder / f"s{i}.hedge")
            yaml_paths.append(folder / f"s{i}.yaml")
        big = large_text(args.legs)
        (folder / "big.hedge").write_text(big)
        (folder / "big.yaml").write_text(to_yaml(big))
        yaml_all(yaml_paths[:1], validator)  # both sides warm: imports and caches
        check_all(hedge_paths[:1])

        rows = []
        t_hedge = best_of(args.runs, lambda: check_all(hedge_paths))
        t_yaml = best_of(args.runs, lambda: yaml_all(yaml_paths, validator))
        rows.append((f"{args.files} small files", t_hedge, t_yaml))
        t_hedge_big = best_of(args.runs, lambda: check_all([folder / "big.hedge"]))
        t_yaml_big = best_of(args.runs, lambda: yaml_all([folder / "big.yaml"], validator))
        rows.append((f"1 file, {3 * args.legs} legs ({len(big) // 1024} KiB)", t_hedge_big, t_yaml_big))

        print(f"{'corpus':<32} {'hedgec check':>14} {'YAML+schema':>14} {'speed-up':>9}")
        for name, th, ty in rows:
            print(f"{name:<32} {th * 1000:>11.1f} ms {ty * 1000:>11.1f} ms {ty / th:>8.2f}x")
        per_file = rows[0][1] / args.files
        print(f"throughput: {args.files / rows[0][1]:,.0f} files/s ({per_file * 1000:.2f} ms per file)")

        small = str(hedge_paths[0])
        bare = wall([sys.executable, "-c", "pass"], args.runs * 2)
        imports = wall([sys.executable, "-c", "import lark, networkx"], args.runs * 2)
        cli = wall([sys.executable, "-m", "hedgec", "check", small], args.runs * 2)
        print(f"\none small file, wall time (median of {args.runs * 2}):")
        print(f"  python -c pass                      {bare * 1000:7.1f} ms")
        print(f"  python -c 'import lark, networkx'   {imports * 1000:7.1f} ms  (the unavoidable imports)")
        print(f"  hedgec check FILE                   {cli * 1000:7.1f} ms  "
              f"= {cli / imports:.2f}x the unavoidable imports (target <= 2x)")


if __name__ == "__main__":
    main()
