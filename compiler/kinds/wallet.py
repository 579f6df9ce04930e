"""`wallet`: the account the legs are funded from, and the gas it pays."""
from __future__ import annotations

from typing import Mapping

from hedgec import finance
from hedgec.numbers import money_cents as money, tokens
from hedgec.record import record

from .. import diagnostics as diag
from .. import ir
from ..ir import _span, _spans
from ..schema import Domain, Key
from ..source import Span
from ..units import Amount
from .base import Checklist, Drawing, Kind


@record
class Wallet(ir.Block):
    name: str
    custody: str = "self"
    chain: str = "ethereum"
    gas: Amount | None = None
    span: Span = _span()
    spans: Mapping[str, Span] = _spans()

    kind = "wallet"
    is_leg = False


@record
class GasAction:
    step: str  # e.g. "approve", "deposit", "add_liquidity"
    leg: str
    venue: str
    units: int


@record
class WalletFigures:
    name: str
    chain: str
    native: str
    custody: str
    balance: float | None  # units set aside for gas, in balance_asset
    balance_asset: str | None
    gas_price_gwei: float
    actions: tuple[GasAction, ...]
    setup_units: int
    reserve_units: int  # adjustments kept in reserve
    reserve_count: int  # how many adjustments the reserve pays for
    cost: float  # native units for actions + reserve
    cost_base: float | None  # the same in base currency, if a price is known
    unwind_units: int = 0  # of setup_units, those sent at the horizon to take the legs off


def analyse(wallet: Wallet, ctx) -> WalletFigures:
    chain = ctx.catalog.chain(wallet.chain)
    native = chain_native = chain.native if chain else (wallet.gas.asset if wallet.gas else "ETH")
    if wallet.gas and chain and wallet.gas.asset in chain.gas_assets:
        native = wallet.gas.asset  # gas is paid in the asset set aside for it (the dYdX chain takes USDC too)
    funded = [leg for leg in ctx.strategy.legs if ctx.graph.funding_wallet(leg.name) == wallet.name]
    actions = [action for leg in funded for action in ctx.gas_actions(leg)]
    adjust_units = max((ctx.adjust_units(leg) for leg in funded), default=0)  # keep the dearest
    gas_price = ctx.assumed.gas_price(wallet.chain)
    setup = sum(a.units for a in actions)
    unwind = sum(ctx.unwind_units(leg) for leg in funded)
    reserve = ctx.adjustments * adjust_units
    native_price = ctx.assumed.native_price(native, ctx.prices) if actions else 0.0
    if native != chain_native and actions:  # the same fee, priced in gwei of the asset paid
        gas_price *= ctx.assumed.native_price(chain_native, ctx.prices) / native_price
    cost = finance.gas_cost(setup + reserve, gas_price)
    balance = wallet.gas.value if wallet.gas else None
    return WalletFigures(wallet.name, wallet.chain, native, wallet.custody, balance,
                         wallet.gas.asset if wallet.gas else None, gas_price,
                         tuple(actions), setup, reserve, ctx.adjustments, cost, cost * native_price, unwind)


def resolve(wallet: Wallet, strategy, catalog):
    if wallet.chain not in catalog.chains:
        yield diag.make("H111", f"unknown chain `{wallet.chain}`", wallet.at("chain"),
                        hint=diag.did_you_mean(wallet.chain, catalog.chains))


def label(w: WalletFigures, base: str) -> list[str]:
    gas = f"gas {tokens(w.balance, w.balance_asset)}" if w.balance is not None else "no gas set aside"
    return [f"{w.chain}, {w.custody} custody", gas]


def plan(c, wallet: Wallet) -> dict:
    w = c.analysis.figures[wallet.name]
    return {
        "name": w.name, "chain": w.chain, "native": w.native, "custody": w.custody,
        "gas_balance": w.balance, "gas_asset": w.balance_asset, "gas_price_gwei": w.gas_price_gwei,
        "setup_units": w.setup_units, "reserve_units": w.reserve_units, "gas_cost": w.cost,
        "gas_cost_base": w.cost_base,
    }


# ---- checklist ---------------------------------------------------------------
def _prepare(b, name: str) -> None:
    w = b.figures(name)
    custody = ("self-custodial: you hold the keys" if w.custody == "self"
               else f"{w.custody}: move the funds to a self-custodial wallet before you start")
    b.add("prepare", "wallet", f"Open the `{name}` wallet on {w.chain}", name, venue=w.chain,
          details=(f"Custody: {custody}.", f"Chain: {w.chain}; gas is paid in {w.native}."))
    needs_by_asset = {asset: needs for asset, needs in b.needs_by_asset(name).items()
                      if sum(q.value for _, q, _ in needs) > 1e-9}  # a loan may deliver it: nothing to hold
    _bridge(b, name, w, [w.native] + list(needs_by_asset))
    setup = finance.gas_cost(w.setup_units, w.gas_price_gwei)
    reserve = finance.gas_cost(w.reserve_units, w.gas_price_gwei)
    details = [f"Setup and unwinding: {w.setup_units:,} gas units at {w.gas_price_gwei:g} gwei "
               f"= {tokens(setup, w.native)}.",
               f"Reserve for later adjustments: {w.reserve_units:,} units = {tokens(reserve, w.native)}."]
    if w.balance is not None and w.balance_asset == w.native:
        verdict = "enough" if w.balance >= w.cost else f"short by {tokens(w.cost - w.balance, w.native)}"
        details.append(f"The strategy sets aside {tokens(w.balance, w.native)}: {verdict}.")
    elif w.balance is not None:
        details.append(f"The strategy sets aside {tokens(w.balance, w.balance_asset)}, paid in place of "
                       f"{w.native}.")
    held = max(w.cost, w.balance or 0.0) if w.balance_asset in (None, w.native) else w.cost
    b.add("prepare", "fund_gas", f"Hold {tokens(held, w.native)} for gas", name, venue=w.chain,
          amounts=(b.qty(held, w.native),), details=tuple(details) + (_base_note(w.cost_base, b.base),))
    for asset, needs in needs_by_asset.items():
        total = sum(q.value for _, q, _ in needs)
        b.add("prepare", "fund_tokens", f"Hold {b.amount(total, asset)} in `{name}`", name,
              venue=w.chain, amounts=(b.qty(total, asset),), suffix=asset,
              details=tuple(f"{b.amount(q.value, asset)} for `{leg}`: {why}" for leg, q, why in needs))


def _bridge(b, name: str, w: WalletFigures, assets: list[str]) -> None:
    """On a chain tokens reach only through a bridge, the step that brings them, first."""
    chain = b.c.catalog.chain(w.chain)
    if chain is not None and chain.bridge_in:
        b.add("prepare", "bridge", f"Bridge {' and '.join(dict.fromkeys(assets))} onto {w.chain}", name,
              venue=w.chain, details=(" ".join(chain.bridge_in.split()),
                                      "Keep the transfer receipts: they show where the funds came from."))


def _base_note(value: float | None, base: str) -> str:
    return f"Gas estimate in {base}: {money(value, base)}." if value is not None else \
        "No price for the gas token: gas is not counted in the base currency."


def _monitor(b, name: str) -> None:
    w = b.figures(name)
    keep = finance.gas_cost(w.reserve_units + w.unwind_units, w.gas_price_gwei)
    b.add("monitor", "gas_alert", f"Keep at least {tokens(keep, w.native)} in `{name}` for gas",
          name, venue=w.chain, amounts=(b.qty(keep, w.native),),
          details=("Enough for the adjustments kept in reserve and for unwinding at the horizon.",
                   "Running out of gas strands a hedge: top up before adjusting if the balance falls "
                   "below this."))


KIND = Kind(
    name="wallet",
    doc="the account legs are funded from",
    ir_class=Wallet,
    keys={
        "custody": Key("choice", "Who holds the keys.", choices=("self", "custodial")),
        "chain": Key("name", "The chain the wallet transacts on (default ethereum)."),
        "gas": Key("amount", "The balance set aside for gas, e.g. `0.25 ETH`.", domain=Domain(low=0.0)),
    },
    section="wallets",
    analyse=analyse,
    carry=lambda w: {"gas": w.cost_base or 0.0},
    resolve=resolve,
    drawing=Drawing("folder", ("[/", "/]"), label),
    plan=plan,
    checklist=Checklist(prepare=_prepare, monitor=_monitor),
)
