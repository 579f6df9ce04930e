"""What each block takes: the single table behind lowering, unknown-key
hints, editor completion and the language reference."""
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
}

BLOCKS: dict[str, dict[str, Key]] = {
    "strategy": {
        "title": Key("text", "A one-line description shown in plans and checklists."),
        "horizon": Key("duration", "How long the position is held.", required=True),
        "base": Key("asset", "The currency figures are reported in (default USDC)."),
    },
    "wallet": {
        "custody": Key("choice", "Who holds the keys.", choices=("self", "custodial")),
        "chain": Key("name", "The chain the wallet transacts on (default ethereum)."),
        "gas": Key("amount", "The native balance set aside for gas, e.g. `0.25 ETH`."),
    },
    "pool": {
        "venue": Key("name", "The AMM: `uniswap_v2` or `uniswap_v3`.", required=True),
        "pair": Key("pair", "Volatile asset / quote asset, e.g. `ETH/USDC`.", required=True),
        "deposit": Key("amount", "The value deposited, in the quote asset.", required=True),
        "fee_apr": Key("percent_or_rate", "Expected fee income per year, e.g. `15%`."),
        "range": Key("range", "The price range of a concentrated (v3) position."),
        "from": Key("ref", "The wallet (or leg) that funds the deposit.", required=True),
    },
    "perp": {
        "venue": Key("name", "The perpetuals exchange: `dydx` or `dydx_v4`.", required=True),
        "market": Key("market", "The perp market, e.g. `ETH-USD`.", required=True),
        "side": Key("choice", "`short` to hedge a pool's long exposure.", required=True,
                    choices=("short", "long")),
        "hedges": Key("ref", "The pool whose exposure this leg offsets."),
        "ratio": Key("percent", "Share of the pool's exposure to hedge (default 100%)."),
        "collateral": Key("amount", "Margin deposited for this isolated position.", required=True),
        "leverage": Key("leverage", "Notional / collateral; omitted, it follows from `hedges`."),
        "order": Key("order", "`market`, or `limit PRICE`."),
        "rebalance": Key("rebalance", "Re-size the hedge when it drifts this far off target."),
        "from": Key("ref", "The wallet (or leg) that funds the collateral.", required=True),
    },
    "cover": {
        "provider": Key("name", "The cover provider, e.g. `nexus_mutual`.", required=True),
        "protects": Key("ref", "The pool or perp whose venue holds the funds covered.", required=True),
        "amount": Key("amount", "The cover amount.", required=True),
        "period": Key("duration", "How long the cover runs.", required=True),
        "from": Key("ref", "The wallet that pays the premium.", required=True),
    },
}

# `assume` keys are dotted: a prefix and a subject.
ASSUME: dict[str, Key] = {
    "price": Key("price", "`price.ETH = 3000 USDC`: the entry price of an asset."),
    "vol": Key("percent", "`vol.ETH = 60%`: annualised volatility of an asset."),
    "funding": Key("rate", "`funding.ETH-USD = 8% apr`: expected funding; positive means longs pay shorts."),
    "drift": Key("rate", "`drift.ETH = 0% apr`: expected annual drift, for simulation."),
    "gas_price": Key("gas_price", "`gas_price = 20 gwei`: the gas price to estimate with."),
}

LEG_KINDS = ("pool", "perp", "cover")
BLOCK_KINDS = ("assume", "wallet") + LEG_KINDS
# Kinds a reference may name, per key.
REFERENCE_KINDS = {
    "hedges": ("pool",),
    "protects": ("pool", "perp"),
    "from": ("wallet",) + LEG_KINDS,
}


def reference_markdown() -> str:
    """The key tables of docs/language.md, generated so they never drift."""
    out = []
    for kind, keys in BLOCKS.items():
        out += [f"### `{kind}`", "", "| key | value | required | meaning |", "|---|---|---|---|"]
        for name, key in keys.items():
            form = FORMS[key.form] if key.form != "choice" else "one of " + ", ".join(f"`{c}`" for c in key.choices)
            out.append(f"| `{name}` | {form} | {'yes' if key.required else ''} | {key.doc} |")
        out.append("")
    out += ["### `assume`", "", "| key | value | meaning |", "|---|---|---|"]
    for prefix, key in ASSUME.items():
        out.append(f"| `{prefix}{'' if prefix == 'gas_price' else '.X'}` | {FORMS[key.form]} | {key.doc} |")
    return "\n".join(out) + "\n"
