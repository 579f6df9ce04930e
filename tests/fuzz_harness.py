"""The fuzz harness: every command over generated and mutated strategies.

The invariant: an input is either refused by `check` with located
diagnostics (or, when its settings file is wrong, with one line naming that
file), or handled by every command (check in every format, fmt, plan,
checklist, graph, build, simulate, diff, the language server's check) with
exit 0 or 1 and valid output: JSON that parses, finite numbers. Never an
internal error, never a traceback, never a hang.

Commands run in process through `hedgec.cli.main.main`, with stdout and
stderr captured, so one input costs milliseconds rather than a Python
start-up per command. Inputs come from a seeded `random.Random`, so a run is
reproducible from its seed, and each failure is reported with the input that
caused it.

    python tests/fuzz_harness.py --inputs 1000 --seed 1   # or benchmarks/fuzz_long.py
"""
from __future__ import annotations

import contextlib
import io
import json
import math
import os
import random
import re
import shutil
import signal
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = {p.name: p.read_text("utf-8") for p in sorted((ROOT / "specs").glob("*.hedge"))}

# -- inputs --------------------------------------------------------------------

TOKENS = ["strategy", "assume", "wallet", "pool", "perp", "cover", "lp", "hedge", "main", "{", "}", "=", "\n",
          " ", "20000", "USDC", "ETH", "BTC", "2.5x", "15%", "8%", "apr", "90d", "..", "/", "[", "]", ",",
          '"s"', '"', "#", "# c\n", "-", "+", ".", "1e9", "price.ETH", "vol.ETH", "drift.ETH", "limit", "\t",
          "\r\n", "'", ":", ";", "é", "\u2028", "\x0c", "99999999999999999999", "1e-320", "1e99999", "\\",
          "from", "hedges", "protects", "venue", "market", "side", "short", "long", "0", "gas", "range"]
EXTREME_NUMBERS = ["0", "1", "0.5", "3000", "1e-15", "1e-16", "1e-320", "1e-300", "4.9e-324", "1e14",
                   "999999999999999", "1e15", "1e308", "1e99999", "1e9999999", "0.000001", "123456789.123456789",
                   "7", "100", "-1", "-0", "+5", "1e-7", "2400", "4000", "50000", "0.25"]
ASSETS = ["ETH", "BTC", "WETH", "WBTC", "USDC", "USDT", "DAI", "AVAX", "DYDX", "SOL", "FOO", "USD"]
WEIRD_TEXT = ["<script>alert(1)</script>", "a & b < c > d", "line\\nbreak", "tab\there", "\x07bell\x1b[31m",
              "`code` *bold* _x_ | pipe |", "{{ template }}", "$(rm -rf /)", "é ü 中文 🚀", "\u202eRTL",
              "\u2028sep", "-->", "]]><![CDATA[", "\\\"quoted\\\"", "\x00nul", "%s %d %%", "x" * 300]


def _number(rng: random.Random) -> str:
    return rng.choice(EXTREME_NUMBERS) if rng.random() < 0.7 else f"{rng.uniform(0, 1e5):.{rng.randint(0, 6)}f}"


def random_bytes(rng: random.Random) -> bytes:
    return bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 300)))


def token_soup(rng: random.Random) -> str:
    return "".join(rng.choice(TOKENS) for _ in range(rng.randint(0, 80)))


def mutated_example(rng: random.Random) -> str:
    """A bundled example with a few characters deleted, inserted, duplicated or numbers swapped."""
    text = rng.choice(list(EXAMPLES.values()))
    for _ in range(rng.randint(1, 4)):
        at = rng.randint(0, len(text))
        action = rng.choice(["delete", "insert", "duplicate", "number", "number"])
        if action == "delete":
            text = text[:at] + text[at + rng.randint(1, 8):]
        elif action == "insert":
            text = text[:at] + rng.choice(TOKENS) + text[at:]
        elif action == "duplicate":
            text = text[:at] + rng.choice(text.split("\n")) + "\n" + text[at:]
        else:
            spots = [m.span() for m in re.finditer(r"-?\d+(\.\d+)?", text)]
            if spots:
                start, end = rng.choice(spots)
                text = text[:start] + _number(rng) + text[end:]
    return text


def _string(rng: random.Random) -> str:
    raw = rng.choice(WEIRD_TEXT + ["ETH hedge", ""])
    return '"' + raw.replace('"', '\\"') + '"' if rng.random() < 0.8 else f'"{raw}"'


def structured(rng: random.Random) -> str:
    """A whole strategy of pool, perp, covers and wallets: mostly sound values, each with a
    small chance of an extreme or unusual one, so many get past `check` to the other commands."""
    odd = rng.choice([0.0, 0.02, 0.05, 0.15])  # how unusual this one is

    def pick(sound, *others):
        return rng.choice(others) if others and rng.random() < odd else sound

    def n(sound: str) -> str:
        return _number(rng) if rng.random() < odd else sound

    def maybe(p: float) -> bool:
        return rng.random() < p

    volatile = pick("ETH", *ASSETS)
    quote = pick("USDC", "USDT", "DAI", "ETH", "BTC")
    chain = pick("ethereum", "arbitrum", "dydx", "avalanche", "mars")
    funder = lambda: pick("main", "lp", "hedge", "other", "nowhere")  # noqa: E731
    duration = lambda sound: n(sound) + pick("d", "h", "w", "y")  # noqa: E731
    lines = [f"strategy {pick('s', 'fuzz_1', 'x' * 60, 'ETH')} {{"]
    if maybe(0.6):
        lines.append(f"  title = {_string(rng)}")
    lines += [f"  horizon = {duration('90')}", f"  base = {pick('USDC', 'USDT', 'ETH', 'DAI')}", "  assume {"]
    for asset in [volatile] * maybe(0.9) + rng.sample(ASSETS, rng.randint(0, 2)):
        lines.append(f"    price.{asset} = {n('3000')} {pick('USDC', 'BTC', 'ETH', 'USD')}")
    if maybe(0.8):
        lines.append(f"    vol.{volatile} = {n('60')}%")
    if maybe(0.6):
        lines.append(f"    funding.{volatile}-USD = {pick('', '-')}{n('8')}% apr")
    if maybe(0.4):
        lines.append(f"    drift.{volatile} = {pick('', '-')}{n('5')}% apr")
    if maybe(0.7):
        lines.append(f"    gas_price = {n('20')} gwei")
    lines += ["  }", "  wallet main {", f"    custody = {pick('self', 'custodial')}",
              f"    chain = {chain}", f"    gas = {n('0.25')} {pick('ETH', 'USDC', 'DYDX', 'AVAX', 'BTC')}", "  }"]
    if maybe(0.15):
        lines += ["  wallet other {", f"    chain = {pick('dydx', 'ethereum', 'arbitrum')}", "  }"]
    v3 = maybe(0.5)
    lines += ["  pool lp {", f"    venue = {pick('uniswap_v3' if v3 else 'uniswap_v2', 'curve', 'dydx')}",
              f"    pair = {volatile}/{quote}", f"    deposit = {n('20000')} {pick(quote, 'USDC', volatile)}"]
    if v3 ^ maybe(odd):
        lines.append(f"    range = {n('2400')} .. {n('4000')} {quote}")
    if maybe(0.6):
        lines.append(f"    fee_apr = {n('15')}%")
    lines += [f"    from = {funder()}", "  }"]
    if maybe(0.85):
        lines += ["  perp hedge {", f"    venue = {pick('dydx', 'dydx_v4', 'uniswap_v2')}",
                  f"    market = {volatile}-USD", f"    side = {pick('short', 'long')}",
                  f"    hedges = {pick('lp', 'hedge', 'main')}",
                  f"    collateral = {n('10000')} {pick('USDC', volatile)}"]
        if maybe(0.5):
            lines.append(f"    leverage = {n('2')}x")
        if maybe(0.4):
            lines.append(f"    ratio = {n('100')}%")
        if maybe(0.5):
            lines.append(f"    order = {pick('market', 'limit ' + n('3000') + ' USDC')}")
        if maybe(0.3):
            lines.append(f"    rebalance = {n('10')}%")
        lines += [f"    from = {funder()}", "  }"]
    for name, protects in (("pool_cover", "lp"), ("dydx_cover", "hedge")):
        if maybe(0.6):
            lines += [f"  cover {name} {{", "    provider = nexus_mutual", f"    protects = {protects}",
                      f"    amount = {n('10000')} {pick('USDC', 'ETH')}", f"    period = {duration('90')}",
                      f"    from = {funder()}", "  }"]
    lines.append("}")
    return "\n".join(lines) + "\n"


SETTING_VALUES = ["-1", "0", "1", "0.5", "0.999", "1.0001", "2", "1e308", "-1e308", "nan", "inf", "true", '"0.1"',
                  "[1]", "{ a = 1 }", "1000", "1001", "2147483648", "1e-300", "0.05", "0.25", "0.75", "1.25", "1.1"]


def settings(rng: random.Random) -> str:
    """A hedgec.toml: thresholds (known, misspelt or unknown) with plausible and absurd values,
    sometimes a code selection or a line that is not TOML."""
    from hedgec.compiler.config import declared_thresholds

    known = sorted(declared_thresholds())
    lines = ["[thresholds]"]
    if rng.random() < 0.5:  # values each threshold allows, at and near its ends: every command runs with them
        for name in rng.sample(known, rng.randint(1, 5)):
            lines.append(f"{name} = {_allowed(rng, name)!r}")
    else:
        names = known + ["size-tolerence", "bogus"]
        for name in rng.sample(names, rng.randint(1, 5)):
            value = rng.choice(SETTING_VALUES) if rng.random() < 0.7 else f"{rng.uniform(0, 3):.4f}"
            lines.append(f"{name} = {value}")
    if rng.random() < 0.2:
        lines.insert(0, f"{rng.choice(['select', 'ignore', 'selcet'])} = [\"{rng.choice(['H2', 'H3', 'H99', 'X'])}\"]")
    if rng.random() < 0.05:
        lines.append(rng.choice(["[thresholds", "x = = 1", "\x00"]))
    return "\n".join(lines) + "\n"


def _allowed(rng: random.Random, name: str) -> float:
    """A value threshold `name`'s domain allows: an end, just inside one, or between."""
    from hedgec.compiler.config import THRESHOLD_DOMAINS

    d = THRESHOLD_DOMAINS[name]
    low = d.low + (1e-9 if d.low_open else 0.0)
    high = min(d.high, 1e6) - (1e-9 if d.high_open else 0.0)
    value = rng.choice([low, high, rng.uniform(low, high)])
    if d.whole:
        value = float(math.ceil(value) if value < high else math.floor(value))
    return value


def generate(rng: random.Random) -> str | bytes:
    """One input: bytes, or text in one of the shapes above."""
    pick = rng.random()
    if pick < 0.08:
        return random_bytes(rng)
    if pick < 0.22:
        return token_soup(rng)
    if pick < 0.55:
        return mutated_example(rng)
    return structured(rng)


# -- running the commands --------------------------------------------------------

class Hang(BaseException):
    """A command ran past its time limit (a BaseException: hedgec's own `except Exception` must not catch it)."""


@dataclass
class Failure:
    kind: str  # "crash" or "hang"
    command: list
    detail: str
    source: str | bytes
    settings: str | None = None  # the hedgec.toml beside it, if any


@dataclass
class Counts:
    inputs: int = 0  # crashes and hangs count inputs, failures holds each failing command
    refused: int = 0
    accepted: int = 0
    crashes: int = 0
    hangs: int = 0
    declined: dict = field(default_factory=dict)  # command -> clean exit-2 refusals (e.g. two pools to simulate)
    failures: list = field(default_factory=list)

    def line(self) -> str:
        declined = ", ".join(f"{k} {v}" for k, v in sorted(self.declined.items())) or "none"
        return (f"{self.inputs} inputs: {self.crashes} crashes, {self.hangs} hangs, {self.refused} refused, "
                f"{self.accepted} accepted (clean declines: {declined})")


def run_command(argv: list[str], stdin: bytes = b"", limit: float = 20.0) -> tuple[int, str, str]:
    """`hedgec ARGV` in process: (exit code, stdout, stderr). Raises Hang past `limit` seconds."""
    from hedgec.cli.main import main

    out, err = io.StringIO(), io.StringIO()
    real_stdin = sys.stdin
    sys.stdin = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")
    previous = signal.signal(signal.SIGALRM, _raise_hang)
    signal.setitimer(signal.ITIMER_REAL, limit)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(argv)
    except Hang:
        raise
    except BaseException as exc:  # noqa: BLE001  an escaped exception is a crash, whatever it is
        code, err = 99, io.StringIO(f"escaped {type(exc).__name__}: {exc}")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        sys.stdin = real_stdin
    return code, out.getvalue(), err.getvalue()


def _raise_hang(signum, frame):
    raise Hang()


def _no_constants(name: str):
    raise ValueError(f"{name} is not JSON")


def json_problem(text: str) -> str | None:
    """Why `text` is not strict JSON with finite numbers, or None."""
    try:
        doc = json.loads(text, parse_constant=_no_constants)
    except ValueError as err:
        return f"invalid JSON: {err}"
    bad = _non_finite(doc)
    return f"non-finite number at {bad}" if bad else None


def _non_finite(doc, where: str = "$") -> str | None:
    if isinstance(doc, float) and not math.isfinite(doc):
        return where
    items = doc.items() if isinstance(doc, dict) else enumerate(doc) if isinstance(doc, list) else ()
    for key, value in items:
        found = _non_finite(value, f"{where}.{key}")
        if found:
            return found
    return None


YAML_NON_FINITE = re.compile(r":\s+[-+]?\.(inf|nan)\b", re.IGNORECASE)
LOCATED = re.compile(r"^(?P<file>[^\n]+?):(?P<line>\d+):(?P<col>\d+): error\[H\d{3}\]", re.MULTILINE)


class Harness:
    """Runs every command on one input in a scratch folder; tallies the outcomes."""

    def __init__(self, simulate_paths: int = 8, limit: float = 20.0):
        self.folder = Path(tempfile.mkdtemp(prefix="hedgec-fuzz-"))
        self.path = str(self.folder / "fuzz.hedge")
        self.paths, self.limit = str(simulate_paths), limit
        self.counts = Counts()

    def run(self, source: str | bytes, settings: str | None = None) -> None:
        """Every command on `source`, with `settings` as the folder's hedgec.toml (None: none)."""
        from hedgec.compiler.config import forget_settings_files

        counts = self.counts
        counts.inputs += 1
        data = source.encode("utf-8", "surrogatepass") if isinstance(source, str) else source
        Path(self.path).write_bytes(data)
        self.settings = self.folder / "hedgec.toml"
        if settings is None:
            self.settings.unlink(missing_ok=True)
        else:
            self.settings.write_text(settings, "utf-8")
        forget_settings_files()  # a run reads its settings once; here each input has its own
        failures = len(counts.failures)
        try:
            accepted = self._check(source, data)
            if accepted is None:
                pass
            elif accepted:
                counts.accepted += 1
                self._every_command(source)
            else:
                counts.refused += 1
        except Hang:
            counts.hangs += 1
            counts.failures.append(Failure("hang", [], f"over {self.limit}s", source, settings))
        counts.crashes += any(f.kind == "crash" for f in counts.failures[failures:])

    def _fail(self, argv, detail, source) -> None:
        settings = self.settings.read_text("utf-8") if self.settings.exists() else None
        self.counts.failures.append(Failure("crash", [a.replace(str(self.folder), "DIR") for a in argv],
                                            detail.replace(str(self.folder), "DIR"), source, settings))

    def _check(self, source, data: bytes) -> bool | None:
        """True when check accepts the input, False when it refuses it cleanly, None on a failure."""
        outcome = None
        for fmt in ("text", "json", "github", "sarif"):
            argv = ["check", "--format", fmt, self.path]
            code, out, err = self.run_checked(argv, source)
            if code is None:
                return None
            if code == 2 and self.settings.exists() and err.startswith(f"hedgec: error: {self.settings}: "):
                return False  # the settings are wrong: said in one line naming the file
            if code not in (0, 1):
                self._fail(argv, f"exit {code}: {err[-500:]}", source)
                return None
            if fmt in ("json", "sarif") and (problem := json_problem(out)):
                self._fail(argv, problem, source)
                return None
            if fmt == "text" and code == 1 and not LOCATED.search(out):
                self._fail(argv, "refused without a located error", source)
                return None
            outcome = code == 0
        code, out, err = self.run_checked(["check", "-"], source, stdin=data)
        if code not in (0, 1):
            if code is not None:
                self._fail(["check", "-"], f"exit {code}: {err[-500:]}", source)
            return None
        self._lsp(source, data)
        return outcome

    def run_checked(self, argv, source, stdin: bytes = b""):
        """Run; a traceback or internal error is a failure (None)."""
        code, out, err = run_command(argv, stdin, self.limit)
        if code == 99 or "internal error" in err or "Traceback" in err + out:
            self._fail(argv, err[-800:] or out[-800:], source)
            return None, out, err
        return code, out, err

    def _lsp(self, source, data: bytes) -> None:
        """The language server's own check, diagnostics and completion on the same text."""
        from hedgec.cli.lsp_server import completions, definition, lsp_diagnostic
        from hedgec.compiler.pipeline import check_text, decode

        decoded, _ = decode(data, self.path)
        if decoded is None:
            return
        text = decoded.text
        try:
            from lsprotocol import types
        except ImportError:
            types = None
        try:
            result = check_text(text, self.path)
            lines = text.split("\n")
            if types is not None:
                for d in result.diagnostics:
                    lsp_diagnostic(d, types, lines)
            line = len(lines) // 2
            for column in (0, len(lines[line]) // 2, len(lines[line])):
                completions(text, line, column, _catalog())
                definition(text, line, column)
        except Hang:
            raise
        except Exception as exc:  # noqa: BLE001
            self._fail(["lsp"], f"{type(exc).__name__}: {exc}", source)

    def _every_command(self, source) -> None:
        """Every command once, each in one of its formats, taken in turn from input to input
        (`build` writes every artefact in every format on each)."""
        path, out_dir, turn = self.path, self.folder / "build", self.counts.accepted
        shutil.rmtree(out_dir, ignore_errors=True)
        simulate = ["simulate", path, "--paths", self.paths, "--workers", "1"]
        runs = [
            (["fmt", "--check", path], None),
            _turn(turn, (["plan", path], "yaml"), (["plan", "--format", "json", path], "json")),
            _turn(turn, (["checklist", path], None), (["checklist", "--format", "json", path], "json"),
                  (["checklist", "--format", "yaml", path], "yaml")),
            _turn(turn, (["graph", path], None), (["graph", "--format", "mermaid", path], None)),
            (["build", path, "-o", str(out_dir)], None),
            _turn(turn, (simulate, None), (simulate + ["--format", "json"], "json")),
            _turn(turn, (["diff", path, path], None), (["diff", "--format", "markdown", path, path], None)),
        ]
        for argv, kind in runs:
            code, out, err = self.run_checked(argv, source)
            if code is None:
                continue
            if code == 2 and err.startswith("hedgec: error:") and argv[0] == "simulate":
                self.counts.declined[argv[0]] = self.counts.declined.get(argv[0], 0) + 1
                continue
            if code != 0 and not (argv[0] == "fmt" and code == 1):
                self._fail(argv, f"exit {code} on a strategy check accepts: {err[-500:]}", source)
                continue
            if problem := _output_problem(out, kind):
                self._fail(argv, problem, source)
        for built in sorted(out_dir.glob("*")):
            kind = {".json": "json", ".yaml": "yaml"}.get(built.suffix)
            if problem := _output_problem(built.read_text("utf-8"), kind):
                self._fail(["build", built.name], problem, source)


def _turn(turn: int, *choices):
    return choices[turn % len(choices)]


def _output_problem(text: str, kind: str | None) -> str | None:
    if kind == "json":
        return json_problem(text)
    if kind == "yaml" and YAML_NON_FINITE.search(text):
        return "non-finite number in YAML"
    return None


_CATALOG = []


def _catalog():
    if not _CATALOG:
        from hedgec.compiler.catalog import load_catalog

        _CATALOG.append(load_catalog())
    return _CATALOG[0]


def fuzz(inputs: int, seed: int = 0, progress=None, deadline: float | None = None, **options) -> Counts:
    """Run `inputs` generated inputs from `seed` (fewer if time.monotonic() passes `deadline`);
    the counts, with every failure and its input."""
    import time

    rng = random.Random(seed)
    harness = Harness(**options)
    os.environ.pop("HEDGEC_DEBUG", None)
    try:
        for index in range(inputs):
            if deadline is not None and time.monotonic() > deadline:
                break
            source = generate(rng)
            harness.run(source, settings(rng) if rng.random() < 0.15 else None)
            if progress and (index + 1) % progress == 0:
                print(f"seed {seed}: {harness.counts.line()}", file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(harness.folder, ignore_errors=True)
    return harness.counts


def main(argv: list[str] | None = None) -> int:
    import argparse
    import time

    parser = argparse.ArgumentParser(description="Fuzz every hedgec command; print the counts.")
    parser.add_argument("--inputs", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--progress", type=int, default=1000, help="print the counts every N inputs")
    parser.add_argument("--failures", metavar="FILE", help="write each failing input and what went wrong (JSON lines)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    counts = fuzz(args.inputs, args.seed, progress=args.progress)
    print(counts.line() + f" in {time.perf_counter() - start:.0f}s (seed {args.seed})")
    if args.failures:
        with open(args.failures, "w", encoding="utf-8") as handle:
            for f in counts.failures:
                source = f.source if isinstance(f.source, str) else f.source.decode("latin-1")
                handle.write(json.dumps({"kind": f.kind, "command": f.command, "detail": f.detail,
                                         "source": source}) + "\n")
    return 1 if counts.crashes or counts.hangs else 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
