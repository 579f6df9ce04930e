"""A risk diff of two versions of a strategy, for code review: what changed in
meaning, not in text. Legs added or removed, settings changed, each leg's
figures (notional, leverage, liquidation price, distance and probability,
cover), cover gaps opened or closed, expected carry, and diagnostics that
appear or disappear. A pure reformat compares equal and reports nothing.
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

from hedgec.compiler import ir
from hedgec.compiler.analysis import analyse, funds_at
from hedgec.escape import markdown_cell, markdown_code, markdown_prose, terminal

# Figures worth a reviewer's attention, per leg kind: (attribute, label, how to print it).
FIGURES = {
    "pool": (("deposit", "deposit", "money"), ("exposure", "exposure", "money"),
             ("fees", "expected fees", "money")),
    "perp": (("collateral", "collateral", "money"), ("leverage", "leverage", "leverage"),
             ("notional", "notional", "money"), ("size", "size", "units"),
             ("liquidation_price", "liquidation price", "money"),
             ("liquidation_distance", "liquidation distance", "percent"),
             ("liquidation_probability", "liquidation probability", "percent"),
             ("coverage", "hedge coverage", "percent"), ("funding", "expected funding", "money")),
    "cover": (("amount", "amount", "money"), ("premium", "premium", "money"),
              ("funds_at_risk", "funds at risk", "money")),
}
CARRY = (("fees", "fees"), ("funding", "funding"), ("premiums", "premiums"),
         ("trading_fees", "trading fees"), ("gas", "gas"), ("net", "net carry"))
_SKIPPED_FIELDS = {"name", "span", "spans", "partial"}


@dataclass(frozen=True)
class Change:
    subject: str  # "perp hedge", "carry", "strategy"
    label: str
    old: str | None
    new: str | None
    delta: str | None = None  # relative change of a figure, e.g. "-12.5%"


@dataclass(frozen=True)
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

    @property
    def empty(self) -> bool:
        return not any((self.added, self.removed, self.changes, self.gaps_opened, self.gaps_closed,
                        self.new_diagnostics, self.fixed_diagnostics))


def risk_diff(old, new, catalog) -> RiskDiff:
    """Compare two CheckResults (the old and the new version of a strategy)."""
    old_blocks, new_blocks = _blocks(old), _blocks(new)
    old_figures, new_figures = _analysis(old, catalog), _analysis(new, catalog)
    base = _base(new) or _base(old) or ""
    changes = _strategy_changes(old.strategy, new.strategy)
    for key in sorted(old_blocks.keys() & new_blocks.keys(), key=_order):
        figures = _figure_changes(key, old_figures, new_figures, base)
        shown = {c.label for c in figures}  # a changed figure says more than the setting behind it
        changes += [c for c in _setting_changes(key, old_blocks[key], new_blocks[key]) if c.label not in shown]
        changes += figures
    changes += _carry_changes(old_figures, new_figures, base)
    old_gaps, new_gaps = cover_gaps(old.strategy, old_figures, base), cover_gaps(new.strategy, new_figures, base)
    old_found, new_found = _diagnostics(old), _diagnostics(new)
    return RiskDiff(old.path, new.path,
                    tuple(_head(k) for k in sorted(new_blocks.keys() - old_blocks.keys(), key=_order)),
                    tuple(_head(k) for k in sorted(old_blocks.keys() - new_blocks.keys(), key=_order)),
                    tuple(changes),
                    tuple(sorted(set(new_gaps) - set(old_gaps))), tuple(sorted(set(old_gaps) - set(new_gaps))),
                    tuple(d for d in new_found if d not in old_found),
                    tuple(d for d in old_found if d not in new_found))


def _blocks(result) -> dict:
    strategy = result.strategy
    return {(b.kind, b.name): b for b in strategy.blocks} if strategy else {}


_KIND_ORDER = {"wallet": 0, "pool": 1, "perp": 2, "cover": 3}


def _order(key):
    return (_KIND_ORDER[key[0]], key[1])


def _head(key) -> str:
    return f"{key[0]} {key[1]}"


def _base(result) -> str | None:
    return result.strategy.base if result.strategy else None


def _analysis(result, catalog):
    """The result's analysis, computed here when the checker did not (errors stop the rules)."""
    if result.analysis is not None:
        return result.analysis
    if result.strategy is None or result.graph is None:
        return None
    try:
        return analyse(result.strategy, result.graph, catalog)
    except Exception:  # a strategy too broken to figure: its diagnostics say why
        return None


def _diagnostics(result) -> list[str]:
    seen = []
    for d in result.diagnostics:
        line = f"{d.severity.value}[{d.code}]: {d.message}"
        if line not in seen:
            seen.append(line)
    return seen


def _strategy_changes(old, new) -> list[Change]:
    if old is None or new is None:
        return []
    out = []
    for label, before, after in (("horizon", old.horizon, new.horizon), ("base", old.base, new.base),
                                 ("assumptions", old.assume, new.assume)):
        if before != after:
            out += _field_changes("strategy", before, after) if label == "assumptions" else \
                [Change("strategy", label, _show(before), _show(after))]
    return out


def _setting_changes(key, old, new) -> list[Change]:
    return _field_changes(_head(key), old, new) if old != new else []


def _field_changes(subject: str, old, new) -> list[Change]:
    out = []
    for f in dataclasses.fields(old):
        if f.name in _SKIPPED_FIELDS or not f.compare:
            continue
        before, after = getattr(old, f.name), getattr(new, f.name)
        if before != after:
            out.append(Change(subject, "from" if f.name == "source" else f.name, _show(before), _show(after)))
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
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _figure_changes(key, old_figures, new_figures, base: str) -> list[Change]:
    kind, name = key
    if kind not in FIGURES or old_figures is None or new_figures is None:
        return []
    table = {"pool": "pools", "perp": "perps", "cover": "covers"}[kind]
    before, after = getattr(old_figures, table).get(name), getattr(new_figures, table).get(name)
    if before is None or after is None:
        return []
    return [change for attr, label, style in FIGURES[kind]
            if (change := _compare(_head(key), label, getattr(before, attr), getattr(after, attr), style, base))]


def _carry_changes(old_figures, new_figures, base: str) -> list[Change]:
    if old_figures is None or new_figures is None:
        return []
    return [change for key, label in CARRY
            if (change := _compare("carry", label, old_figures.carry.get(key), new_figures.carry.get(key),
                                   "money", base))]


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


def figure(value, style: str, base: str) -> str:
    if value is None:
        return "none"
    if style == "money":
        return f"{value:,.2f} {base}".strip()
    if style == "leverage":
        return f"{value:.2f}x"
    if style == "percent":
        return f"{value:.2%}"
    return f"{value:,.6g}"


def cover_gaps(strategy, figures, base: str) -> list[str]:
    """Legs whose funds at their venue are not fully covered: `pool lp: 20,000.00 USDC uncovered`."""
    if strategy is None or figures is None:
        return []
    gaps = []
    for leg in strategy.pools + strategy.perps:
        held = funds_at(leg.name, figures.pools, figures.perps)
        covered = sum(c.amount for c in figures.covers.values() if c.protects == leg.name)
        if held > covered + 1e-9:
            gaps.append(f"{leg.kind} {leg.name} at {leg.venue}: {figure(held - covered, 'money', base)} "
                        f"of {figure(held, 'money', base)} uncovered")
    return gaps


# ---- rendering ----------------------------------------------------------------

def as_text(diff: RiskDiff) -> str:
    lines = [f"risk diff {diff.old_path} -> {diff.new_path}"]
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
                               ("new diagnostics", diff.new_diagnostics, "+"),
                               ("fixed diagnostics", diff.fixed_diagnostics, "-")):
        if items:
            lines.append(f"  {title}")
            lines += [f"    {mark} {item}" for item in items]
    return "".join(terminal(line) + "\n" for line in lines)


def as_markdown(diff: RiskDiff) -> str:
    head = f"### Risk diff: {markdown_code(diff.old_path)} → {markdown_code(diff.new_path)}\n"
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
                         ("New diagnostics", diff.new_diagnostics), ("Fixed diagnostics", diff.fixed_diagnostics)):
        if items:
            parts.append(f"\n**{title}**\n\n" + "".join(f"- {markdown_prose(item)}\n" for item in items))
    return "".join(parts)


def _md(text: str | None) -> str:
    return markdown_cell(text or "")


FORMATS = {"text": as_text, "markdown": as_markdown}
