"""How values are written (forms), the strategy's own keys and the `assume`
keys. Each block kind declares its keys in compiler/kinds/; lowering, unknown-key
hints, editor completion and the language reference read them from there."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Key:
    form: str  # how the value is written; see FORMS
    doc: str
    required: bool = False
    choices: tuple[str, ...] = ()


FORMS = {
    "amount": "an amount with its asset, e.g. `20000 USDC` or `0.25 ETH`",
    "price": "a price in the quote asset, e.g. `3000 USDC`",
    "leverage": "leverage, e.g. `2.5x`",
    "percent": "a percentage, e.g. `15%`",
    "rate": "an annual rate, e.g. `8% apr` or `-5% apr`",
    "percent_or_rate": "a yearly percentage, e.g. `15%` or `15% apr`",
    "duration": "a duration, e.g. `90d`, `8h` or `4w`",
    "gas_price": "a gas price, e.g. `20 gwei`",
    "range": "a price range, e.g. `2400 .. 4000 USDC`",
    "pair": "a token pair, e.g. `ETH/USDC`",
    "market": "a perp market, e.g. `ETH-USD`",
    "asset": "an asset symbol, e.g. `USDC`",
    "name": "a name, e.g. `ethereum`",
    "ref": "the name of another block",
    "text": 'a quoted string, e.g. "ETH hedge"',
    "choice": "one of the listed words",
    "order": "`market` or `limit PRICE`, e.g. `limit 20100 USDC`",
    "rebalance": "a drift threshold, e.g. `10%`",
    "number": "a plain number, e.g. `1.5`",
}

STRATEGY: dict[str, Key] = {
    "title": Key("text", "A one-line description shown in plans and checklists."),
    "horizon": Key("duration", "How long the position is held.", required=True),
    "base": Key("asset", "The currency figures are reported in (default USDC)."),
}

# `assume` keys are dotted: a prefix and a subject.
ASSUME: dict[str, Key] = {
    "price": Key("price", "`price.ETH = 3000 USDC`: the entry price of an asset."),
    "vol": Key("percent", "`vol.ETH = 60%`: annualised volatility of an asset."),
    "funding": Key("rate", "`funding.ETH-USD = 8% apr`: expected funding; positive means longs pay shorts."),
    "drift": Key("rate", "`drift.ETH = 0% apr`: expected annual drift, for simulation."),
    "gas_price": Key("gas_price", "`gas_price = 20 gwei`: the gas price to estimate with."),
    "borrow_rate": Key("rate", "`borrow_rate.ETH = 2.6% apr`: variable borrow rate of an asset on a lending venue."),
    "supply_rate": Key("rate", "`supply_rate.USDC = 4.9% apr`: supply rate earned on collateral of an asset."),
}


def block_keys() -> dict[str, dict[str, Key]]:
    """The keys of every block that takes `key = value` attributes, strategy first."""
    from .kinds import KINDS

    return {"strategy": STRATEGY} | {name: kind.keys for name, kind in KINDS.items()}


def block_kinds() -> tuple[str, ...]:
    """The kinds of block a strategy holds."""
    from .kinds import KINDS

    return ("assume",) + tuple(KINDS)


def reference_markdown() -> str:
    """The key tables of docs/language.md, generated so they never drift."""
    out = []
    for kind, keys in block_keys().items():
        out += [f"### `{kind}`", "", "| key | value | required | meaning |", "|---|---|---|---|"]
        for name, key in keys.items():
            form = FORMS[key.form] if key.form != "choice" else "one of " + ", ".join(f"`{c}`" for c in key.choices)
            out.append(f"| `{name}` | {form} | {'yes' if key.required else ''} | {key.doc} |")
        out.append("")
    out += ["### `assume`", "", "| key | value | meaning |", "|---|---|---|"]
    for prefix, key in ASSUME.items():
        out.append(f"| `{prefix}{'' if prefix == 'gas_price' else '.X'}` | {FORMS[key.form]} | {key.doc} |")
    return "\n".join(out) + "\n"
