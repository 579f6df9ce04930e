"""Assumptions (H7xx): say where a figure rests on a catalog default, and
locate figures that could not be computed for want of a price (H115)."""
from __future__ import annotations

import math
from dataclasses import fields

from .. import diagnostics as diag
from ..units import price_symbol
from .base import Context, check, rule

rule("H701", "assumption-default", "info", "A missing assumption was taken from the catalog.", """
Figures need a volatility (`vol.ASSET`), expected funding
(`funding.MARKET`), a gas price (`gas_price`) and the gas asset's price
(`price.ETH`). Where `assume` is silent, hedgec uses the catalog's
documented default (`defaults` in the catalog: e.g. vol 60% for ETH, 80% for
unknown assets; funding 0; 20 gwei on Ethereum) and says so here, so a
result never rests on a number nobody chose.
""", "assumptions")


def _shown(value: float, unit: str) -> str:
    if "fraction" in unit or unit in ("apr", "annual volatility"):
        return f"{value * 100:g}%"
    return f"{value:g} {unit}"


@check
def defaults_used(ctx: Context):
    assume = ctx.strategy.assume
    for fallback in ctx.analysis.fallbacks:
        value = _shown(fallback.value, fallback.unit)
        yield diag.make("H701", f"no `{fallback.key}` in `assume`: using the catalog default {value}",
                        ctx.where(assume), hint=f"add `{fallback.key} = ...` to `assume` to use your own figure",
                        notes=(fallback.note,), data={"key": fallback.key, "value": fallback.value})


@check
def figures_missing(ctx: Context):
    for block, key, message in ctx.analysis.problems:
        problem, _, fix = message.partition(": add ")  # units.Prices phrases its fix this way
        yield diag.make("H115", f"cannot compute the figures of `{block}`: {problem}",
                        ctx.where(ctx.strategy.block(block), key), hint=f"add {fix}" if fix else None)


@check
def prices_in_base(ctx: Context):
    """A price in an asset that is neither the base currency nor priced in it (`price.ETH = 3000 BTC`)."""
    assume, base = ctx.strategy.assume, ctx.strategy.base
    for symbol, amount in sorted(ctx.strategy.assume.prices.items()):
        if price_symbol(symbol) != price_symbol(base) and not ctx.analysis.prices.get(price_symbol(symbol)):
            yield diag.make("H115", f"`price.{symbol}` is in {amount.asset}, which is neither the base currency "
                                    f"{base} nor priced in it", ctx.where(assume, f"price.{symbol}"),
                            hint=f"write the price in {base}, or add `price.{price_symbol(amount.asset)} = ... {base}`")


@check
def figures_not_finite(ctx: Context):
    analysis = ctx.analysis
    for group in (analysis.pools, analysis.perps, analysis.covers, analysis.wallets):
        for name, figures in sorted(group.items()):
            bad = [f.name for f in fields(figures) if _not_finite(getattr(figures, f.name))]
            if bad:
                yield diag.make("H117", f"cannot compute the figures of `{name}`: {', '.join(bad)} "
                                        f"{'is' if len(bad) == 1 else 'are'} not finite",
                                ctx.where(ctx.strategy.block(name)), hint="look for an extreme amount, price or rate")
    bad = sorted(key for key, value in analysis.carry.items() if _not_finite(value))
    if bad:
        yield diag.make("H117", f"cannot compute the carry: {', '.join(bad)} "
                                f"{'is' if len(bad) == 1 else 'are'} not finite",
                        ctx.strategy.span, hint="look for an extreme amount, price or rate")


def _not_finite(value) -> bool:
    return isinstance(value, float) and not math.isfinite(value)
