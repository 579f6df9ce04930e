"""Assumptions (H7xx): say where a figure rests on a catalog default, and
locate figures that could not be computed for want of a price (H115)."""
from __future__ import annotations

import dataclasses
import functools
import itertools
import math

from .. import diagnostics as diag
from .. import ir
from ..schema import SUBJECTS
from ..units import Amount, price_symbol
from ..kinds import KINDS
from ..registry import Pack
from .base import Context

PACK = Pack("assumptions")

PACK.rule("H701", "assumption-default", "info", "A missing assumption was taken from the catalog.", """
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


@PACK.check("H701")
def defaults_used(ctx: Context):
    assume = ctx.strategy.assume
    for fallback in ctx.analysis.fallbacks:
        value = _shown(fallback.value, fallback.unit)
        yield diag.make("H701", f"no `{fallback.key}` in `assume`: using the catalog default {value}",
                        ctx.where(assume), hint=f"add `{fallback.key} = ...` to `assume` to use your own figure",
                        notes=(fallback.note,), data={"key": fallback.key, "value": fallback.value})


@PACK.check("H115")
def figures_missing(ctx: Context):
    for block, key, message in ctx.analysis.problems:
        problem, _, fix = message.partition(": add ")  # units.Prices phrases its fix this way
        yield diag.make("H115", f"cannot compute the figures of `{block}`: {problem}",
                        ctx.where(ctx.strategy.block(block), key), hint=f"add {fix}" if fix else None)


@PACK.check("H118")
def unused_assumptions(ctx: Context):
    assume = ctx.strategy.assume
    assets, markets = _subjects_used(ctx)
    for key in assume.spans:
        prefix, _, subject = key.partition(".")
        wanted = SUBJECTS.get(prefix)
        used = markets if wanted == "market" else assets
        if wanted is None or (subject if wanted == "market" else price_symbol(subject)) in used:
            continue
        what = "perp market" if wanted == "market" else "asset"
        yield diag.make("H118", f"`{key}` is used by nothing: no leg holds or trades the {what} `{subject}`",
                        assume.at(key), hint=diag.did_you_mean(subject, used) or
                        (f"the strategy uses {', '.join(sorted(used))}" if used else f"no leg uses any {what}"))


def _subjects_used(ctx: Context) -> tuple[set[str], set[str]]:
    """Price symbols and perp markets the strategy's blocks name or hold."""
    assets, markets = {price_symbol(ctx.strategy.base)}, set()
    for block in ctx.strategy.blocks:
        for name, value in _field_values(block):
            if isinstance(value, ir.Order):
                value = value.limit
            if isinstance(value, (Amount, ir.PriceRange)):
                assets.add(price_symbol(value.asset))
            elif isinstance(value, ir.Pair):
                assets |= {price_symbol(value.base), price_symbol(value.quote)}
            elif name == "market" and isinstance(value, str):
                markets.add(value)
                assets.add(price_symbol(value.split("-")[0]))
    a = ctx.analysis
    for name, f in a.figures.items():
        kind = KINDS[a.kinds[name]]
        assets |= set(kind.exposure(f)) if kind.exposure else set()
        if hasattr(f, "native"):
            assets.add(price_symbol(f.native))
    return assets, markets


@PACK.check("H115")
def prices_in_base(ctx: Context):
    """A price in an asset that is neither the base currency nor priced in it (`price.ETH = 3000 BTC`)."""
    assume, base = ctx.strategy.assume, ctx.strategy.base
    for symbol, amount in sorted(ctx.strategy.assume.prices.items()):
        if price_symbol(symbol) != price_symbol(base) and not ctx.analysis.prices.get(price_symbol(symbol)):
            yield diag.make("H115", f"`price.{symbol}` is in {amount.asset}, which is neither the base currency "
                                    f"{base} nor priced in it", ctx.where(assume, f"price.{symbol}"),
                            hint=f"write the price in {base}, or add `price.{price_symbol(amount.asset)} = ... {base}`")


@PACK.check("H120")
def figures_not_finite(ctx: Context):
    analysis = ctx.analysis
    for name, figures in analysis.figures.items():
        bad = [name for name, value in _field_values(figures) if _not_finite(value)]
        if bad:
            yield diag.make("H120", f"cannot compute the figures of `{name}`: {', '.join(bad)} "
                                    f"{'is' if len(bad) == 1 else 'are'} not finite",
                            ctx.where(ctx.strategy.block(name)), hint="look for an extreme amount, price or rate")
    bad = sorted(key for key, value in analysis.carry.items() if _not_finite(value))
    if bad:
        yield diag.make("H120", f"cannot compute the carry: {', '.join(bad)} "
                                f"{'is' if len(bad) == 1 else 'are'} not finite",
                        ctx.strategy.span, hint="look for an extreme amount, price or rate")


def _field_values(obj):
    """(name, value) of each field of a dataclass instance: these checks read every
    field of every block and figures, so the names are looked up once per class."""
    names = _field_names(type(obj))
    return zip(names, map(getattr, itertools.repeat(obj, len(names)), names))


@functools.cache
def _field_names(cls) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


def _not_finite(value) -> bool:
    return isinstance(value, float) and not math.isfinite(value)
