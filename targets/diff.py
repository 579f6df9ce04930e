"""A risk diff of two versions of a strategy, for code review: what changed in
meaning, not in text. Legs added or removed, settings changed, each leg's
figures (notional, leverage, liquidation price, distance and probability,
cover), cover gaps opened, closed or changed, expected carry, and diagnostics
that appear or disappear. A pure reformat compares equal and reports nothing.
A strategy added or deleted is a diff against nothing: every figure it has.
Values print as users write them: `25 gwei`, `60%`, `3.333 ETH`.
"""
from __future__ import annotations

import dataclasses
import math

from hedgec.compiler import ir
from hedgec.compiler.kinds import KINDS
from hedgec.numbers import figure
from hedgec.escape import markdown_cell, markdown_code, markdown_prose, terminal
from hedgec.record import record

CARRY = (("fees", "fees"), ("funding", "funding"), ("premiums", "premiums"),
         ("trading_fees", "trading fees"), ("gas", "gas"), ("supply_income", "supply income"),
         ("borrow_cost", "borrow cost"), ("net", "net carry"))
_SKIPPED_FIELDS = {"name", "span", "spans", "partial"}
# Settings held as fractions that users write as percentages (`fee_apr = 15%`, `ratio = 50%`).
_PERCENT_FIELDS = {"fee_apr", "ratio", "rebalance"}
# Assumption tables as users write their keys: `vol.ETH = 60%`; (attribute, key prefix, how to print).
_ASSUMPTIONS = (("prices", "price", None), ("vols", "vol", "%"), ("funding", "funding", "% apr"),
                ("drift", "drift", "% apr"), ("correlations", "corr", None), ("borrow_rate", "borrow_rate", "% apr"),
                ("supply_rate", "supply_rate", "% apr"))


@record
class Change:
    subject: str  # "perp hedge", "carry", "strategy"
    label: str
    old: str | None
    new: str | None
    delta: str | None = None  # relative change of a figure, e.g. "-12.5%"


@record
class RiskDiff:
    old_path: str
    new_path: str
    added: tuple[str, ...]  # "perp hedge2"
    removed: tuple[str, ...]
    changes: tuple[Change, ...]
    gaps_opened: tuple[str, ...]
    gaps_closed: tuple[str, ...]
    new_diagnostics: tuple[str, ...]  # "error[H301]: message"
    fixed_diagnostics: tuple[str, ...]
    gaps_changed: tuple[str, ...] = ()  # "pool lp at uniswap_v2: 5,000.00 USDC -> 10,000.00 USDC of ..."
    status: str = "modified"  # "added" or "deleted": the file exists on one side only

    @property
    def empty(self) -> bool:
        return self.status == "modified" and not any((
            self.added, self.removed, self.changes, self.gaps_opened, self.gaps_closed, self.gaps_changed,
            self.new_diagnostics, self.fixed_diagnostics))


def risk_diff(old, new, catalog) -> RiskDiff:
    """Compare two CheckResults (the old and the new version of a strategy);
    None for the side where the file does not exist (a strategy added or deleted)."""
    if old is None and new is None:
        raise ValueError("a risk diff needs at least one version of the strategy")
    status = "added" if old is None else "deleted" if new is None else "modified"
    old_blocks, new_blocks = _blocks(old), _blocks(new)
    old_figures, new_figures = _analysis(old, catalog), _analysis(new, catalog)
    base = _base(new) or _base(old) or ""
    changes = _strategy_changes(_strategy(old), _strategy(new))
    for key in sorted(old_blocks.keys() | new_blocks.keys(), key=_order):
        figures = _figure_changes(key, (old, old_figures), (new, new_figures), base)
        shown = {c.label for c in figures}  # a changed figure says more than the setting behind it
        if key in old_blocks and key in new_blocks:
            changes += [c for c in _setting_changes(key, old_blocks[key], new_blocks[key]) if c.label not in shown]
        changes += figures
    changes += _carry_changes((old, old_figures), (new, new_figures), base)
    old_gaps, new_gaps = cover_gaps(_strategy(old), old_figures, base), cover_gaps(_strategy(new), new_figures, base)
    # a deleted strategy's diagnostics leave with it: none of them was fixed
    old_found, new_found = _diagnostics(old if new is not None else None), _diagnostics(new)
    path = (new or old).path
    return RiskDiff(old.path if old else path, new.path if new else path,
                    tuple(_head(k) for k in sorted(new_blocks.keys() - old_blocks.keys(), key=_order)),
                    tuple(_head(k) for k in sorted(old_blocks.keys() - new_blocks.keys(), key=_order)),
                    tuple(changes),
                    tuple(_gap(leg, new_gaps[leg]) for leg in sorted(new_gaps.keys() - old_gaps.keys())),
                    tuple(_gap(leg, old_gaps[leg]) for leg in sorted(old_gaps.keys() - new_gaps.keys())),
                    tuple(d for d in new_found if d not in old_found),
                    tuple(d for d in old_found if d not in new_found),
                    tuple(_gap(leg, new_gaps[leg], old_gaps[leg]) for leg in sorted(old_gaps.keys() & new_gaps.keys())
                          if old_gaps[leg] != new_gaps[leg]),
                    status)


def _strategy(result):
    return result.strategy if result is not None else None


def _blocks(result) -> dict:
    strategy = _strategy(result)
    return {(b.kind, b.name): b for b in strategy.blocks} if strategy else {}


def _order(key):
    """Blocks in registry order of their kinds, then by name."""
    return (list(KINDS).index(key[0]), key[1])


def _head(key) -> str:
    return f"{key[0]} {key[1]}"


def _base(result) -> str | None:
    strategy = _strategy(result)
    return strategy.base if strategy else None


def _analysis(result, catalog):
    """The checker's analysis (None when there is no strategy, or structural errors
    stopped the checker: its diagnostics say why)."""
    return result.analysis if result is not None else None


def _diagnostics(result) -> list[str]:
    seen = []
    for d in result.diagnostics if result is not None else ():
        line = f"{d.severity.value}[{d.code}]: {d.message}"
        if line not in seen:
            seen.append(line)
    return seen


def _strategy_changes(old, new) -> list[Change]:
    """Horizon, base and each assumption by the key users write (`vol.ETH`); against
    nothing when the strategy is added or deleted."""
    out = []
    for label in ("horizon", "base"):
        before, after = getattr(old, label, None), getattr(new, label, None)
        if before != after:
            out.append(Change("strategy", label, _show(before), _show(after)))
    old_assume, new_assume = getattr(old, "assume", None), getattr(new, "assume", None)
    for attr, prefix, unit in _ASSUMPTIONS:
        before, after = getattr(old_assume, attr, {}), getattr(new_assume, attr, {})
        for subject in sorted(before.keys() | after.keys()):
            if before.get(subject) != after.get(subject):
                out.append(Change("strategy", f"{prefix}.{subject}", _assumed(before.get(subject), unit),
                                  _assumed(after.get(subject), unit)))
    before, after = getattr(old_assume, "gas_price", None), getattr(new_assume, "gas_price", None)
    if before != after:
        out.append(Change("strategy", "gas_price", _show(before), _show(after)))
    return out


def _assumed(value, unit: str | None) -> str:
    """An assumption as written: a price with its asset, a fraction as a percentage."""
    if value is None or unit is None:
        return _show(value)
    return f"{value * 100:g}{unit}"


def _setting_changes(key, old, new) -> list[Change]:
    return _field_changes(_head(key), old, new) if old != new else []


def _field_changes(subject: str, old, new) -> list[Change]:
    out = []
    for f in dataclasses.fields(old):
        if f.name in _SKIPPED_FIELDS or not f.compare:
            continue
        before, after = getattr(old, f.name), getattr(new, f.name)
        if before != after:
            unit = "%" if f.name in _PERCENT_FIELDS else None
            out.append(Change(subject, "from" if f.name == "source" else f.name,
                              _assumed(before, unit), _assumed(after, unit)))
    return out


def _show(value) -> str:
    if value is None:
        return "none"
    if isinstance(value, dict):
        return ", ".join(f"{k} {_show(v)}" for k, v in sorted(value.items())) or "none"
    if isinstance(value, ir.Ref):
        return value.name
    if isinstance(value, ir.Order):
        return value.kind if value.limit is None else f"limit {value.limit}"
    if isinstance(value, ir.GasPrice):
        return f"{value.gwei:g} gwei"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


_NO_FIGURES = object()  # the leg exists but its figures could not be computed


def _leg_figures(key, side):
    """A leg's figures on one side of the diff: None where the leg does not exist
    (so its figures compare with nothing), _NO_FIGURES where they are unknown."""
    kind, name = key
    result, figures = side
    if key not in _blocks(result):
        return None
    if figures is None:
        return _NO_FIGURES
    return figures.figures.get(name, _NO_FIGURES)


def _figure_changes(key, old_side, new_side, base: str) -> list[Change]:
    kind, _ = key
    if kind not in KINDS:
        return []
    before, after = _leg_figures(key, old_side), _leg_figures(key, new_side)
    if _NO_FIGURES in (before, after):
        return []
    unit = getattr(after or before, "asset", base)
    return [change for attr, label, style in KINDS[kind].review
            if (change := _compare(_head(key), label, getattr(before, attr, None), getattr(after, attr, None),
                                   style, unit if style == "asset" else base))]


def _carry_changes(old_side, new_side, base: str) -> list[Change]:
    """Expected carry; a strategy that does not exist on one side carries nothing there."""
    (old, old_figures), (new, new_figures) = old_side, new_side
    if (old is not None and old_figures is None) or (new is not None and new_figures is None):
        return []
    return [change for key, label in CARRY
            if (change := _compare("carry", label, old_figures.carry.get(key) if old_figures else None,
                                   new_figures.carry.get(key) if new_figures else None, "money", base))]


def _compare(subject, label, before, after, style, base) -> Change | None:
    if before is None and after is None:
        return None
    if before is not None and after is not None and math.isclose(before, after, rel_tol=1e-9, abs_tol=1e-9):
        return None
    delta = None
    if before and after is not None and style not in ("percent",):
        delta = f"{(after - before) / abs(before):+.1%}"
    elif before is not None and after is not None and style == "percent":
        delta = f"{(after - before) * 100:+.2f} pt"
    return Change(subject, label, figure(before, style, base), figure(after, style, base), delta)


def cover_gaps(strategy, figures, base: str) -> dict[str, tuple[str, str]]:
    """Legs whose funds at their venue are not fully covered:
    {"pool lp at uniswap_v2": ("20,000.00 USDC", "20,000.00 USDC")}, uncovered and held."""
    if strategy is None or figures is None:
        return {}
    gaps = {}
    for leg in strategy.legs:
        if not KINDS[leg.kind].holds_funds:
            continue
        held = figures.funds_held(leg.name)
        covered = sum(c.amount for c in figures.of_kind("cover").values() if c.protects == leg.name)
        if held > covered + 1e-9:
            venue = getattr(leg, KINDS[leg.kind].venue_key)
            gaps[f"{leg.kind} {leg.name} at {venue}"] = (figure(held - covered, "money", base),
                                                        figure(held, "money", base))
    return gaps


def _gap(leg: str, gap: tuple[str, str], before: tuple[str, str] | None = None) -> str:
    """`pool lp at uniswap_v2: 5,000.00 USDC of 25,000.00 USDC uncovered`, or with
    `before`, one line for a gap that changed: `5,000.00 USDC -> 10,000.00 USDC of ...`."""
    uncovered, held = gap
    was = f"{before[0]} -> " if before else ""
    return f"{leg}: {was}{uncovered} of {held} uncovered"


# ---- rendering ----------------------------------------------------------------

def _title(diff: RiskDiff, show=str) -> str:
    """What is compared, each path shown by `show` (e.g. as a Markdown code span)."""
    if diff.status == "added":
        return f"new strategy {show(diff.new_path)}"
    if diff.status == "deleted":
        return f"deleted strategy {show(diff.old_path)}"
    return f"{show(diff.old_path)} -> {show(diff.new_path)}"


def as_text(diff: RiskDiff) -> str:
    lines = [f"risk diff {_title(diff)}"]
    if diff.empty:
        return terminal(lines[0]) + ": no change in meaning\n"
    lines += [f"  + {head} added" for head in diff.added]
    lines += [f"  - {head} removed" for head in diff.removed]
    width = max((len(c.label) for c in diff.changes), default=0)
    subject = None
    for change in diff.changes:
        if change.subject != subject:
            subject = change.subject
            lines.append(f"  {subject}")
        delta = f"  ({change.delta})" if change.delta else ""
        lines.append(f"    {change.label.ljust(width)}  {change.old} -> {change.new}{delta}")
    for title, items, mark in (("cover gaps opened", diff.gaps_opened, "+"),
                               ("cover gaps closed", diff.gaps_closed, "-"),
                               ("cover gaps changed", diff.gaps_changed, "~"),
                               ("new diagnostics", diff.new_diagnostics, "+"),
                               ("fixed diagnostics", diff.fixed_diagnostics, "-")):
        if items:
            lines.append(f"  {title}")
            lines += [f"    {mark} {item}" for item in items]
    return "".join(terminal(line) + "\n" for line in lines)


def as_markdown(diff: RiskDiff) -> str:
    head = f"### Risk diff: {_title(diff, markdown_code).replace(' -> ', ' → ')}\n"
    if diff.empty:
        return head + "\nNo change in meaning.\n"
    parts = [head]
    if diff.added or diff.removed:
        parts.append("\n" + "".join(f"- **added** {markdown_prose(h)}\n" for h in diff.added)
                     + "".join(f"- **removed** {markdown_prose(h)}\n" for h in diff.removed))
    if diff.changes:
        rows = ["| | | before | after | change |", "|---|---|---:|---:|---:|"]
        rows += [f"| {_md(c.subject)} | {_md(c.label)} | {_md(c.old)} | {_md(c.new)} | {_md(c.delta or '')} |"
                 for c in diff.changes]
        parts.append("\n" + "\n".join(rows) + "\n")
    for title, items in (("Cover gaps opened", diff.gaps_opened), ("Cover gaps closed", diff.gaps_closed),
                         ("Cover gaps changed", diff.gaps_changed),
                         ("New diagnostics", diff.new_diagnostics), ("Fixed diagnostics", diff.fixed_diagnostics)):
        if items:
            parts.append(f"\n**{title}**\n\n" + "".join(f"- {markdown_prose(item)}\n" for item in items))
    return "".join(parts)


def _md(text: str | None) -> str:
    return markdown_cell(text or "")


FORMATS = {"text": as_text, "markdown": as_markdown}
