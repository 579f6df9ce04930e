"""Presenting simulation results: text table, JSON-ready dicts, plot."""
from __future__ import annotations

import dataclasses
import math
import os

from hedgec.escape import terminal as terminal_safe  # noqa: F401  (the report's and the CLI's escaping)
from hedgec.numbers import cents, days_tenths, pct_hundredths, signed_pct

from .engine import Result
from .grid import GridResult

LABEL_WIDTH = 34
VALUE_WIDTH = 16


def _steps(steps: int, days: float) -> str:
    """'90 daily steps', or the step length when it is not a day."""
    step_days = days / steps
    if math.isclose(step_days, 1.0, rel_tol=1e-9):
        return f"{steps:,} daily steps"
    if step_days < 1.0:
        minutes = step_days * 1440
        return f"{steps:,} steps of {minutes:.4g} minute" + ("" if math.isclose(minutes, 1.0) else "s")
    return f"{steps:,} steps of {step_days:.4g} days"


def _row(label: str, value: str) -> str:
    return f"{label:<{LABEL_WIDTH}}{value:>{VALUE_WIDTH}}"


def format_table(result: Result) -> str:
    """Fixed-width summary of a Monte Carlo run (deterministic formatting)."""
    r = result
    rule = "-" * (LABEL_WIDTH + VALUE_WIDTH)
    lines = [
        f"Monte Carlo: {r.paths:,} paths x {_steps(r.steps, r.horizon_days)} over {r.horizon_days:g} days"
        f" (seed {r.seed})",
        rule,
        _row("Net return, mean", signed_pct(r.mean_return)),
        _row("Net return, median", signed_pct(r.median_return)),
        _row("Net return, 5% quantile", signed_pct(r.q05_return)),
        _row("Net return, 1% quantile", signed_pct(r.q01_return)),
        _row("Net return, std dev", pct_hundredths(r.std_return)),
        _row("Worst / best path", f"{signed_pct(r.min_return)} / {signed_pct(r.max_return)}"),
        rule,
        _row("Probability of liquidation", pct_hundredths(r.prob_liquidation)),
        _row("Liquidation day, mean", days_tenths(r.mean_liquidation_day)),
        _row("Liquidation day, median", days_tenths(r.median_liquidation_day)),
        _row("Hedge effectiveness", pct_hundredths(r.hedge_effectiveness)),
        _row("Std dev, pool alone / hedged",
             f"{pct_hundredths(r.std_unhedged_return)} / {pct_hundredths(r.std_hedged_return)}"),
        rule,
        _row("Pool deposit", cents(r.deposit)),
        _row("Pool P&L, mean", cents(r.mean_pool_pnl)),
        _row("Pool fees earned, mean", cents(r.mean_fees_earned)),
        _row("Perp P&L, mean", cents(r.mean_perp_pnl)),
        *([_row("Option P&L, mean (premiums paid)", cents(r.mean_option_pnl))] if r.mean_option_pnl else []),
        _row("Funding paid, mean (-: received)", cents(r.mean_funding_paid)),
        _row("Trading fees, mean", cents(r.mean_trade_fees)),
        _row("Rebalances per path, mean", f"{r.mean_rebalances:.2f}"),
        _row("Cover premiums", cents(r.premiums)),
        _row("Gas", cents(r.gas)),
        _row("Probability of an exploit", pct_hundredths(r.prob_exploit)),
        _row("Exploit loss, mean", cents(r.mean_exploit_loss)),
        _row("Cover paid out, mean", cents(r.mean_cover_paid)),
    ]
    return "\n".join(lines + _breakdown(r)) + "\n"


def _breakdown(r: Result) -> list[str]:
    """Mean P&L per leg and per asset, when there is more than one of either."""
    if len(r.legs) <= 2 and len(r.assets) <= 1:
        return []  # one pool and one perp: the table above already says it all
    head = f"{'leg':<14} {'asset':<9} {'P&L':>11} {'fees':>10} {'funding':>10} {'IL':>10} {'liquidated':>10}"
    lines = ["", "Mean per path, by leg (fees: earned by a pool, paid by a perp; funding: paid)", head,
             "-" * len(head)]
    for leg in r.legs:
        liquidated = pct_hundredths(leg.prob_liquidation) if leg.kind == "perp" else ""
        il = cents(leg.mean_impermanent_loss) if leg.kind == "pool" else ""
        funding = cents(leg.mean_funding_paid) if leg.kind == "perp" else ""
        lines.append(f"{terminal_safe(leg.name)[:14]:<14} {leg.assets:<9} {cents(leg.mean_pnl):>11}"
                     f" {cents(leg.mean_fees):>10} {funding:>10} {il:>10} {liquidated:>10}")
    lines += ["", "Mean price P&L per path, by asset (pools' entry tokens + perps before funding and fees)"]
    lines += [_row(f"  {a.symbol}", cents(a.mean_price_pnl)) for a in r.assets]
    return lines


def format_grid(grid: GridResult) -> str:
    """Fixed-width table of the payoff grid (P&L as % of the pool deposit)."""
    head = f"{'ratio':>6} {'price':>12} {'hold':>9} {'pool':>9} {'hedged':>9}" \
        + (f" {'+options':>9}" if grid.with_options else "") + f" {'all-in':>9} {'IL':>9}"
    lines = [head, "-" * len(head)]
    if grid.held_fixed:
        lines.insert(0, f"Price: {grid.assets[0]}; {grid.held_fixed}")
    for i, ratio in enumerate(grid.ratios):
        options = f" {100 * grid.with_options[i]:>8.2f}%" if grid.with_options else ""
        lines.append(
            f"{ratio:>6.2f} {grid.prices[i]:>12,.2f} {100 * grid.hold[i]:>8.2f}% {100 * grid.pool[i]:>8.2f}%"
            f" {100 * grid.hedged[i]:>8.2f}%{options} {100 * grid.all_in[i]:>8.2f}%"
            f" {100 * grid.impermanent_loss[i]:>8.2f}%"
        )
    for pair in grid.pairs:
        lines += ["", f"Pool `{terminal_safe(pair.pool)}`: {pair.asset} moved alone, {pair.quote} and every other "
                      f"asset held at entry", f"{pair.asset + '/' + pair.quote:>9} {'pool':>9} {'hedged':>9} {'IL':>9}"]
        lines += [f"{r:>9.2f} {100 * p:>8.2f}% {100 * h:>8.2f}% {100 * il:>8.2f}%"
                  for r, p, h, il in zip(pair.ratios, pair.pool_pnl, pair.hedged, pair.impermanent_loss)]
    return "\n".join(lines) + "\n"


def result_to_dict(result: Result) -> dict:
    """JSON-ready dict of a Monte Carlo result (NaN-free: missing values are None)."""
    return _json_ready(dataclasses.asdict(result))


def grid_to_dict(grid: GridResult) -> dict:
    return _json_ready(dataclasses.asdict(grid))


def _json_ready(value):
    if isinstance(value, dict):
        return {k: _json_ready(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_ready(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def plot(result: Result, grid: GridResult, path) -> None:
    """Save the payoff curves and the outcome histogram as .png or .svg."""
    ext = os.path.splitext(os.fspath(path))[1].lower()
    if ext not in (".png", ".svg"):
        raise ValueError(f"plot file must end in .png or .svg, not {ext or 'nothing'}")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.8))
    try:
        _plot_payoffs(left, grid)
        _plot_outcomes(right, result)
        _save(fig, path, ext)
    finally:
        plt.close(fig)


def _save(fig, path, ext: str) -> None:
    """Write the figure byte for byte the same on every run: no date in the
    metadata and SVG ids from a fixed salt rather than a random one."""
    import matplotlib

    fig.tight_layout()
    metadata = {"Date": None} if ext == ".svg" else {}
    with matplotlib.rc_context({"svg.hashsalt": "hedgec"}):
        fig.savefig(path, format=ext[1:], metadata=metadata)


def _plot_payoffs(ax, grid: GridResult) -> None:
    """One asset: P&L by its price. Several: by the ratio every asset moved by
    (what is held fixed is said under the axis), with each two-token pool's
    curve against its asset moved alone."""
    several = bool(grid.held_fixed)
    xs = grid.ratios if several else grid.prices
    curves = (("Hold the tokens", grid.hold, ":"), ("Pool alone, with fees", grid.pool, "--"),
              ("Pool + perp hedge, with funding", grid.hedged, "-"),
              *([("Pool + perp + options, premiums paid", grid.with_options, "-.")] if grid.with_options else []),
              ("All in: + cover premiums and gas", grid.all_in, "-"))
    for label, values, style in curves:
        ax.plot(xs, [100 * v for v in values], style, label=label)
    entry = 1.0 if several else grid.entry_price
    ax.axvline(entry, color="grey", linewidth=0.8, label="entry" if several else f"entry {entry:,.0f}")
    ax.axhline(0.0, color="grey", linewidth=0.5)
    if not several:
        for liq in sorted({p for p in grid.liquidation_prices if p is not None and p <= max(grid.prices)}):
            ax.axvline(liq, color="tab:red", linestyle="--", linewidth=0.8, label=f"perp liquidated at {liq:,.0f}")
    for pair in grid.pairs:
        ax.plot(pair.ratios, [100 * v for v in pair.hedged], "-.",
                label=f"`{pair.pool}` hedged against {pair.asset}/{pair.quote} ({pair.asset} alone moved)")
    ax.set_title("Payoff at the horizon by final price")
    ax.set_xlabel(f"Price at the horizon / entry: {grid.held_fixed}" if several
                  else "Price at the horizon (quote per asset)", wrap=True)
    ax.set_ylabel("Profit / loss, % of pool deposit")
    ax.legend(fontsize="small")


def _plot_outcomes(ax, result: Result) -> None:
    edges = [100 * e for e in result.hist_edges]
    widths = [b - a for a, b in zip(edges, edges[1:])]
    ax.bar(edges[:-1], result.hist_counts, width=widths, align="edge", color="tab:blue", alpha=0.7)
    q05 = 100 * result.q05_return
    ax.axvline(q05, color="tab:red", linestyle="--", label=f"5% worst outcomes below {q05:+.1f}%")
    ax.axvline(100 * result.median_return, color="black", linewidth=0.8,
               label=f"median {100 * result.median_return:+.1f}%")
    ax.set_title(f"Net outcome over {result.paths:,} simulated paths ({result.horizon_days:g} days)")
    ax.set_xlabel("Net profit / loss at the horizon, % of pool deposit")
    ax.set_ylabel("Number of paths")
    ax.legend(fontsize="small")


def format_replay(r) -> str:
    """Fixed-width summary of a replay over real prices (a series per asset)."""
    rule = "-" * (LABEL_WIDTH + VALUE_WIDTH)
    steps = r.rows - 1
    length = f"{steps:,} steps of uneven length" if r.uneven_steps else _steps(steps, r.step_days * steps)
    first, last = terminal_safe(r.first), terminal_safe(r.last)
    liquidated = "no" if not r.liquidated else terminal_safe(r.liquidation_at)
    several = len(r.assets) > 1
    lines = [
        f"Replay: {length} from {first} to {last}",
        _span(r.span_days, r.horizon_days),
        *(_scalings(r) if several else [_scaling(r)]),
        rule,
        *([line for a in r.assets for line in _market(a, a.symbol)] if several else _market(r)),
        rule,
        _row("Pool deposit", cents(r.deposit)),
        _row("Hold the tokens, P&L", cents(r.hold_pnl)),
        _row("Pool alone with fees, P&L", cents(r.pool_pnl)),
        _row("Perp legs, P&L", cents(r.perp_pnl)),
        _row("Pool + hedge, P&L", cents(r.hedged_pnl)),
        *([_row("Option legs, P&L", cents(r.option_pnl))] if r.option_pnl else []),
        _row("Net, all in", f"{cents(r.net_pnl)} ({signed_pct(r.net_pnl / r.deposit)})"),
        rule,
        _row("Pool fees earned", cents(r.fees)),
        _row("Funding paid (-: received)", cents(r.funding_paid)),
        _row("Liquidated" + (" (tested at high / low)" if r.high_low else ""), liquidated),
    ]
    return "\n".join(lines) + "\n"


def _span(span: float, horizon: float) -> str:
    if math.isclose(span, horizon, rel_tol=1e-6):
        return f"Spans the strategy's {horizon:g}-day horizon."
    return f"Spans {span:.4g} days, {'shorter' if span < horizon else 'longer'} than the strategy's {horizon:g}-day horizon."


def _scaling(r) -> str:
    if r.absolute:
        return (f"Prices replayed as they are: the position opens at the first, {r.market_first:,.2f}"
                f" (entry price in the strategy: {r.entry_price:,.2f}).")
    return (f"Prices scaled by {r.scale:.6g} so the first, {r.market_first:,.2f}, is the entry price"
            f" {r.entry_price:,.2f} (--absolute-prices replays them as they are).")


def _scalings(r) -> list[str]:
    if r.absolute:
        return ["Prices replayed as they are: the position opens at the first of each series"
                " (entry price in the strategy):"] + \
            [f"  {a.symbol} {a.market_first:,.2f} ({a.entry_price:,.2f})" for a in r.assets]
    return ["Prices scaled so each series' first is the strategy's entry price (--absolute-prices replays them"
            " as they are):"] + \
        [f"  {a.symbol} by {a.scale:.6g}: {a.market_first:,.2f} is {a.entry_price:,.2f}" for a in r.assets]


def _market(a, symbol: str = "") -> list[str]:
    """First / last market price and change of one asset (``a``: an asset of a replay, or the replay itself)."""
    return [_row(f"{symbol} market price, first / last" if symbol else "Market price, first / last",
                 f"{a.market_first:,.2f} / {a.market_last:,.2f}"),
            _row(f"{symbol} price change" if symbol else "Price change", signed_pct(a.market_last / a.market_first - 1))]


def replay_to_dict(r) -> dict:
    """JSON-ready dict of a replay; per-step series only if the replay kept them."""
    doc = dataclasses.asdict(r)
    doc.pop("plot")
    return _json_ready(doc)


def plot_replay(r, path) -> None:
    """Save the market prices (several: each over its first) and the P&L of each part as .png or .svg
    (from ``r.plot``)."""
    ext = os.path.splitext(os.fspath(path))[1].lower()
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    series = r.plot
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(11, 7), sharex=True, height_ratios=(1, 1.4))
    try:
        if len(series.assets) > 1:  # on one axis: each relative to its first price
            for asset in series.assets:
                first = asset.market_prices[0]
                top.plot(series.days, [p / first for p in asset.market_prices], linewidth=1, label=asset.symbol)
            top.set_ylabel("Market price / first")
            top.legend(fontsize="small")
        else:
            top.plot(series.days, series.market_prices, color="black", linewidth=1)
            top.set_ylabel("Market price")
        top.set_title("Replay of real prices")
        for label, values, style in (("Hold the tokens", series.hold_pnl, ":"),
                                     ("Pool alone, with fees", series.pool_pnl, "--"),
                                     ("Perp legs", series.perp_pnl, "-."), ("Pool + hedge", series.hedged_pnl, "-")):
            bottom.plot(series.days, values, style, label=label)
        bottom.axhline(0.0, color="grey", linewidth=0.5)
        if r.liquidated:
            bottom.axvline(r.liquidation_day, color="tab:red", linestyle="--", label="perp liquidated")
        bottom.set_ylabel("Profit / loss (quote)")
        bottom.set_xlabel(f"Days from {r.first}")
        bottom.legend(fontsize="small")
        _save(fig, path, ext)
    finally:
        plt.close(fig)
