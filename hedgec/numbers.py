"""Numbers as people read them, in one place: every message, checklist, label
and report formats money, token amounts, shares and leverage with these."""
from __future__ import annotations

import math


def _zero(value: float) -> float:
    """-0.0 and float dust print as 0."""
    return 0.0 if abs(value) < 1e-12 else value


def money(value: float, asset: str) -> str:
    """27,964.11 USDC; whole amounts without decimals: 2,500 USDC (messages)."""
    text = f"{_zero(value):,.2f}"
    text = text[:-3] if text.endswith(".00") else text
    return f"{text} {asset}"


def money_cents(value: float | None, asset: str) -> str:
    """Always to the cent: 20,000.00 USDC (checklists and labels, which line up)."""
    return "n/a" if value is None else f"{cents(value)} {asset}"


def qty(value: float, asset: str = "") -> str:
    """Four significant figures: 9.321 ETH, 0.125 BTC, 85.71 AVAX."""
    if value == 0 or not math.isfinite(value):
        text = "0" if value == 0 else str(value)
    else:
        places = max(0, 3 - math.floor(math.log10(abs(value))))
        text = f"{value:,.{places}f}"
        text = text.rstrip("0").rstrip(".") if "." in text else text
    return f"{text} {asset}".rstrip()


def tokens(value: float, asset: str) -> str:
    """Token amounts to 4 decimals, or 3 significant digits below 0.01: 3.3333 ETH, 0.00092 ETH."""
    value = _zero(value)
    if value == 0:
        return f"0 {asset}"
    if abs(value) >= 0.01:
        text = f"{value:,.4f}".rstrip("0").rstrip(".")
    else:
        text = f"{value:.3g}"
        text = f"{float(text):.{max(0, -math.floor(math.log10(abs(value))) + 2)}f}".rstrip("0").rstrip(".")
    return f"{text} {asset}"


def plain(value: float, places: int = 6) -> str:
    """Shortest plain decimal for `value` (no exponent, no trailing zeros)."""
    if value == 0:
        return "0"
    text = f"{value:.{places}f}".rstrip("0").rstrip(".")
    return text if text not in ("-0", "") else "0"


def pct(fraction: float) -> str:
    """12.5%, 0.303%, 93%: three significant figures, never rounded up to a
    round figure it has not reached (99.97% is not "100%")."""
    value = fraction * 100
    if 0 < abs(value) < 0.001:
        return "<0.001%"
    if abs(value) >= 100:
        return f"{value:,.0f}%"
    text = f"{value:.3g}" if value else "0"
    if float(text) != value and abs(float(text)) >= 100:  # 99.97 would round to 100
        text = f"{math.copysign(math.floor(abs(value) * 10) / 10, value):.1f}"
    return f"{text}%"


def share(fraction: float) -> str:
    """A fraction as a percentage to one decimal place, trailing zeros kept out: 1.2%, 5%."""
    return f"{fraction * 100:.2f}".rstrip("0").rstrip(".") + "%"


def lev(value: float) -> str:
    return f"{value:.3g}x"


def days(value: float) -> str:
    return f"{value:g}d"


def signed_pct(fraction: float | None) -> str:
    """A return in a report table, signed, to the hundredth: +1.25%, -0.40%."""
    return "n/a" if fraction is None else f"{100.0 * fraction:+.2f}%"


def pct_hundredths(fraction: float | None) -> str:
    """A share or probability in a report table, to the hundredth: 1.25%."""
    return "n/a" if fraction is None else f"{100.0 * fraction:.2f}%"


def cents(value: float) -> str:
    """An amount in a report table, to the cent, without its asset: 1,234.56."""
    return f"{_zero(value):,.2f}"


def days_tenths(value: float | None) -> str:
    """A duration in a report table: 12.5 d."""
    return "n/a" if value is None else f"{value:.1f} d"


def figure(value, style: str, unit: str) -> str:
    """A figure in a review (diff, hover): `style` is money, asset (`unit` is then
    the figure's own asset), leverage or percent."""
    if value is None:
        return "none"
    if style == "money":
        return f"{value:,.2f} {unit}".strip()
    if style == "asset":
        return f"{value:,.4g} {unit}".strip()
    if style == "leverage":
        return f"{value:.2f}x"
    if style == "percent":
        return f"{value:.2%}"
    return f"{value:,.6g}"
