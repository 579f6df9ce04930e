"""Options legs (H85x): what each option costs, what the whole strategy's
Greeks are at entry, whether the options cover the horizon and are covered
themselves, whether the venue trades the size, and whether the options make
the hedge's residual over a price band better or worse."""
from __future__ import annotations

import math

from hedgec.lazy import LazyModule
from hedgec.numbers import days, money, pct, qty

from .. import diagnostics as diag
from ..config import ABOVE_ONE
from ..kinds import KINDS
from ..registry import Pack
from .base import Context

np = LazyModule("numpy")

GROUP = "options"
PACK = Pack(GROUP)
PACK.threshold("option-band", 2.0, "price band 1/k .. k around entry over which H858 and H859 value the hedge",
               ABOVE_ONE)

BAND_POINTS = 301  # ratios of the band, geometric, the entry and both edges included

PACK.rule("H851", "option-pricing", "info", "What an option leg costs and its Greeks.", """
Each option is priced with Black-76 on the forward at zero rate (the
forward is the spot), T = expiry days / 365, at the implied volatility
`iv.ASSET` (or `vol.ASSET`):
  d1 = (ln(F/K) + s^2 T/2) / (s sqrt T),  d2 = d1 - s sqrt T
  call = F N(d1) - K N(d2),   put = K N(-d2) - F N(-d1)
  delta N(d1) (call), -N(-d1) (put);  gamma phi(d1) / (F s sqrt T)
  vega F phi(d1) sqrt T (reported per volatility point, / 100)
  theta -F phi(d1) s / (2 sqrt T) (reported per day, / 365)
premium = size x price; the position's Greeks are size x the unit Greeks,
negative for a short. The fee to open is the venue's taker fee on the
underlying, capped at its share of the premium where it caps it (Deribit:
0.03% of the underlying, at most 12.5% of the option price). For ETH at
3,000, 60%, 90 days the 3,000 put is 355.27 USDC, delta -0.4408.
""", GROUP)
PACK.rule("H852", "option-iv-from-vol", "info", "An option is priced at the asset's volatility, not an implied one.", """
Options are priced at `iv.ASSET` from `assume`. Where it is missing,
hedgec prices them at `vol.ASSET` (or its catalog default, H701) and says
so: one flat volatility for every strike and expiry is an assumption; the
market quotes a smile, and the premium paid is the market's, not this one.
""", GROUP)
PACK.rule("H853", "net-greeks", "info", "The strategy's net Greeks per asset at entry.", """
Per asset, the delta (units of the asset) and gamma (units per unit of
price) of every leg at entry, and the options' vega and theta:
  pool   delta = the asset amount it holds; gamma = d amount / d price
         (v2: -V / (4 S^2); v3 in range: -L / (2 S^1.5))
  perp   delta = +size (long) or -size (short); gamma 0
  option delta = size x N(d1)-delta, sign of the side; gamma as in H851;
         an inverse option's coin held on the venue (a short's margin and
         premium received) is a long of that many coins and counts in delta.
A delta-neutral hedge reads a net delta near 0; the pool's negative gamma
is what options add back.
""", GROUP)
PACK.rule("H854", "option-expires-before-horizon", "warning", "An option expires before the strategy ends.", """
An option that expires on day E < horizon H settles at E: from E to H the
pool has no option protection. The warning gives both days; roll the
option into a later expiry or pick one at least as long as the horizon.
""", GROUP)
PACK.rule("H855", "option-outlives-horizon", "info", "An option expires after the strategy ends.", """
An option expiring after the horizon is sold at the horizon for its
Black-76 value with the remaining time, E - H days; the figure given is
that value at the entry price and the same implied volatility.
""", GROUP)
PACK.rule("H856", "naked-short-option", "error", "A short option nothing covers.", """
A short call loses without bound as the price rises, a short put up to the
strike as it falls. Per asset, type and expiry, the units sold must be
covered by units bought of the same type and expiry (a spread), and, for
calls only, by what the other legs hold of the asset at entry (the pool's
holding net of the perps: a collar's short call is covered by the pool).
The uncovered units are an error.
""", GROUP)
PACK.rule("H857", "option-size-off-venue", "warning", "An option size the venue does not trade.", """
An options venue trades whole multiples of a minimum size (Deribit ETH: 1
ETH per the catalog, unverified; BTC: 0.1). A size below the minimum or
not a multiple of it is reported with the nearest size the venue trades
(at least the minimum) and what rounding does: the change in premium,
size x price, and in delta, size x unit delta.
""", GROUP)
PACK.rule("H858", "hedge-residual-band", "info", "The hedge's worst point over a price band, with and without options.", """
The P&L at the horizon of every leg (pool, perps, options) before fees
and funding, each leg valued as the simulator values it, over price
ratios r in 1/k .. k around entry (`option-band`, default k = 2; for a v3
pool its range), every asset moving by the same ratio:
  pool   V(r S0) - V0;  perp  sign x size x (r S0 - S0)
  option sign x size x (price at the horizon - premium); the price is
         Black-76 with the time left, or the intrinsic value at the price on
         the geometric path at expiry when it expired before the horizon.
Reported: the worst point and where, beside the same without the options.
For a 20,000 USDC v2 pool at 3,000, a 3.3333 ETH short and a 0.5719 ETH
3,000 straddle (90 days, 60%): -406.36 (the premium) at r = 0.5, 1 and 2;
without the straddle -1,715.73 at r = 2.
""", GROUP)
PACK.rule("H859", "options-worsen-residual", "warning", "The options make the hedge's worst point worse.", """
As H858, warning when the worst P&L over the band with the options is
below the worst without them: the premium costs more than the options pay
back anywhere in the band (too far out of the money, too small, or sold
rather than bought).
""", GROUP)
PACK.rule("H860", "custodial-option-venue", "warning", "Options held on a custodial exchange.", """
An exchange such as Deribit holds the funds: a self-custody strategy that
leaves premium or margin there runs the custodian's risk, as with a
custodial wallet (H605). Protocol cover does not pay for it; custody cover
(Nexus Mutual lists Deribit, product 280, unverified) does.
""", GROUP)


@PACK.check("H851")
def pricing(ctx: Context):
    base = ctx.analysis.base
    for leg, f in ctx.blocks("option"):
        coin = f" ({qty(f.settle_premium, f.settle_asset)})" if f.settle_asset != base else ""
        yield diag.make(
            "H851", f"{f.side} {qty(f.size, f.asset)} {f.type} at {money(f.strike, base)}, {days(f.expiry_days)}: "
                    f"premium {money(f.premium, base)}{coin}, fee {money(f.fee, base)}", ctx.where(leg),
            notes=(f"Black-76 at {pct(f.iv)} ({f.iv_key}), spot {money(f.spot, base)}: {money(f.unit_price, base)} "
                   f"a unit, delta {f.unit_delta:+.4f}",
                   f"position: delta {f.delta:+.4f} {f.asset}, gamma {f.gamma:+.6f}, vega "
                   f"{money(f.vega, base)} a vol point, theta {money(f.theta_day, base)} a day"),
            data={"premium": f.premium, "unit_price": f.unit_price, "fee": f.fee, "delta": f.delta,
                  "gamma": f.gamma, "vega": f.vega, "theta_day": f.theta_day, "iv": f.iv})


@PACK.check("H852")
def iv_from_vol(ctx: Context):
    seen = set()
    for leg, f in ctx.blocks("option"):
        if f.iv_key.startswith("iv.") or f.asset in seen:
            continue
        seen.add(f.asset)
        yield diag.make("H852", f"no `iv.{f.asset}` in `assume`: {f.asset} options are priced at {f.iv_key} "
                                f"{pct(f.iv)}, one flat volatility for every strike and expiry",
                        ctx.where(leg, "type"), hint=f"add `iv.{f.asset} = ...` with the venue's implied volatility",
                        data={"asset": f.asset, "iv": f.iv})


def greeks(ctx: Context) -> dict[str, dict[str, float]]:
    """Per asset: the delta of each kind of leg, the pools' and options' gamma, the options' vega and theta."""
    out: dict[str, dict[str, float]] = {}
    a = ctx.analysis
    for name, f in a.figures.items():
        kind = KINDS[a.kinds[name]]
        if not kind.exposure or not kind.is_leg:
            continue
        for asset, delta in kind.exposure(f).items():
            g = out.setdefault(asset, dict.fromkeys(("pool", "perp", "option", "other", "gamma", "vega",
                                                     "theta"), 0.0))
            g[kind.name if kind.name in ("pool", "perp", "option") else "other"] += delta
            if kind.name == "pool":
                g["gamma"] += pool_gamma(f)
            elif kind.name == "option":
                g["gamma"] += f.gamma
                g["vega"] += f.vega
                g["theta"] += f.theta_day
    return out


def pool_gamma(pool) -> float:
    """d (asset held) / d (price in base), by a central difference of the pool's own amount function."""
    h = pool.entry_price * 1e-5
    slope = (pool.amount_at(pool.entry_price + h) - pool.amount_at(pool.entry_price - h)) / (2 * h)
    return float(slope) / pool.quote_rate


@PACK.check("H853")
def net_greeks(ctx: Context):
    if not ctx.strategy.of_kind("option"):
        return
    base = ctx.analysis.base
    for asset, g in sorted(greeks(ctx).items()):
        net = g["pool"] + g["perp"] + g["option"] + g["other"]
        parts = ", ".join(f"{label} {g[key]:+.4f}" for key, label in (("pool", "pools"), ("perp", "perps"),
                                                                     ("option", "options"), ("other", "other legs"))
                          if g[key])
        yield diag.make("H853", f"net {asset} delta at entry {net:+.4f} {asset} ({parts or 'none'}); gamma "
                                f"{g['gamma']:+.6f} a {base}, vega {money(g['vega'], base)} a vol point, theta "
                                f"{money(g['theta'], base)} a day", ctx.where(ctx.strategy),
                        data={"asset": asset, "delta": net, **g})


@PACK.check("H854", "H855")
def expiry_vs_horizon(ctx: Context):
    base, horizon = ctx.analysis.base, ctx.analysis.horizon_days
    for leg, f in ctx.blocks("option"):
        if f.expiry_days < horizon:
            yield diag.make("H854", f"`{leg.name}` expires on day {f.expiry_days:g}, {days(horizon - f.expiry_days)} "
                                    f"before the horizon (day {horizon:g}): the rest is unhedged by it",
                            ctx.where(leg, "expiry"),
                            hint=f"set `expiry = {days(horizon)}` or longer, or roll it before day {f.expiry_days:g}",
                            data={"expiry_days": f.expiry_days, "horizon_days": horizon})
        elif f.expiry_days > horizon:
            option_value = f.horizon_value - f.cash - f.coin * f.spot
            yield diag.make("H855", f"`{leg.name}` expires on day {f.expiry_days:g}, "
                                    f"{days(f.expiry_days - horizon)} after the horizon: it is sold at the horizon "
                                    f"for its time value, about {money(abs(option_value), base)} at the entry price",
                            ctx.where(leg, "expiry"),
                            data={"expiry_days": f.expiry_days, "horizon_days": horizon, "value": option_value})


@PACK.check("H856")
def naked_shorts(ctx: Context):
    legs = list(ctx.blocks("option"))
    if not any(f.side == "short" for _, f in legs):
        return
    held = {asset: max(0.0, g["pool"] + g["perp"] + g["other"]) for asset, g in greeks(ctx).items()}
    groups: dict[tuple, list] = {}
    for leg, f in legs:
        groups.setdefault((f.asset, f.type, f.expiry_days), []).append((leg, f))
    for (asset, kind, expiry), members in sorted(groups.items()):
        sold = sum(f.size for _, f in members if f.side == "short")
        bought = sum(f.size for _, f in members if f.side == "long")
        uncovered = sold - bought
        if uncovered <= 1e-9:
            continue
        if kind == "call":
            used = min(uncovered, held.get(asset, 0.0))
            held[asset] = held.get(asset, 0.0) - used
            uncovered -= used
        if uncovered <= 1e-9:
            continue
        cover = (f"long {kind}s of day {expiry:g}" + (f" and the {asset} the other legs hold net of the perps"
                                                     if kind == "call" else ""))
        for leg, f in members:
            if f.side == "short":
                yield diag.make("H856", f"short {kind} `{leg.name}`: {qty(uncovered, asset)} of the "
                                        f"{qty(sold, asset)} sold is not covered by {cover}", ctx.where(leg, "side"),
                                hint=f"buy {qty(uncovered, asset)} of a {kind} with the same expiry (a spread), "
                                     f"or sell less",
                                data={"uncovered": uncovered, "sold": sold, "bought": bought})


@PACK.check("H857")
def size_off_venue(ctx: Context):
    base = ctx.analysis.base
    for leg, f in ctx.blocks("option"):
        step = f.min_size
        if not step:
            continue
        rounded = max(step, round(f.size / step) * step)
        if math.isclose(rounded, f.size, rel_tol=1e-9, abs_tol=1e-12):
            continue
        change = rounded - f.size
        sign = 1.0 if f.side == "long" else -1.0
        premium, delta = change * f.unit_price, sign * change * f.unit_delta
        below = "below the minimum" if f.size < step else "not a multiple"
        yield diag.make("H857", f"`{leg.name}` is {qty(f.size, f.asset)}, {below} of {qty(step, f.asset)} that "
                                f"{f.venue} trades: the order would be {qty(rounded, f.asset)}",
                        ctx.where(leg, "size"),
                        hint=f"size it in multiples of {qty(step, f.asset)}, or use a venue that trades smaller "
                             "sizes",
                        notes=(f"rounding to {qty(rounded, f.asset)} changes the premium by "
                               f"{money(premium, base)} and the delta by {delta:+.4f} {f.asset}, so the hedge is "
                               f"{pct(rounded / f.size)} of what was sized",),
                        data={"size": f.size, "rounded": rounded, "min_size": step, "premium_change": premium,
                              "delta_change": delta})


def band(ctx: Context) -> tuple[float, float]:
    """The ratios valued: a v3 pool's range, else 1/k .. k."""
    for pool in ctx.analysis.of_kind("pool").values():
        if pool.range_low is not None:
            return pool.range_low / pool.entry_price, pool.range_high / pool.entry_price
    k = ctx.threshold("option-band")
    return 1 / k, k


def band_ratios(low: float, high: float) -> np.ndarray:
    return np.unique(np.concatenate([np.geomspace(low, high, BAND_POINTS), [1.0]] if low < 1 < high
                                    else [np.geomspace(low, high, BAND_POINTS)]))


def horizon_pnl(analysis, ratios: np.ndarray, with_options: bool = True) -> np.ndarray:
    """P&L at the horizon of every leg with a valuation, before fees and funding, when every price
    moves by `ratios`: sum of value(prices x ratio, horizon) - value(prices, 0)."""
    years = analysis.horizon_days / 365.0
    entry = dict(analysis.prices)
    moved = {s: p * ratios for s, p in entry.items()}
    total = np.zeros_like(ratios)
    for name, f in analysis.figures.items():
        kind = KINDS[analysis.kinds[name]]
        if kind.value is None or (kind.name == "option" and not with_options):
            continue
        total = total + kind.value(f, moved, years) - kind.value(f, entry, 0.0)
    return total


@PACK.check("H858", "H859", thresholds=("option-band",))
def residual(ctx: Context):
    if not list(ctx.blocks("option")) or ctx.analysis.problems:
        return
    base = ctx.analysis.base
    low, high = band(ctx)
    ratios = band_ratios(low, high)
    with_options, without = horizon_pnl(ctx.analysis, ratios), horizon_pnl(ctx.analysis, ratios, False)
    i, j = int(np.argmin(with_options)), int(np.argmin(without))
    data = {"low": low, "high": high, "worst": float(with_options[i]), "worst_ratio": float(ratios[i]),
            "worst_without_options": float(without[j]), "worst_ratio_without_options": float(ratios[j])}
    message = (f"over price ratios {low:.3g} .. {high:.3g} the hedge's worst P&L at the horizon is "
               f"{money(with_options[i], base)} at r = {ratios[i]:.3g}; without the options "
               f"{money(without[j], base)} at r = {ratios[j]:.3g}")
    notes = ("before fees and funding; every asset's price moves by the same ratio",)
    for perp in ctx.analysis.of_kind("perp").values():
        ratio = perp.liquidation_price / perp.entry_price
        if low < ratio < high:
            notes += (f"perp `{perp.name}` is liquidated at {money(perp.liquidation_price, base)} (r = {ratio:.3g}), "
                      "inside the band: beyond it the figures assume a hedge that is gone",)
    if with_options[i] < without[j] - 1e-6:
        yield diag.make("H859", message + ": the options make it worse", ctx.where(ctx.strategy),
                        hint="buy options nearer the money or larger, or drop them", notes=notes, data=data)
    else:
        yield diag.make("H858", message, ctx.where(ctx.strategy), notes=notes, data=data)


@PACK.check("H860")
def custodial_venue(ctx: Context):
    base = ctx.analysis.base
    for leg, f in ctx.blocks("option"):
        wallet = ctx.strategy.block(ctx.graph.funding_wallet(leg.name) or "")
        if not f.custodial or wallet is None or wallet.custody != "self":
            continue
        product = next((p for p in ctx.catalog.cover_products.values() if f.venue in p.covers), None)
        covered = ctx.graph.protectors(leg.name)
        hint = None if covered else (
            f"add a `cover` with `protects = {leg.name}`: {product.provider} {product.title or product.name} "
            f"{product.cover_type} cover (product {product.product_id})" if product else
            "size the deposit to a loss you can bear")
        yield diag.make("H860", f"`{leg.name}` leaves {money(f.deposit, base)} with {f.venue}, a custodial "
                                f"exchange, while wallet `{wallet.name}` is self-custody: the exchange holds those "
                                "funds", ctx.where(leg, "venue"), hint=hint,
                        notes=(f"covered by {', '.join(f'`{c}`' for c in covered)}",) if covered else (),
                        data={"venue": f.venue, "deposit": f.deposit, "covered": bool(covered)})
