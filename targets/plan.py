"""The simulation plan: a self-contained, versioned document a simulator runs
without the source file (see docs/plan.md and specs/schema/plan.schema.json).

Units throughout: amounts in the strategy's base currency, rates per year as
fractions, durations in days, sizes in units of the asset, prices in base.
"""
from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

from hedgec.compiler.analysis import DAYS_PER_YEAR, assumed_vol
from hedgec.compiler.units import price_symbol

from . import Compiled

PLAN_VERSION = 1

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
    ("gas", "base", "gas for setup, unwinding and the adjustment reserve"),
    ("liquidation_events", "count", "paths (or grid points) on which a perp leg is liquidated"),
    ("cover_payouts", "base", "cover paid out after venue exploits"),
    ("exploit_losses", "base", "funds lost to venue exploits, before cover"),
    ("net_value", "base", "value of the whole strategy at the horizon, all of the above included"),
    ("net_value_vs_hold", "base", "net value minus the value of simply holding the entry tokens"),
    ("hedge_effectiveness", "ratio",
     "1 - var(hedged net value) / var(unhedged pool value): 1 is a perfect hedge, 0 no hedge"),
)


@dataclass(frozen=True)
class PlanOptions:
    seed: int | None = None  # None: derived from the strategy name
    paths: int = DEFAULT_PATHS
    exploit_probability: float = DEFAULT_EXPLOIT_PROBABILITY
    loss_share: float = DEFAULT_LOSS_SHARE


def build_plan(c: Compiled, options: PlanOptions = PlanOptions()) -> dict:
    from hedgec import __version__

    s, a = c.strategy, c.analysis
    vols, vol_fallbacks = _vols(c)
    return {
        "plan_version": PLAN_VERSION,
        "hedgec_version": __version__,
        "source": c.source,
        "strategy": {"name": s.name, "title": s.title, "base": s.base, "horizon_days": a.horizon_days},
        "pools": [_pool(c, p.name) for p in s.pools],
        "perps": [_perp(c, p) for p in s.perps],
        "covers": [_cover(c, cover.name) for cover in s.covers],
        "wallets": [_wallet(c, w.name) for w in s.wallets],
        "assumptions": _assumptions(c, vols, vol_fallbacks),
        "catalog": catalog_figures(c),
        "scenarios": {"grid": grid(), "monte_carlo": monte_carlo(c, vols, options),
                      "events": events(c, options)},
        "metrics": [{"name": n, "unit": u, "description": d} for n, u, d in METRICS],
        "expected": dict(a.carry),
    }


def _pool(c: Compiled, name: str) -> dict:
    p = c.analysis.pools[name]
    return {
        "name": p.name, "venue": p.venue, "model": "v3" if p.model == "concentrated" else "v2",
        "asset": p.asset, "price_symbol": price_symbol(p.asset), "quote": p.quote,
        "entry_price": _in_base(c, p.entry_price, p.quote), "deposit": p.deposit,
        "volatile_amount": p.volatile_amount, "quote_amount": p.quote_amount,
        "range_low": p.range_low, "range_high": p.range_high, "liquidity": p.liquidity,
        "fee_apr": p.fee_apr, "hedged_by": c.graph.hedgers(name),
        "protected_by": c.graph.protectors(name),
    }


def _perp(c: Compiled, leg) -> dict:
    p = c.analysis.perps[leg.name]
    venue = c.catalog.venue(p.venue)
    limit = leg.order.limit
    return {
        "name": p.name, "venue": p.venue, "market": p.market, "asset": p.asset,
        "price_symbol": price_symbol(p.asset), "side": p.side, "entry_price": p.entry_price,
        "size": p.size, "notional": p.notional, "collateral": p.collateral, "leverage": p.leverage,
        "imf": p.imf, "mmf": p.mmf, "maker_fee": venue.maker_fee, "taker_fee": venue.taker_fee,
        "liquidation_fee": venue.liquidation_fee, "funding_apr": p.funding_apr,
        "liquidation_price": p.liquidation_price, "liquidation_probability": p.liquidation_probability,
        "hedges": p.hedges, "ratio": leg.ratio, "rebalance_threshold": leg.rebalance,
        "order": {"kind": leg.order.kind, "limit_price": limit.value if limit else None},
        "deposit_required": venue.deposit_required, "protected_by": c.graph.protectors(leg.name),
    }


def _cover(c: Compiled, name: str) -> dict:
    k = c.analysis.covers[name]
    product = c.catalog.cover_product_for(k.provider, k.venue)
    return {
        "name": k.name, "provider": k.provider, "product": k.product, "product_id": k.product_id,
        "protects": k.protects, "venue": k.venue, "amount": k.amount, "currency": k.currency,
        "period_days": k.period_days, "annual_price": k.annual_price, "premium": k.premium,
        "grace_days": product.grace_days if product else None, "funds_at_risk": k.funds_at_risk,
    }


def _wallet(c: Compiled, name: str) -> dict:
    w = c.analysis.wallets[name]
    return {
        "name": w.name, "chain": w.chain, "native": w.native, "custody": w.custody,
        "gas_balance": w.balance, "gas_price_gwei": w.gas_price_gwei, "setup_units": w.setup_units,
        "reserve_units": w.reserve_units, "gas_cost": w.cost, "gas_cost_base": w.cost_base,
    }


def _in_base(c: Compiled, value: float, asset: str) -> float:
    """A price quoted in `asset` (a stablecoin at par, or the base) in base units."""
    from hedgec.compiler.analysis import prices_of

    return value * prices_of(c.strategy).rate(asset, c.strategy.base)


def _assets(c: Compiled) -> list[str]:
    """Price symbols the strategy is exposed to, sorted."""
    held = [p.asset for p in c.analysis.pools.values()] + [p.asset for p in c.analysis.perps.values()]
    return sorted({price_symbol(x) for x in held})


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
        "funding_apr": {p.market: p.funding_apr for p in a.perps.values()},
        "gas_price_gwei": {w.chain: w.gas_price_gwei for w in a.wallets.values()},
        "fallbacks": [{"key": f.key, "value": f.value, "unit": f.unit, "note": f.note}
                      for f in sorted(fallbacks.values(), key=lambda f: f.key)],
    }


def _source(src) -> dict | None:
    if src is None:
        return None
    out = {"ref": src.url_or_ref, "read": src.read, "verified": src.verified}
    if src.note:
        out["note"] = src.note
    return out


def catalog_figures(c: Compiled) -> dict:
    """Every catalog figure the plan used, each with its source."""
    cat, a = c.catalog, c.analysis
    venues = sorted({leg.venue for leg in c.strategy.pools + c.strategy.perps}
                    | {cover.provider for cover in c.strategy.covers})
    chains = sorted({w.chain for w in a.wallets.values()})
    return {
        "chains": {n: {"native": ch.native, "source": _source(ch.source)}
                   for n in chains if (ch := cat.chain(n))},
        "venues": {n: _venue(cat.venue(n)) for n in venues},
        "markets": {f"{p.venue}/{p.market}": _market(cat.market(p.venue, p.market)) for p in a.perps.values()},
        "cover_products": {f"{k.provider}/{k.product}": _product(cat.cover_product_for(k.provider, k.venue))
                           for k in a.covers.values() if k.product},
        "defaults": {n: {"value": cat.defaults[n].value, "unit": cat.defaults[n].unit,
                         "source": _source(cat.defaults[n].source)}
                     for n in ("adjustments_reserve",) if n in cat.defaults},
    }


def _venue(v) -> dict:
    return {"kind": v.kind, "chain": v.chain, "model": v.model, "deposit_required": v.deposit_required,
            "maker_fee": v.maker_fee, "taker_fee": v.taker_fee, "liquidation_fee": v.liquidation_fee,
            "pool_fee": v.pool_fee, "gas_units": dict(v.gas), "source": _source(v.source),
            "fee_source": _source(v.fee_source), "gas_source": _source(v.gas_source)}


def _market(m) -> dict:
    return {"imf": m.imf, "mmf": m.mmf, "max_leverage": m.max_leverage, "tier": m.tier,
            "source": _source(m.source)}


def _product(p) -> dict:
    return {"product_id": p.product_id, "title": p.title, "annual_price": p.annual_price,
            "min_period_days": p.min_period_days, "max_period_days": p.max_period_days,
            "grace_days": p.grace_days, "currencies": list(p.currencies),
            "claim_deposit": {"amount": p.claim_deposit, "asset": p.claim_deposit_asset},
            "source": _source(p.source), "price_source": _source(p.price_source)}


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
        "correlation": "independent",
        "accrual": {
            "year_fraction_per_step": per_step,
            "fees": {"basis": "pool_value", "rate": "fee_apr"},
            "funding": {"basis": "perp_notional_at_mark", "rate": "funding_apr",
                        "sign": "positive funding_apr: shorts receive, longs pay"},
        },
    }


def events(c: Compiled, options: PlanOptions) -> list[dict]:
    """One exploit event per venue that holds funds, with the cover that pays out."""
    a, years = c.analysis, c.analysis.horizon_days / DAYS_PER_YEAR
    held: dict[str, list[tuple[str, float]]] = {}
    for p in a.pools.values():
        held.setdefault(p.venue, []).append((p.name, p.deposit))
    for p in a.perps.values():
        held.setdefault(p.venue, []).append((p.name, p.collateral))
    out = []
    for venue in sorted(held):
        covers = sorted((k for k in a.covers.values() if k.venue == venue), key=lambda k: k.name)
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
