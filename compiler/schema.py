"""How values are written (forms), the strategy's own keys and the `assume`
keys. Each block kind declares its keys in compiler/kinds/; lowering, unknown-key
hints, editor completion and the language reference read them from there."""
from __future__ import annotations

from hedgec.record import record


@record
class Domain:
    """Where a quantity means something: outside [low, high] is impossible (an
    error), above `plausible` is implausible (a warning). Bounds are in the
    value's own unit: fractions for percentages and rates, days for durations."""

    low: float | None = None
    high: float | None = None
    low_open: bool = False  # `low` itself is impossible too (a deposit of 0)
    plausible: float | None = None
    high_open: bool = False
    whole: bool = False  # a count

    def problem(self, value: float) -> str | None:
        """Why `value` is impossible, or None: a template naming {low} or {high}."""
        if self.low is not None and (value < self.low or (self.low_open and value == self.low)):
            return f"must be {'above' if self.low_open else 'at least'} {{low}}"
        if self.high is not None and (value > self.high or (self.high_open and value == self.high)):
            return f"must be {'below' if self.high_open else 'at most'} {{high}}"
        if self.whole and not float(value).is_integer():
            return "must be a whole number"
        return None

    def describe(self) -> str:
        """The possible values in words, e.g. `above 0, at most 1`."""
        bounds = [f"{word} {bound:,.15g}" for bound, word in (
            (self.low, "above" if self.low_open else "at least"),
            (self.high, "below" if self.high_open else "at most")) if bound is not None]
        text = ", ".join(bounds) or "any number"
        return f"a whole number, {text}" if self.whole else text

    def implausible(self, value: float) -> bool:
        return self.plausible is not None and abs(value) > self.plausible


@record
class Key:
    form: str  # how the value is written; see FORMS
    doc: str
    required: bool = False
    choices: tuple[str, ...] = ()
    domain: Domain | None = None


# Domains shared by several keys.
POSITIVE = Domain(low=0.0, low_open=True)
SHARE = Domain(low=0.0, low_open=True, high=1.0)  # of a whole: (0, 100%]
ANNUAL_RATE = Domain(low=-10.0, high=10.0, plausible=1.0)  # |rate| <= 1000% a year; above 100% implausible
VOLATILITY = Domain(low=0.0, low_open=True, high=10.0, plausible=3.0)  # (0, 1000%]; above 300% implausible
HORIZON = Domain(low=0.0, low_open=True, high=36_500.0, plausible=3_650.0)  # days: up to 100 years
GAS_PRICE = Domain(low=0.0, low_open=True, high=1e6, plausible=10_000.0)  # gwei


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
    "option_size": "an amount of the underlying, e.g. `0.5 ETH`, or `bounds 2x` (sized from the hedged pool)",
    "correlation": "a correlation in [-1, 1], e.g. `0.8` or `80%`",
    "number": "a plain number, e.g. `1.5`",
}

STRATEGY: dict[str, Key] = {
    "title": Key("text", "A one-line description shown in plans and checklists."),
    "horizon": Key("duration", "How long the position is held.", required=True, domain=HORIZON),
    "base": Key("asset", "The currency figures are reported in (default USDC)."),
}

# `assume` keys are dotted: a prefix and a subject, an asset or a market as SUBJECTS says.
ASSUME: dict[str, Key] = {
    "price": Key("price", "`price.ETH = 3000 USDC`: the entry price of an asset."),
    "vol": Key("percent", "`vol.ETH = 60%`: annualised volatility of an asset.", domain=VOLATILITY),
    "funding": Key("rate", "`funding.ETH-USD = 8% apr`: expected funding; positive means longs pay shorts.",
                   domain=ANNUAL_RATE),
    "iv": Key("percent", "`iv.ETH = 62%`: implied volatility options are priced at (default: `vol.ETH`).",
              domain=VOLATILITY),
    "drift": Key("rate", "`drift.ETH = 0% apr`: expected annual drift of the price.", domain=ANNUAL_RATE),
    "corr": Key("correlation", "`corr.BTC.ETH = 0.8`: correlation of two assets' returns (wrapped tokens "
                               "count as their underlying); unstated pairs are independent."),
    "borrow_rate": Key("rate", "`borrow_rate.ETH = 2.6% apr`: variable borrow rate of an asset on a lending venue.",
                       domain=ANNUAL_RATE),
    "supply_rate": Key("rate", "`supply_rate.USDC = 4.9% apr`: supply rate earned on collateral of an asset.",
                       domain=ANNUAL_RATE),
    "gas_price": Key("gas_price", "`gas_price = 20 gwei`: the gas price to estimate with.", domain=GAS_PRICE),
}


SUBJECTS = {"price": "asset", "vol": "asset", "iv": "asset", "drift": "asset", "funding": "market",
            "borrow_rate": "asset", "supply_rate": "asset"}


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
            out.append(f"| `{name}` | {form}{_domain_text(key)} | {'yes' if key.required else ''} | {key.doc} |")
        out.append("")
    out += ["### `assume`", "", "| key | value | meaning |", "|---|---|---|"]
    for prefix, key in ASSUME.items():
        subject = {"gas_price": "", "corr": ".X.Y"}.get(prefix, ".X")
        out.append(f"| `{prefix}{subject}` | {FORMS[key.form]}{_domain_text(key)} | {key.doc} |")
    return "\n".join(out) + "\n"


def shown(form: str, value: float) -> str:
    """A bound in the unit its form is written in."""
    from hedgec.numbers import plain

    if form in ("percent", "rate", "percent_or_rate", "rebalance"):
        return f"{plain(value * 100)}%" + (" apr" if form == "rate" else "")
    if form == "duration":
        return f"{plain(value)}d"
    if form == "gas_price":
        return f"{plain(value)} gwei"
    return plain(value)


def _domain_text(key: Key) -> str:
    d = key.domain
    if d is None:
        return ""
    parts = []
    if d.low is not None:
        parts.append(f"{'>' if d.low_open else '>='} {shown(key.form, d.low)}")
    if d.high is not None:
        parts.append(f"<= {shown(key.form, d.high)}")
    text = "; " + " and ".join(parts)
    if d.plausible is not None:
        text += f" (above {shown(key.form, d.plausible)} is flagged as implausible)"
    return text
