"""Unit-aware quantities.

Amounts carry their asset; adding ETH to USDC raises UnitError instead of
producing a meaningless float. Conversion between assets needs a price.
"""
from __future__ import annotations

from typing import Mapping

from hedgec.record import record

# Stablecoins treated at par with the dollar, and wrapped tokens priced as
# their underlying: documented approximations, visible in `hedgec explain H115`.
USD_PAR = frozenset({"USD", "USDC", "USDT", "DAI"})
WRAPPED = {"WETH": "ETH", "WBTC": "BTC", "cbBTC": "BTC", "stETH": "ETH"}


def price_symbol(asset: str) -> str:
    """The symbol whose price an asset trades at: WBTC -> BTC, USDT -> USD."""
    if asset in USD_PAR:
        return "USD"
    return WRAPPED.get(asset, asset)


class UnitError(ValueError):
    """Quantities in different units combined without a conversion."""


@record
class Amount:
    """A quantity of an asset, e.g. 20000 USDC or 0.25 ETH."""

    value: float
    asset: str

    def _same(self, other: "Amount") -> None:
        if not isinstance(other, Amount):
            raise UnitError(f"cannot combine {self} with a bare number")
        if price_symbol(other.asset) != price_symbol(self.asset):
            raise UnitError(f"cannot combine {self} with {other} without a price")

    def __add__(self, other: "Amount") -> "Amount":
        self._same(other)
        return Amount(self.value + other.value, self.asset)

    def __sub__(self, other: "Amount") -> "Amount":
        self._same(other)
        return Amount(self.value - other.value, self.asset)

    def __mul__(self, factor: float) -> "Amount":
        if isinstance(factor, Amount):
            raise UnitError(f"cannot multiply {self} by {factor}")
        return Amount(self.value * factor, self.asset)

    __rmul__ = __mul__

    def __truediv__(self, other):
        if isinstance(other, Amount):
            self._same(other)
            return self.value / other.value
        return Amount(self.value / other, self.asset)

    def __lt__(self, other: "Amount") -> bool:
        self._same(other)
        return self.value < other.value

    def __le__(self, other: "Amount") -> bool:
        self._same(other)
        return self.value <= other.value

    def to(self, asset: str, prices: "Prices") -> "Amount":
        """This amount expressed in `asset`, using the strategy's prices."""
        if price_symbol(asset) == price_symbol(self.asset):
            return Amount(self.value, asset)
        return Amount(self.value * prices.rate(self.asset, asset), asset)

    def __str__(self) -> str:
        from hedgec.numbers import plain

        return f"{plain(self.value)} {self.asset}"


@record
class Prices:
    """Prices of assets in a base asset, from `assume price.X = ...`."""

    base: str
    quotes: Mapping[str, float]  # price symbol -> price in base

    def price(self, asset: str) -> float:
        symbol = price_symbol(asset)
        if symbol == price_symbol(self.base):
            return 1.0
        if symbol not in self.quotes:
            raise UnitError(f"no price for {asset} in {self.base}: add `price.{symbol} = ... {self.base}` to `assume`")
        return self.quotes[symbol]

    def rate(self, from_asset: str, to_asset: str) -> float:
        return self.price(from_asset) / self.price(to_asset)

    def has(self, asset: str) -> bool:
        symbol = price_symbol(asset)
        return symbol == price_symbol(self.base) or symbol in self.quotes
