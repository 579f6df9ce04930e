"""Lending legs (H8xx): a loan on Aave v3 against collateral — borrowing limit,
health factor, liquidation price and the chance of reaching it, what a
liquidation costs, and the carry of supply income against borrow cost.
Formulas: hedgec/lending.py; conventions: docs/lending.md."""
from __future__ import annotations

from hedgec.numbers import days, money, pct, qty

from .. import diagnostics as diag
from ..config import ABOVE_ONE
from ..kinds.borrow import breakeven_borrow_rate
from ..registry import Pack
from ..units import price_symbol
from .base import Context

GROUP = "lending"
PACK = Pack(GROUP)
PACK.threshold("health-factor-warn", 1.5, "health factor at entry below which a loan gets the H802 warning",
               ABOVE_ONE)

_HF = """
Health factor (Aave v3 GenericLogic.sol), with stablecoin collateral C, the
sale proceeds P when they are supplied too (`resupply = yes`), the
collateral's liquidation threshold LT and q of the asset borrowed at price S:
  HF = (C + P) x LT / (q x S)
The venue liquidates the loan when HF < 1.
"""
PACK.rule("H801", "borrow-above-ltv", "error", "A loan larger than the collateral allows.", """
A lending venue lends at most the collateral's loan-to-value (LTV) share of
its value (Aave v3 GenericLogic.calculateAvailableBorrows):
  q x S <= C x LTV
and refuses a borrow above it (ValidationLogic). Aave v3 Ethereum: USDC LTV
75%, so 19,230.77 USDC lets you borrow up to 14,423.08 USDC worth (4.8077
ETH at 3,000). No collateral (or a reserve with LTV 0, such as DAI) lends
nothing. The limit is checked on the collateral supplied before the borrow:
proceeds supplied afterwards do not count.
""", GROUP)
PACK.rule("H802", "health-factor-low", "warning", "A loan starts with a low health factor.", _HF + """
Warns when HF at entry is below `health-factor-warn` (default 1.5): a
15% rise at HF 1.15 liquidates it. Example: 19,230.77 USDC (LT 78%) against
3.3333 ETH at 3,000: HF = 15,000 / 9,999.90 = 1.50.
""", GROUP)
_LIQUIDATION = _HF + """
The loan is a short of the borrowed asset: HF falls as its price rises and
reaches 1 at the liquidation price
  S_liq = (C + P) x LT / q
(19,230.77 USDC against 3.3333 ETH: 19,230.77 x 0.78 / 3.3333 = 4,500, +50%
from 3,000; with the 9,999.90 of proceeds supplied too: 6,840). The chance
of touching it within the horizon T is the same first-passage formula as for
perps (H303):
  P = 2 N(-|ln(S_liq / S)| / (sigma sqrt(T)))
A liquidation (LiquidationLogic.sol) repays up to the close factor, 50% of
the debt while HF > 0.95 and both collateral and debt are worth at least
2,000 USD (otherwise 100%), and takes collateral worth the repaid debt times
(1 + bonus): it costs the borrower bonus x repaid. At 4,500 above: 50% of
15,000 = 7,500 repaid, 7,837.50 of USDC taken, 337.50 lost (bonus 4.5%).
Interest moves the liquidation price too: debt grows at the borrow rate.
"""
PACK.rule("H803", "borrow-liquidation-risk", "warning", "The loan may be liquidated within the horizon.",
          _LIQUIDATION + "\nWarns above `liquidation-warn` (default 5%), as for perps.", GROUP)
PACK.rule("H804", "borrow-liquidation-likely", "error", "The loan is likely to be liquidated within the horizon.",
          _LIQUIDATION + "\nFails above `liquidation-error` (default 25%), as for perps.", GROUP)
PACK.rule("H805", "lending-carry", "info", "What a loan earns and costs over the horizon.", """
Supply income on the collateral less the borrow cost of the debt, at
constant prices, compounded continuously (hedgec/lending.py `carry`):
  carry = (C + P) x (e^(s T) - 1) - q x S x (e^(b T) - 1)
with s the supply and b the borrow rate (`assume supply_rate.USDC`,
`borrow_rate.ETH`; else the catalog's rate curve at its stated utilisation,
see H701). Both enter the strategy's carry (H402). The break-even borrow rate
is where the strategy's whole expected carry turns zero, all else held:
  b* = ln(1 + other / (q x S)) / T,  other = carry + borrow cost
Example: 19,230.77 USDC at 4.9% against 9,999.90 of debt at 2.55%, 90 days:
233.76 - 63.07 = 170.68.
""", GROUP)
PACK.rule("H806", "resupply-into-pool", "error", "Sale proceeds supplied, but the asset goes into a pool.", """
`resupply = yes` supplies what the borrowed asset is sold for. When a pool's
`from` names the loan the borrowed asset goes into that pool and is not
sold, so there are no proceeds to supply.
""", GROUP)
PACK.rule("H807", "pool-funded-with-another-asset", "error", "A pool funded by a loan of another asset.", """
A pool whose `from` names a loan takes the borrowed asset as its volatile
side. A loan of another asset (WBTC for an ETH/USDC pool) cannot fund it:
fund the pool from a wallet, or borrow the pool's asset.
""", GROUP)
PACK.rule("H811", "unknown-reserve", "error", "An asset the lending venue does not list.", """
A loan borrows and supplies reserves the venue lists in the catalog (Aave v3
Ethereum: WETH, WBTC, USDC, USDT, DAI; ETH stands for WETH and BTC for
WBTC). Add a reserve with `--catalog FILE`.
""", "structure")
PACK.rule("H812", "collateral-or-target-hf", "error", "A loan needs exactly one of `collateral` and `target_hf`.", """
`collateral = AMOUNT` supplies that much; `target_hf = 1.5` sizes the
collateral (in the strategy's base) to that health factor at entry:
  C = HF x q x S / LT - P
Giving both would leave one of them unused.
""", "structure")
PACK.rule("H813", "borrow-against-itself", "error", "A loan of the asset it is secured by.", """
Borrowing the collateral's own asset (USDC against USDC, or any asset priced
as it) nets to nothing: it neither shorts nor hedges, and pays the spread of
the rates.
""", "structure")
PACK.rule("H814", "borrow-nothing", "error", "A loan of zero.", """
`amount` is what the loan borrows; zero borrows nothing.
""", "structure")


@PACK.check("H801")
def above_ltv(ctx: Context):
    base = ctx.analysis.base
    for loan, f in ctx.blocks("borrow"):
        if f.debt_value <= f.max_borrow * (1 + 1e-9):
            continue
        at = "target_hf" if f.collateral_derived else "collateral"
        if f.collateral <= 0:
            message = f"`{loan.name}` supplies no collateral, so {f.venue} lends nothing"
        else:
            message = (f"borrowing {qty(f.amount, f.asset)} ({money(f.debt_value, base)}) exceeds the "
                       f"{money(f.max_borrow, base)} that {money(f.collateral, base)} of {f.collateral_reserve} "
                       f"allows on {f.venue} (LTV {pct(f.ltv)})")
        hint = (f"supply at least {money(f.debt_value / f.ltv, base)} of {f.collateral_reserve}, or borrow at most "
                f"{qty(f.max_borrow / f.entry_price, f.asset)}") if f.ltv > 0 else \
            f"{f.collateral_reserve} has LTV 0 on {f.venue}: supply another asset"
        yield diag.make("H801", message, ctx.where(loan, at), hint=hint,
                        data={"debt_value": f.debt_value, "max_borrow": f.max_borrow, "ltv": f.ltv,
                              "collateral": f.collateral})


@PACK.check("H802", thresholds=("health-factor-warn",))
def health_factor_low(ctx: Context):
    warn = ctx.threshold("health-factor-warn")
    base = ctx.analysis.base
    for loan, f in ctx.blocks("borrow"):
        if f.health_factor >= warn or f.debt_value > f.max_borrow * (1 + 1e-9):  # over the limit is H801's
            continue
        yield diag.make("H802", f"health factor {f.health_factor:.2f} at entry: a {pct(f.liquidation_distance)} "
                                f"rise of {f.asset} to {money(f.liquidation_price, base)} liquidates `{loan.name}`",
                        ctx.where(loan, "target_hf" if f.collateral_derived else "collateral"),
                        hint=f"supply {money(warn * f.debt_value / f.liquidation_threshold - f.proceeds, base)} "
                             f"for a health factor of {warn:g}, or `target_hf = {warn:g}`",
                        notes=(f"HF = {money(f.supplied, base)} x {pct(f.liquidation_threshold)} / "
                               f"{money(f.debt_value, base)}; below the {warn:g} `health-factor-warn`",),
                        data={"health_factor": f.health_factor, "threshold": warn})


@PACK.check("H803", "H804", thresholds=("liquidation-error", "liquidation-warn"))
def liquidation_risk(ctx: Context):
    warn, fail = ctx.threshold("liquidation-warn"), ctx.threshold("liquidation-error")
    base, horizon = ctx.analysis.base, ctx.analysis.horizon_days
    for loan, f in ctx.blocks("borrow"):
        p = f.liquidation_probability
        if p <= warn or f.liquidation_distance <= 0:  # liquidatable at entry: H801
            continue
        code, limit = ("H804", fail) if p > fail else ("H803", warn)
        yield diag.make(
            code, f"a {pct(f.liquidation_distance)} rise of {f.asset} to {money(f.liquidation_price, base)} liquidates "
                  f"`{loan.name}`; over {days(horizon)} at {pct(f.vol)} volatility the chance of touching it is "
                  f"{pct(p)}", ctx.where(loan),
            hint="supply more collateral (or `resupply = yes`) to move the liquidation price away",
            notes=(f"a liquidation there repays {pct(f.close_factor)} of the debt ({money(f.liquidation_repaid, base)}) "
                   f"and costs the {pct(f.liquidation_bonus)} bonus: {money(f.liquidation_cost, base)}",
                   f"above the {pct(limit)} threshold"),
            data={"liquidation_price": f.liquidation_price, "distance": f.liquidation_distance, "probability": p,
                  "vol": f.vol, "horizon_days": horizon, "threshold": limit,
                  "liquidation_cost": f.liquidation_cost})


@PACK.check("H805")
def lending_carry(ctx: Context):
    a = ctx.analysis
    base = a.base
    for loan, f in ctx.blocks("borrow"):
        breakeven = breakeven_borrow_rate(a, f)
        beyond = (f"the strategy's expected carry turns negative above a borrow rate of {pct(breakeven)}"
                  if breakeven is not None else "the strategy's expected carry is negative at any borrow rate")
        yield diag.make("H805", f"`{loan.name}` earns {money(f.supply_income, base)} on its collateral and pays "
                                f"{money(f.borrow_cost, base)} of interest over {days(a.horizon_days)}; {beyond}",
                        ctx.where(loan, "amount"),
                        notes=(f"supply {pct(f.supply_apr)} a year on {money(f.supplied, base)}, borrow "
                               f"{pct(f.borrow_apr)} a year on {money(f.debt_value, base)}",),
                        data={"supply_income": f.supply_income, "borrow_cost": f.borrow_cost,
                              "supply_apr": f.supply_apr, "borrow_apr": f.borrow_apr,
                              "breakeven_borrow_apr": breakeven})


@PACK.check("H806")
def resupply_into_pool(ctx: Context):
    for loan, f in ctx.blocks("borrow"):
        if loan.resupply == "yes" and f.funds is not None:
            yield diag.make("H806", f"`resupply = yes`, but pool `{f.funds}` takes the borrowed {f.asset}: nothing "
                                    "is sold, so there are no proceeds to supply", ctx.where(loan, "resupply"),
                            hint="drop `resupply`, or fund the pool from a wallet")


@PACK.check("H807")
def pool_of_another_asset(ctx: Context):
    by_name = {loan.name: f for loan, f in ctx.blocks("borrow")}
    for pool in ctx.strategy.of_kind("pool"):
        f = by_name.get(pool.source.name)
        if f is not None and price_symbol(pool.pair.base) != price_symbol(f.asset):
            yield diag.make("H807", f"pool `{pool.name}` holds {pool.pair.base} but `{f.name}` borrows {f.asset}: "
                                    "the loan cannot fund it", ctx.where(pool, "from"),
                            hint=f"fund `{pool.name}` from a wallet, or borrow {pool.pair.base}")
