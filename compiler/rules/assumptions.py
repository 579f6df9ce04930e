"""Assumptions (H7xx): say where a figure rests on a catalog default, and
locate figures that could not be computed for want of a price (H115)."""
from __future__ import annotations

from .. import diagnostics as diag
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
