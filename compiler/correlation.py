"""`corr.A.B` assumptions: correlations of asset returns, keyed by price
symbol (wrapped tokens count as their underlying), checked to form a
positive-definite matrix so the simulator can draw correlated prices."""
from __future__ import annotations

from hedgec import finance

from . import diagnostics as diag
from .source import Span
from .units import price_symbol


def key(subject: str) -> str | None:
    """`BTC.ETH` (or `WBTC.ETH`, `ETH.BTC`) as the canonical "BTC.ETH"; None when
    it does not name two different assets."""
    parts = subject.split(".")
    if len(parts) != 2 or not all(parts):
        return None
    a, b = sorted(price_symbol(p) for p in parts)
    return None if a == b else f"{a}.{b}"


def symbols(correlations) -> list[str]:
    return sorted({s for k in correlations for s in k.split(".")})


def not_positive_definite(correlations: dict[str, float], spans: dict[str, Span], written: dict[str, str]):
    """H121 when the stated correlations cannot hold together, at the last key
    stated, naming every key (`written`: canonical key -> key as written)."""
    if not correlations:
        return None
    names = symbols(correlations)
    if finance.correlation_factor(finance.correlation_matrix(names, correlations)) is not None:
        return None
    keys = ", ".join(f"`{written[k]} = {correlations[k]:g}`" for k in sorted(correlations))
    last = max(correlations, key=lambda k: (spans[k].line, spans[k].column))
    return diag.make("H121", f"the correlations of {', '.join(names)} cannot hold together: the matrix of "
                             f"{keys} is not positive definite", spans[last],
                     hint="correlations of 1 or -1, or pairwise figures that contradict each other "
                          "(A with B and B with C high, A with C low), have no joint distribution: "
                          "use figures estimated together from one price history",
                     data={"keys": [written[k] for k in sorted(correlations)]})
