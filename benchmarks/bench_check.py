"""How fast is `hedgec check`, and does it stay linear?

Every figure is printed beside its baseline, measured in the same run:

1. whole commands, interpreter start-up included on both sides: `hedgec check`
   over 500 small files and over one 2,500-leg file, every diagnostic rendered
   as text, against a script loading the same strategies as YAML with
   ruamel.yaml's round-trip loader (the one a user keeping comments uses) and
   validating them with jsonschema. Target: 3x faster.
2. one small file: `hedgec check FILE` against `python -c "import lark, networkx"`,
   the imports no check can avoid. Target: within 1.25x.
3. the same comparisons in process (warm imports), with diagnostics rendered.
4. linearity: check plus rendering in each output format, from 150 to 2,500
   legs, on the clean corpus and on its variant with one diagnostic per unit;
   the fitted exponent of time against legs. Target: at most 1.1.

The corpus is clean (no error, no warning: only the cover-cost infos every
cover earns); its variant has one warning (H502, cover below funds) per unit of
four legs, so both the quiet and the talkative paths are measured.

    python benchmarks/bench_check.py [--files 500] [--legs 2500] [--runs 5] [--quick]
"""
from __future__ import annotations

import argparse
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = (ROOT / "specs" / "eth-usdc-v2-neutral.hedge").read_text()
LEGS_PER_UNIT = 4  # a pool, its hedge, and a cover for each
FORMATS = ("text", "json", "github", "sarif")


# ---- the corpus -------------------------------------------------------------

def small_text(i: int, diagnostic: bool = False) -> str:
    """The v2 example with its own name and amounts, covered in full (or the
    perp's cover 10% short: one H502 warning)."""
    deposit, collateral = 20000 + 2 * i, 10000 + i
    perp_cover = collateral * 9 // 10 if diagnostic else collateral
    return (TEMPLATE.replace("strategy eth_usdc_v2_neutral", f"strategy s{i}")
            .replace("deposit = 20000 USDC", f"deposit = {deposit} USDC")
            .replace("collateral = 10000 USDC", f"collateral = {collateral} USDC")
            .replace("amount   = 10000 USDC", f"amount   = {perp_cover} USDC")
            .replace("amount   = 20000 USDC", f"amount   = {deposit} USDC"))


def large_text(legs: int, diagnostic: bool = False) -> str:
    """One strategy of `legs` legs in units of four: a pool, the perp hedging
    it, and cover for each (the perp's 10% short with `diagnostic`)."""
    units = max(legs // LEGS_PER_UNIT, 1)
    head, _, _ = TEMPLATE.partition("  wallet main {")
    parts = [head, f"""  wallet main {{
    custody = self
    chain   = ethereum
    gas     = {0.05 * units + 1:g} ETH
  }}

"""]
    for i in range(units):
        deposit, collateral = 200000 + 2 * i, 100000 + i
        perp_cover = collateral * 9 // 10 if diagnostic else collateral
        parts.append(f"""  pool lp{i} {{
    venue   = uniswap_v2
    pair    = ETH/USDC
    deposit = {deposit} USDC
    fee_apr = 15%
    from    = main
  }}

  perp hedge{i} {{
    venue      = dydx
    market     = ETH-USD
    side       = short
    hedges     = lp{i}
    collateral = {collateral} USDC
    leverage   = 1x
    order      = market
    from       = main
  }}

  cover lp_cover{i} {{
    provider = nexus_mutual
    protects = lp{i}
    amount   = {deposit} USDC
    period   = 90d
    from     = main
  }}

  cover hedge_cover{i} {{
    provider = nexus_mutual
    protects = hedge{i}
    amount   = {perp_cover} USDC
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

    lines_of_text = text.splitlines()
    tree = parse(text, "x")
    (strategy,) = tree.blocks

    def raw(span) -> str:
        return '"' + lines_of_text[span.line - 1][span.column - 1: span.end_column - 1].replace('"', "'") + '"'

    lines = ["strategy:", f"  name: {strategy.name}"]
    for attr in strategy.attributes:
        lines.append(f"  {attr.key}: {raw(attr.value.span)}")
    groups: dict[str, list] = {}
    for block in strategy.blocks:
        groups.setdefault(block.kind, []).append(block)
    for kind, blocks in groups.items():
        if kind == "assume":
            lines.append("  assume:")
            lines += [f"    {a.key}: {raw(a.value.span)}" for a in blocks[0].attributes]
            continue
        lines.append(f"  {kind}s:")
        for block in blocks:
            lines.append(f"    {block.name}:")
            lines += [f"      {a.key}: {raw(a.value.span)}" for a in block.attributes]
    return "\n".join(lines) + "\n"


# ---- the two sides, in process ------------------------------------------------

def check_and_render(paths, fmt: str = "text") -> int:
    """`hedgec check` minus the process: check each file and render the report,
    with the command's garbage-collector setting."""
    from hedgec.cli.main import collector_for_a_run
    from hedgec.cli.output import FORMATS as RENDER
    from hedgec.compiler.pipeline import check_file

    with collector_for_a_run(off=True):
        results = [check_file(str(p)) for p in paths]
        assert all(r.strategy is not None for r in results), "a corpus file did not compile"
        return len(RENDER[fmt](results))


def yaml_load_all(paths, validator) -> None:
    """The YAML route: round-trip load (comments kept) and validate."""
    from ruamel.yaml import YAML

    yaml = YAML()  # typ="rt"
    for path in paths:
        validator.validate(yaml.load(Path(path).read_text()))


def best_of(runs: int, fn) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def run_once(cmd: list[str]) -> tuple[float, float]:
    """Wall time and CPU time (user + system, workers included) of one run of a
    command, outside the source tree, so an installed hedgec is not shadowed by
    the checkout's `hedgec/` folder."""
    start = time.perf_counter()
    child = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tempfile.gettempdir())
    _, _, usage = os.wait4(child.pid, 0)
    return time.perf_counter() - start, usage.ru_utime + usage.ru_stime


def medians(times) -> tuple[float, float]:
    times = list(times)
    return statistics.median(t for t, _ in times), statistics.median(c for _, c in times)


def side_by_side(ours: list[str], base: list[str], runs: int) -> tuple[tuple, tuple]:
    """Median wall and CPU times of two commands run in turns after a warm-up of
    each: a change in the machine's load falls on both sides alike."""
    run_once(ours), run_once(base)
    pairs = [(run_once(ours), run_once(base)) for _ in range(runs)]
    return medians(a for a, _ in pairs), medians(b for _, b in pairs)


def wall(cmd: list[str], runs: int) -> tuple[float, float]:
    """Median wall and CPU time of a command, after one warm-up run."""
    run_once(cmd)
    return medians([run_once(cmd) for _ in range(runs)])


def exponent(sizes, times) -> float:
    """The slope of log(time) against log(size), least squares."""
    xs, ys = [math.log(s) for s in sizes], [math.log(t) for t in times]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)


# ---- the report -----------------------------------------------------------------

def row(what: str, ours: float, base: float, goal: str, met: bool) -> None:
    print(f"  {what:<46} {ours * 1000:>9.1f} ms {base * 1000:>9.1f} ms  {goal:<24} {'met' if met else 'NOT MET'}")


def command_row(what: str, ours: tuple, base: tuple, goal: float, faster: bool) -> None:
    """Wall-time ratio against the goal, with the CPU-time ratio beside it (steadier on a busy machine)."""
    ratio, cpu = (base[0] / ours[0], base[1] / ours[1]) if faster else (ours[0] / base[0], ours[1] / base[1])
    met = ratio >= goal if faster else ratio <= goal
    print(f"  {what:<46} {ours[0] * 1000:>9.1f} ms {base[0] * 1000:>9.1f} ms  "
          f"{'>=' if faster else '<='} {goal:g}x: {ratio:.2f}x (cpu {cpu:.2f}x)   {'met' if met else 'NOT MET'}")


def write_corpus(folder: Path, files: int, legs: int) -> dict:
    corpus = {}
    for variant, diagnostic in (("clean", False), ("diag", True)):
        sub = folder / variant
        sub.mkdir()
        hedge, yaml = [], []
        for i in range(files):
            text = small_text(i, diagnostic)
            (sub / f"s{i}.hedge").write_text(text)
            (sub / f"s{i}.yaml").write_text(to_yaml(text))
            hedge.append(sub / f"s{i}.hedge")
            yaml.append(sub / f"s{i}.yaml")
        big = large_text(legs, diagnostic)
        (sub / "big.hedge").write_text(big)
        (sub / "big.yaml").write_text(to_yaml(big))
        corpus[variant] = {"small": hedge, "small_yaml": yaml, "big": [sub / "big.hedge"],
                           "big_yaml": [sub / "big.yaml"], "big_kib": len(big) // 1024}
    return corpus


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=500)
    parser.add_argument("--legs", type=int, default=2500)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="fewer runs and sizes, for a smoke test")
    parser.add_argument("--python", default=sys.executable,
                        help="the interpreter whose hedgec the commands run, e.g. a venv with `pip install .`")
    parser.add_argument("--yaml-files", nargs="*", help=argparse.SUPPRESS)  # internal: the YAML side as a command
    args = parser.parse_args()
    import jsonschema

    validator = jsonschema.Draft202012Validator(yaml_schema())
    if args.yaml_files is not None:
        yaml_load_all(args.yaml_files, validator)
        return
    runs = 2 if args.quick else args.runs
    hedgec = [args.python, "-m", "hedgec", "check"]
    yaml_cli = [args.python, __file__, "--yaml-files"]

    with tempfile.TemporaryDirectory() as tmp:
        corpus = write_corpus(Path(tmp), args.files, args.legs)
        clean, diag = corpus["clean"], corpus["diag"]
        for variant in corpus.values():  # both sides warm, and the corpus is what it claims
            check_and_render(variant["small"][:1])
            yaml_load_all(variant["small_yaml"][:1], validator)
        _assert_corpus(clean, diag)

        print(f"hedgec run by {args.python}")
        print(f"{'':2}{'target':<46} {'hedgec':>12} {'baseline':>12}  goal and ratio")
        print(f"whole commands (start-up included), text output, median of {runs} runs in turns; "
              "baseline: YAML round-trip + schema")
        for name, variant in (("clean", clean), ("1 warning a unit", diag)):
            for key, label in (("small", f"{args.files} small files"),
                               ("big", f"1 file, {args.legs} legs ({variant['big_kib']} KiB)")):
                ours, base = side_by_side([*hedgec, *map(str, variant[key])],
                                          [*yaml_cli, *map(str, variant[key + "_yaml"])], runs)
                command_row(f"{label}, {name}", ours, base, 3, faster=True)
        small = str(clean["small"][0])
        ours, floor = side_by_side([*hedgec, small], [args.python, "-c", "import lark, networkx"], runs * 3)
        print(f"one small file, median of {runs * 3} runs in turns; baseline: python -c 'import lark, networkx'")
        command_row("hedgec check FILE", ours, floor, 1.25, faster=False)
        bare = wall([args.python, "-c", "pass"], runs * 3)
        helped = wall([args.python, "-m", "hedgec", "--help"], runs * 3)
        print(f"  (python -c pass: {bare[0] * 1000:.1f} ms; hedgec --help: {helped[0] * 1000:.1f} ms)")

        print("in process (warm imports), diagnostics rendered as text, best of", runs)
        for name, variant in (("clean", clean), ("1 warning a unit", diag)):
            for key, label in (("small", f"{args.files} small files"), ("big", f"1 file, {args.legs} legs")):
                ours = best_of(runs, lambda: check_and_render(variant[key]))
                base = best_of(runs, lambda: yaml_load_all(variant[key + "_yaml"], validator))
                row(f"{label}, {name}", ours, base, f">= 3x: {base / ours:.2f}x", base / ours >= 3)

        sizes = [150, 600, 2500] if args.quick else [150, 300, 600, 1200, 2500]
        print(f"linearity: check + render, legs {sizes[0]} to {sizes[-1]}; fitted exponent (goal <= 1.1)")
        folder = Path(tmp) / "sizes"
        folder.mkdir()
        for name, diagnostic in (("clean", False), ("1 warning a unit", True)):
            paths = []
            for legs in sizes:
                paths.append(folder / f"{legs}-{diagnostic}.hedge")
                paths[-1].write_text(large_text(legs, diagnostic))
            for fmt in FORMATS:
                times = [best_of(runs, lambda p=p: check_and_render([p], fmt)) for p in paths]
                slope = exponent(sizes, times)
                per_leg = " ".join(f"{t / s * 1e6:.0f}" for s, t in zip(sizes, times))
                print(f"  {name + ', ' + fmt:<30} exponent {slope:.2f} "
                      f"({'met' if slope <= 1.1 else 'NOT MET'}); us a leg: {per_leg}")


def _assert_corpus(clean: dict, diag: dict) -> None:
    """The clean corpus earns no error or warning; the variant one warning a unit."""
    from hedgec.compiler.diagnostics import Severity
    from hedgec.compiler.pipeline import check_file

    for path in clean["small"][:3] + clean["big"]:
        loud = [d.code for d in check_file(str(path)).diagnostics if d.severity is not Severity.INFO]
        assert not loud, f"{path.name} of the clean corpus earns {loud}"
    for path in diag["small"][:3]:
        loud = [d.code for d in check_file(str(path)).diagnostics if d.severity is not Severity.INFO]
        assert loud == ["H502"], f"{path.name} of the variant earns {loud}"
    units = int(diag["big"][0].read_text().count("perp hedge"))
    loud = [d.code for d in check_file(str(diag["big"][0])).diagnostics if d.severity is not Severity.INFO]
    assert loud == ["H502"] * units, f"the large file of the variant earns {sorted(set(loud))}"


if __name__ == "__main__":
    main()
