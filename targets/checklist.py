"""The execution checklist: the steps a person follows to put a strategy on,
watch it and take it off, in an order derived from the dependency graph.

Phases, in order: prepare, cover (before any funds go in), put on (collateral
deposits, approvals, liquidity, and each short right after the liquidity it
hedges), verify, monitor, unwind, incident. Within a phase, legs follow the
graph's topological order (ties broken by name), so the same strategy always
gives the same steps.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

from hedgec import finance
from hedgec.compiler.analysis import sent_steps
from hedgec.compiler.kinds import KINDS
from hedgec.numbers import money_cents as money, tokens
from hedgec.record import record

from . import Compiled

CHECKLIST_VERSION = 1

PHASES = (
    ("prepare", "Prepare the wallet"),
    ("cover", "Buy cover before any funds go in"),
    ("put_on", "Put the position on"),
    ("verify", "Verify the position"),
    ("monitor", "Monitor while the position is open"),
    ("unwind", "Unwind at the horizon"),
    ("incident", "If a venue is exploited"),
)

WALLET_ACTIONS = frozenset({"wallet", "fund_gas", "fund_tokens", "bridge", "gas_alert"})  # their "venue" is a chain


@record
class Qty:
    value: float
    asset: str


@record
class Gas:
    action: str
    units: int
    native: str
    cost: float  # native units
    cost_base: float | None


@record
class Step:
    id: str  # stable: phase, action and leg, e.g. "put_on.open.hedge"
    phase: str
    action: str
    title: str
    leg: str | None = None
    venue: str | None = None
    amounts: tuple[Qty, ...] = ()
    gas: Gas | None = None
    details: tuple[str, ...] = ()
    number: int = 0  # 1-based position in the checklist, set once all steps are known


@dataclass
class _Builder:
    """Collects steps; the kinds' checklist functions (compiler/kinds/) call it."""

    c: Compiled
    steps: list[Step] = field(default_factory=list)

    def add(self, phase: str, action: str, title: str, leg: str | None = None, **kw) -> None:
        key = ".".join(x for x in (phase, action, leg, kw.pop("suffix", None)) if x)
        self.steps.append(Step(key, phase, action, title, leg, **kw))

    @property
    def base(self) -> str:
        return self.c.strategy.base

    qty = staticmethod(Qty)

    def threshold(self, name: str) -> float:
        """A setting the kinds' steps read: their alert levels (Checklist.thresholds)."""
        return self.c.config.threshold(name)

    def figures(self, name: str):
        return self.c.analysis.figures[name]

    def block(self, name: str):
        return self.c.strategy.block(name)

    def exposure(self, name: str) -> dict[str, float]:
        kind = KINDS[self.block(name).kind]
        return kind.exposure(self.figures(name)) if kind.exposure else {}

    def sends(self, leg: str, action: str) -> bool:
        """Whether the leg's venue needs this transaction at all."""
        kind = KINDS[self.block(leg).kind]
        return action in sent_steps(kind, self.c.catalog.venue(self.c.graph.venue_of(leg)))

    def gas(self, leg: str, action: str) -> Gas | None:
        """Gas of one of a leg's transactions, from the wallet that funds it."""
        wallet = self.c.graph.funding_wallet(leg)
        w = self.c.analysis.figures.get(wallet) if wallet else None
        if w is None:
            return None
        units = next((g.units for g in w.actions if g.leg == leg and g.step == action), None)
        if units is None:
            units = self.c.catalog.venue(self.c.graph.venue_of(leg)).gas_units(action) or 0
        cost = finance.gas_cost(units, w.gas_price_gwei)
        per_native = (w.cost_base / w.cost) if w.cost and w.cost_base is not None else None
        return Gas(action, units, w.native, cost, cost * per_native if per_native is not None else None)

    def in_asset(self, value_base: float, asset: str) -> float:
        """A base-currency value expressed in `asset` at the assumed prices."""
        return value_base * self.c.prices.rate(self.base, asset)

    def amount(self, value: float, asset: str) -> str:
        """Money in the base currency to the cent, other tokens to 4 decimals."""
        return money(value, asset) if asset == self.base else tokens(value, asset)

    def native_of(self, leg: str) -> str | None:
        wallet = self.c.graph.funding_wallet(leg)
        w = self.c.analysis.figures.get(wallet) if wallet else None
        return w.native if w is not None else None

    def needs_by_asset(self, wallet: str) -> dict[str, list[tuple[str, Qty, str]]]:
        """Tokens each leg funded by `wallet` needs, by asset, legs in dependency order."""
        grouped: dict[str, list] = {}
        for name in self.c.graph.order():
            if self.c.graph.kind(name) == "venue" or self.c.graph.funding_wallet(name) != wallet:
                continue
            needs = KINDS[self.block(name).kind].checklist.needs
            for qty, why in (needs(self, name) if needs and name != wallet else []):
                grouped.setdefault(qty.asset, []).append((name, qty, why))
        return grouped


def build_steps(c: Compiled) -> list[Step]:
    b = _Builder(c)
    for phase in (_each("prepare"), _each("cover"), _put_on, _each("verify"), _each("monitor"), _unwind,
                  _each("incident"), _uncovered):
        phase(b)
    return [Step(**{**asdict_shallow(s), "number": i}) for i, s in enumerate(b.steps, 1)]


def asdict_shallow(step: Step) -> dict:
    return {f: getattr(step, f) for f in step.__dataclass_fields__}


def _ordered(b: _Builder, kind: str) -> list[str]:
    """Blocks of one kind in the graph's deterministic topological order."""
    return [n for n in b.c.graph.order() if b.c.graph.kind(n) == kind]


def _each(phase: str):
    """A phase in which every kind, in registry order, adds its steps block by block."""
    def run(b: _Builder) -> None:
        for kind in KINDS.values():
            add = getattr(kind.checklist, phase)
            for name in _ordered(b, kind.name) if add else ():
                add(b, name)
    return run


def _step(b: _Builder, part: str, name: str) -> None:
    add = getattr(KINDS[b.block(name).kind].checklist, part)
    if add is not None:
        add(b, name)


def _put_on(b: _Builder) -> None:
    """Each block funded, then opened; what hedges it funded before it and opened
    right after it, so the position is never unhedged longer than one transaction."""
    done: set[str] = set()
    for name in b.c.graph.order():
        if b.c.graph.kind(name) == "venue" or name in done:
            continue
        hedgers = [h for h in b.c.graph.hedgers(name) if h not in done]
        for part, names in (("fund", hedgers + [name]), ("open", [name] + hedgers)):
            for n in names:
                _step(b, part, n)
        done.update(hedgers + [name])


def _unwind(b: _Builder) -> None:
    """Hedges closed with what they hedge, in reverse order; then what was deposited
    is withdrawn; then cover runs out."""
    order, done = [n for n in reversed(b.c.graph.order()) if b.c.graph.kind(n) != "venue"], set()
    for name in order:
        if name in done:
            continue
        hedgers = [h for h in b.c.graph.hedgers(name) if h not in done]
        for n in hedgers + [name]:
            _step(b, "close", n)
        done.update(hedgers + [name])
    for part in ("withdraw", "expire"):
        for name in order:
            _step(b, part, name)


def _uncovered(b: _Builder) -> None:
    """What to do when a venue holding funds without cover is exploited."""
    a = b.c.analysis
    covered = {k.venue for k in a.of_kind("cover").values()}
    held = sorted({b.c.graph.venue_of(leg.name) for leg in b.c.strategy.legs
                   if leg.name in a.figures and KINDS[leg.kind].holds_funds})
    for venue in held:
        if venue in covered:
            continue
        b.add("incident", "uncovered", f"If {venue} is exploited: no cover, withdraw what remains", None,
              venue=venue, details=("The strategy holds no cover for this venue: the loss is not insured.",
                                    "Close the hedges that lost their pool (or the pool whose hedge is gone)."))


# ---- rendering ---------------------------------------------------------------
def document(c: Compiled, steps: list[Step]) -> dict:
    """The checklist as data, for YAML and JSON (specs/schema/checklist.schema.json)."""
    from hedgec import __version__

    s = c.strategy
    return {
        "checklist_version": CHECKLIST_VERSION, "hedgec_version": __version__, "source": c.source,
        "strategy": {"name": s.name, "title": s.title, "base": s.base, "horizon_days": s.horizon.days},
        "phases": [{"id": pid, "title": title} for pid, title in PHASES],
        "steps": [_step_json(step) for step in steps],
    }


def _step_json(step: Step) -> dict:
    out = asdict(step)
    out["amounts"] = [asdict(q) for q in step.amounts]
    out["details"] = list(step.details)
    return out


def to_markdown(c: Compiled, steps: list[Step]) -> str:
    from hedgec.escape import markdown_code, markdown_text

    s, a = c.strategy, c.analysis
    prices = ", ".join(f"{sym} at {money(v, s.base)}" for sym, v in sorted(a.prices.items()))
    lines = [f"# Execution checklist: {markdown_text(s.title or s.name)}", "",
             f"Strategy {markdown_code(s.name)} from {markdown_code(c.source['file'])} "
             f"(sha256 {c.source['sha256'][:12]}), horizon {s.horizon.days:g} days, amounts in "
             + markdown_text(s.base + (f", {prices}." if prices else ".")), "",
             "Tick each box as you go. Do the steps in order: cover is bought before any funds go in, and "
             "each short is opened right after the liquidity it hedges.", ""]
    lines += _summary(c)
    for pid, title in PHASES:
        phase = [step for step in steps if step.phase == pid]
        if not phase:
            continue
        lines += [f"## {PHASES.index((pid, title)) + 1}. {title}", ""]
        for step in phase:
            lines += _step_markdown(step, s.base)
    return "\n".join(lines).rstrip("\n") + "\n"


def _summary(c: Compiled) -> list[str]:
    from hedgec.escape import markdown_text

    a, base = c.analysis, c.strategy.base
    rows = [("Expected pool fees", a.carry["fees"]), ("Expected funding", a.carry["funding"]),
            ("Cover premiums", -a.carry["premiums"]), ("Trading fees", -a.carry["trading_fees"]),
            ("Gas", -a.carry["gas"])]
    if a.carry["option_premiums"] or a.carry["option_fees"]:
        rows += [("Option premiums", -a.carry["option_premiums"]), ("Option fees", -a.carry["option_fees"])]
    if a.carry["supply_income"] or a.carry["borrow_cost"]:  # lending legs
        rows += [("Supply income", a.carry["supply_income"]), ("Borrow cost", -a.carry["borrow_cost"])]
    rows.append(("Net carry", a.carry["net"]))
    lines = ["| Over the horizon | Amount |", "|---|---:|"]
    lines += [f"| {label} | {markdown_text(money(value, base))} |" for label, value in rows]
    return lines + ["", "Before price moves and impermanent loss: run `hedgec simulate` for the scenarios.", ""]


def _step_markdown(step: Step, base: str) -> list[str]:
    """One step; its sentences keep their code spans, and what came from the
    strategy or a catalog between them is escaped."""
    from hedgec.escape import markdown_code, markdown_prose, markdown_text

    lines = [f"- [ ] **{step.number}. {markdown_prose(step.title)}**"]
    where = [f"{'chain' if step.action in WALLET_ACTIONS else 'venue'} {markdown_text(step.venue)}"] \
        if step.venue else []
    if step.leg:
        where.append(f"leg {markdown_code(step.leg)}")
    if step.gas is not None:
        gas = f"gas ~{step.gas.units:,} units = {markdown_text(tokens(step.gas.cost, step.gas.native))}"
        if step.gas.cost_base is not None and step.gas.units:
            gas += f" (~{markdown_text(money(step.gas.cost_base, base))})"
        where.append(gas if step.gas.units else "no gas (off-chain order)")
    if where:
        lines.append("  - " + "; ".join(where))
    lines += [f"  - {markdown_prose(detail)}" for detail in step.details]
    return lines + [""]


def render(c: Compiled, fmt: str = "markdown") -> str:
    from .serialize import FORMATS

    steps = build_steps(c)
    if fmt == "markdown":
        return to_markdown(c, steps)
    return FORMATS[fmt](document(c, steps))
