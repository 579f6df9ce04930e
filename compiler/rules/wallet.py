"""Wallets and gas (H6xx): can each wallet reach its venues and pay for
every transaction the strategy needs, to the end?"""
from __future__ import annotations

from collections import Counter

from hedgec.numbers import money, plain

from .. import diagnostics as diag
from ..config import COUNT
from ..kinds import KINDS
from ..registry import Pack
from .base import Context

GROUP = "wallet"
PACK = Pack(GROUP)
PACK.threshold("adjustments-reserve", 3, "hedge adjustments a wallet keeps gas for, on top of setup and close (H601)",
               COUNT)

_GAS = """
Transactions per leg, with per-action gas units from the catalog (a step the
venue does not need is left out: no deposit or withdrawal where the exchange
takes none; off-chain orders cost 0):
""" + "".join(f"  {k.name}: {', '.join(k.setup + k.unwind)}\n" for k in KINDS.values() if k.is_leg) + """plus what a leg's own settings add (a borrow with `resupply = yes` deposits
its sale proceeds too), plus a reserve of `adjustments-reserve` (default 3) adjustments, each a
margin deposit and an order. cost = gas units x gas price (gwei) x 1e-9, in
the chain's native asset, with `assume gas_price` (or the catalog default).
"""
PACK.rule("H601", "gas-insufficient", "error", "The wallet cannot pay for the gas the strategy needs.",
     _GAS + "\nFails when the wallet's `gas` balance < cost.", GROUP)
PACK.rule("H602", "gas-unknown", "warning", "A wallet that sends transactions sets no gas balance.",
     _GAS + "\nWithout `gas = AMOUNT` on the wallet hedgec cannot tell whether it runs out.", GROUP)
PACK.rule("H603", "gas-wrong-asset", "error", "Gas set aside in an asset the chain does not take for gas.", """
Gas is paid in the chain's gas asset (Ethereum: ETH; the dYdX chain: DYDX or
USDC). A `gas` balance in another asset cannot pay for a transaction.
""", GROUP)
PACK.rule("H604", "wrong-chain", "error", "A wallet funds a venue on another chain.", """
A wallet can only send funds to venues on its own chain: dydx (v3) and the
Uniswap venues settle on ethereum, dydx_v4 on the dydx chain. Funding a
venue on another chain needs a bridge first.
""", GROUP)
PACK.rule("H605", "custodial-wallet", "warning", "Funds come from a custodial wallet.", """
With a custodial wallet someone else holds the keys: the funds are exposed
to the custodian, whose failure protocol cover does not pay for, and
transactions wait on its withdrawal process.
""", GROUP)


def _cost_notes(w) -> tuple[str, ...]:
    steps = Counter(a.step for a in w.actions if a.units)
    listed = ", ".join(f"{step} x{n}" if n > 1 else step for step, n in steps.items())
    return (f"{w.setup_units:,} gas for {listed}; {w.reserve_units:,} more for {w.reserve_count} adjustments; "
            f"at {w.gas_price_gwei:g} gwei",)


def _needs(w) -> str:
    return f"{plain(w.cost, 4)} {w.native}"


@PACK.check("H601", "H602", "H603")
def gas_balance(ctx: Context):
    for wallet, w in ctx.blocks("wallet"):
        if w.setup_units + w.reserve_units == 0:
            continue
        data = {"cost": w.cost, "balance": w.balance, "setup_units": w.setup_units,
                "reserve_units": w.reserve_units, "gas_price_gwei": w.gas_price_gwei}
        if w.balance is None:
            yield diag.make("H602", f"wallet `{wallet.name}` sets no gas balance; the strategy needs about "
                                    f"{_needs(w)}", ctx.where(wallet), hint=f"add `gas = {_needs(w)}` or more",
                            notes=_cost_notes(w), data=data)
        elif w.balance_asset not in _gas_assets(ctx, w):
            yield diag.make("H603", f"gas on {w.chain} is paid in {' or '.join(_gas_assets(ctx, w))}, not "
                                    f"{w.balance_asset}", ctx.where(wallet, "gas"),
                            hint=f"set `gas = {_needs(w)}` or more", data=data)
        elif w.balance < w.cost:
            yield diag.make("H601", f"wallet `{wallet.name}` holds {plain(w.balance, 4)} {w.native} for gas "
                                    f"but the strategy needs about {_needs(w)}", ctx.where(wallet, "gas"),
                            hint=f"add at least {plain(w.cost - w.balance, 4)} {w.native}, or the hedge "
                                 f"may be stranded when it needs adjusting",
                            notes=_cost_notes(w) + (f"about {money(w.cost_base, ctx.analysis.base)}",), data=data)


def _gas_assets(ctx: Context, w) -> tuple[str, ...]:
    chain = ctx.catalog.chain(w.chain)
    return tuple(chain.gas_assets) if chain and chain.gas_assets else (w.native,)


@PACK.check("H604")
def wrong_chain(ctx: Context):
    for leg in ctx.strategy.legs:
        wallet = ctx.strategy.block(ctx.graph.funding_wallet(leg.name) or "")
        venue = ctx.catalog.venue(ctx.graph.venue_of(leg.name))
        if wallet is None or venue is None or venue.on_chain(wallet.chain):
            continue
        yield diag.make("H604", f"`{leg.name}` is on {venue.name} (chain {venue.chain}) but is funded from wallet "
                                f"`{wallet.name}` on {wallet.chain}: a bridge is needed", ctx.where(leg, "from"),
                        hint=f"fund it from a wallet on {venue.chain}, or bridge the funds there first",
                        data={"venue_chain": venue.chain, "wallet_chain": wallet.chain})


@PACK.check("H605")
def custodial(ctx: Context):
    for wallet in ctx.strategy.of_kind("wallet"):
        if wallet.custody == "custodial":
            yield diag.make("H605", f"wallet `{wallet.name}` is custodial: the custodian holds the keys and the "
                                    f"funds, and protocol cover does not pay for its failure",
                            ctx.where(wallet, "custody"), hint="fund the strategy from a self-custody wallet")
