"""What every rule shares: the context it reads, the registry of checks, and
number formatting that reads well to a trader."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Iterable

from .. import diagnostics as diag
from .. import ir
from ..config import Config
from ..source import Span


@dataclass(frozen=True)
class Context:
    strategy: ir.Strategy
    graph: object  # StrategyGraph
    catalog: object  # Catalog
    config: Config
    analysis: object  # Analysis

    def threshold(self, name: str) -> float:
        return self.config.threshold(name)

    def where(self, block, key: str | None = None) -> Span:
        """The span of `key` in `block`, or of the block, or of the strategy when
        the block was never written (an absent `assume`)."""
        span = block.at(key) if key else block.span
        return self.strategy.span if span.file == "<none>" else span


Check = Callable[[Context], Iterable[diag.Diagnostic]]
CHECKS: list[Check] = []


def check(function: Check) -> Check:
    """Register a rule function; run_rules calls every one, in module order."""
    CHECKS.append(function)
    return function


def rule(code: str, name: str, severity: str, summary: str, explain: str, group: str) -> None:
    diag.register(code, name, severity, summary, explain, group)


# ---- numbers in messages ---------------------------------------------------------

def money(value: float, asset: str) -> str:
    """27,964.11 USDC; whole amounts without decimals: 2,500 USDC."""
    text = f"{value:,.2f}"
    text = text[:-3] if text.endswith(".00") else text
    return f"{'0' if text in ('-0', '') else text} {asset}"


def qty(value: float, asset: str = "") -> str:
    """Four significant figures: 9.321 ETH, 0.125 BTC, 85.71 AVAX."""
    if value == 0 or not math.isfinite(value):
        text = "0" if value == 0 else str(value)
    else:
        places = max(0, 3 - math.floor(math.log10(abs(value))))
        text = f"{value:,.{places}f}"
        text = text.rstrip("0").rstrip(".") if "." in text else text
    return f"{text} {asset}".rstrip()


def pct(fraction: float) -> str:
    """12.5%, 0.303%, 93%: three significant figures."""
    value = fraction * 100
    if 0 < abs(value) < 0.001:
        return "<0.001%"
    if abs(value) >= 100:
        return f"{value:,.0f}%"
    return f"{value:.3g}%" if value else "0%"


def lev(value: float) -> str:
    return f"{value:.3g}x"


def days(value: float) -> str:
    return f"{value:g}d"
