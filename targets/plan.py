"""The simulation plan: a self-contained, versioned document a simulator runs
without the source file (see docs/plan.md and specs/schema/plan.schema.json).

Units throughout: amounts in the strategy's base currency, rates per year as
fractions, durations in days, sizes in units of the asset, prices in base.
"""
from __future__ import annotations

import hashlib
import math

from hedgec.compiler.analysis import assumed_vol
from hedgec.compiler.kinds import KINDS
from hedgec.finance import DAYS_PER_YEAR, correlation_matrix
from hedgec.record import record

from . import Compiled

PLAN_VERSION = 2  # 2: option legs (`options`) and their carry items; two-token pools (quote_price_symbol,
# quote_units) and the correlation matrix; `borrows` (lending legs) and `catalog.reserves`

# Scenario defaults; each is overridable from the command line.
DEFAULT_PATHS = 10_000
MAX_STEPS = 3650  # the simulator's bound (hedgec.simulation.engine.MAX_STEPS): ten years of daily steps
DEFAULT_EXPLOIT_PROBABILITY = 0.02  # per venue and year: an assumption, not a measured rate
DEFAULT_LOSS_SHARE = 0.5  # share of the funds at the venue lost in an exploit
GRID_LOW, GRID_HIGH, GRID_STEP = 0.2, 3.0, 0.05  # price at the horizon over entry: -80% .. +200%

METRICS = (
    ("impermanent_loss", "base", "pool value at the horizon minus the value of holding the entry tokens"),
    ("fees", "base", "pool fees earned over the horizon"),
    ("perp_pnl", "base", "price PnL of the perp legs, before funding and fees"),
    ("funding", "base", "funding received (+) or paid (-) by the perp legs"),
    ("trading_fees", "base", "taker fees to open and close the perp legs"),
    ("premiums", "base", "cover premiums paid"),
    ("option_pnl", "base", "option legs: their value at the horizon less premiums and fees"),
    ("gas", "base", "gas for setup, unwinding and the adjustment reserve"),
    ("liquidation_events", "count", "paths (or grid points) on which a perp leg is liquidated"),
    ("cover_payouts", "base", "cover paid out after venue exploits"),
    ("exploit_losses", "base", "funds lost to venue exploits, before cover"),
    ("net_value", "base", "value of the whole strategy at the horizon, all of the above included"),
    ("net_value_vs_hold", "base", "net value minus the value of simply holding the entry tokens"),
    ("hedge_effectiveness", "ratio",
     "1 - var(hedged net value) / var(unhedged pool value): 1 is a perfect hedge, 0 no hedge"),
)


@record
class PlanOptions:
    seed: int | None = None  # None: derived from the strategy name
    paths: int = DEFAULT_PATHS
    exploit_probability: float = DEFAULT_EXPLOIT_PROBABILITY
    loss_share: float = DEFAULT_LOSS_SHARE


def build_plan(c: Compiled, options: PlanOptions = PlanOptions()) -> dict:
    from hedgec import __version__

    s, a = c.strategy, c.analysis
    vols, vol_fallbacks = _vols(c)
    head = {
        "plan_version": PLAN_VERSION,
        "hedgec_version": __version__,
        "source": c.source,
        "strategy": {"name": s.name, "title": s.title, "base": s.base, "horizon_days": a.horizon_days},
    }
    # Legs first, then the accounts they are funded from, each kind in its own section.
    kinds = [k for k in KINDS.values() if k.is_leg] + [k for k in KINDS.values() if not k.is_leg]
    sections = {k.section: [k.plan(c, block) for block in s.of_kind(k.name)] for k in kinds if k.plan}
    return head | sections | {
        "assumptions": _assumptions(c, vols, vol_fallbacks),
        "catalog": catalog_figures(c),
        "scenarios": {"grid": grid(), "monte_carlo": monte_carlo(c, vols, options),
                      "events": events(c, options)},
        "metrics": [{"name": n, "unit": u, "description": d} for n, u, d in METRICS],
        "expected": dict(a.carry),
    }


def _assets(c: Compiled) -> list[str]:
    """Price symbols the strategy is exposed to, sorted."""
    a = c.analysis
    return sorted({symbol for name, f in a.figures.items() if (kind := KINDS[a.kinds[name]]).exposure
                   for symbol in kind.exposure(f)})


def _vols(c: Compiled) -> tuple[dict[str, float], list]:
    vols, fallbacks = {}, []
    for symbol in _assets(c):
        vols[symbol], fallback = assumed_vol(c.strategy, c.catalog, symbol)
        if fallback is not None:
            fallbacks.append(fallback)
    return vols, fallbacks


def _assumptions(c: Compiled, vols: dict, vol_fallbacks: list) -> dict:
    a = c.analysis
    fallbacks = {f.key: f for f in list(a.fallbacks) + vol_fallbacks}
    return {
        "prices": {s: a.prices[s] for s in sorted(a.prices)},
        "vols": vols,
        "drift": {s: c.strategy.assume.drift.get(s, 0.0) for s in vols},
        "funding_apr": {p.market: p.funding_apr for p in a.of_kind("perp").values()},
        "gas_price_gwei": {w.chain: w.gas_price_gwei for w in a.of_kind("wallet").values()},
        "fallbacks": [{"key": f.key, "value": f.value, "unit": f.unit, "note": f.note}
                      for f in sorted(fallbacks.values(), key=lambda f: f.key)],
    }


def catalog_figures(c: Compiled) -> dict:
    """Every catalog figure the plan used, each with its source."""
    cat, a = c.catalog, c.analysis
    venues = sorted({c.graph.venue_of(leg.name) for leg in c.strategy.legs})
    chains = sorted({w.chain for w in a.of_kind("wallet").values()})
    out = {
        "chains": {n: {"native": ch.native, "source": c.source_of(ch.source)}
                   for n in chains if (ch := cat.chain(n))},
        "venues": {n: _venue(c, cat.venue(n)) for n in venues},
        "markets": {}, "cover_products": {}, "reserves": {},
    }
    for name, f in a.figures.items():
        kind = KINDS[a.kinds[name]]
        for section, entries in (kind.catalog_figures(c, f) if kind.catalog_figures else {}).items():
            out[section] |= entries
    used = sorted({f.default for f in a.fallbacks if f.default in cat.defaults})  # lending rates: reserves
    return out | {"defaults": {n: {"value": _plain(cat.defaults[n].value), "unit": cat.defaults[n].unit,
                                   "source": c.source_of(cat.defaults[n].source)} for n in used}}


def _plain(value):
    """A catalog value (a number, or a read-only map of numbers) as plain data."""
    return dict(value) if hasattr(value, "items") else value


def _venue(c: Compiled, v) -> dict:
    return {"kind": v.kind, "chain": v.chain, "model": v.model, "deposit_required": v.deposit_required,
            "maker_fee": v.maker_fee, "taker_fee": v.taker_fee, "liquidation_fee": v.liquidation_fee,
            "pool_fee": v.pool_fee, "gas_units": dict(v.gas), "source": c.source_of(v.source),
            "fee_source": c.source_of(v.fee_source), "gas_source": c.source_of(v.gas_source)}


def grid() -> dict:
    count = round((GRID_HIGH - GRID_LOW) / GRID_STEP) + 1
    return {"ratios": [round(GRID_LOW + i * GRID_STEP, 10) for i in range(count)],
            "at": "horizon", "note": "price at the horizon over the entry price, for every asset at once"}


def default_seed(name: str) -> int:
    """A 32-bit seed from the strategy name: every run of a plan draws the same paths."""
    return int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:4], "big")


def monte_carlo(c: Compiled, vols: dict, options: PlanOptions) -> dict:
    days = c.analysis.horizon_days
    steps = max(1, min(math.ceil(days), MAX_STEPS))  # daily steps, longer ones past MAX_STEPS
    step_days = days / steps
    per_step = step_days / DAYS_PER_YEAR
    return {
        "model": "gbm", "paths": options.paths, "steps": steps, "step_days": step_days,
        "seed": default_seed(c.strategy.name) if options.seed is None else options.seed,
        "vol": vols, "drift": {s: c.strategy.assume.drift.get(s, 0.0) for s in vols},
        "correlation": correlation(c, list(vols)),
        "accrual": {
            "year_fraction_per_step": per_step,
            "fees": {"basis": "pool_value", "rate": "fee_apr"},
            "funding": {"basis": "perp_notional_at_mark", "rate": "funding_apr",
                        "sign": "positive funding_apr: shorts receive, longs pay"},
        },
    }


def correlation(c: Compiled, symbols: list[str]) -> dict:
    """The correlation matrix of the assets simulated: the `corr` pairs stated
    among them, every other pair independent."""
    stated = {k: v for k, v in c.strategy.assume.correlations.items() if set(k.split(".")) <= set(symbols)}
    return {"assets": symbols, "matrix": correlation_matrix(symbols, stated), "stated": stated,
            "unstated": "independent"}


def events(c: Compiled, options: PlanOptions) -> list[dict]:
    """One exploit event per venue that holds funds, with the cover that pays out."""
    a, years = c.analysis, c.analysis.horizon_days / DAYS_PER_YEAR
    held: dict[str, list[tuple[str, float]]] = {}
    for leg in c.strategy.legs:
        if leg.name in a.figures and KINDS[leg.kind].holds_funds:
            held.setdefault(c.graph.venue_of(leg.name), []).append((leg.name, a.funds_held(leg.name)))
    out = []
    for venue in sorted(held):
        covers = sorted((k for k in a.of_kind("cover").values() if k.venue == venue), key=lambda k: k.name)
        out.append({
            "kind": "exploit", "venue": venue, "annual_probability": options.exploit_probability,
            "horizon_probability": 1 - (1 - options.exploit_probability) ** years,
            "loss_share": options.loss_share,
            "legs": [name for name, _ in held[venue]],
            "funds_at_risk": sum(v for _, v in held[venue]),
            "covers": [{"name": k.name, "amount": k.amount, "period_days": k.period_days} for k in covers],
            "covered_amount": sum(k.amount for k in covers),
        })
    return out
