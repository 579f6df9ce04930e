"""Read a simulation plan (targets/plan.py, specs/schema/plan.schema.json)
into the engine's SimConfig. The plan is the only input: a simulator needs
neither the source file nor the catalog."""
from __future__ import annotations

from .config import CoverSpec, ExploitEvent, PerpSpec, PoolSpec, SimConfig
from .lending import LoanSpec


class NotSimulable(ValueError):
    """A valid plan the engine cannot run, with the reason in words."""


def config_from_plan(plan: dict) -> SimConfig:
    pools = plan["pools"]
    if len(pools) != 1:
        raise NotSimulable(f"the simulator runs one pool per strategy; this plan has {len(pools)}")
    pool = pools[0]
    symbol = pool["price_symbol"]
    for loan in plan.get("borrows", []):
        if loan["price_symbol"] != symbol or loan["collateral_asset"] not in _PAR.get(plan["strategy"]["base"], ()):
            raise NotSimulable(f"loan `{loan['name']}` borrows {loan['asset']} against {loan['collateral_asset']}; the "
                               f"simulator follows one price, so it needs the pool's asset against a stablecoin")
    for perp in plan["perps"]:
        if perp["price_symbol"] != symbol:
            raise NotSimulable(f"perp `{perp['name']}` trades {perp['asset']}, but the pool holds {pool['asset']}:"
                               " the simulator follows one price")
    mc = plan["scenarios"]["monte_carlo"]
    return SimConfig(
        pool=PoolSpec(kind=pool["model"], value=pool["deposit"], entry_price=pool["entry_price"],
                      low=pool["range_low"], high=pool["range_high"], fee_apr=pool["fee_apr"],
                      venue=pool["venue"]),
        perps=tuple(_perp(p) for p in plan["perps"]),
        covers=tuple(CoverSpec(venue=c["venue"], amount=c["amount"], premium=c["premium"] or 0.0)
                     for c in plan["covers"]),
        events=tuple(ExploitEvent(venue=e["venue"], annual_probability=e["annual_probability"],
                                  loss_share=e["loss_share"])
                     for e in plan["scenarios"]["events"] if e["kind"] == "exploit"),
        horizon_days=plan["strategy"]["horizon_days"],
        vol=mc["vol"][symbol],
        drift=mc["drift"].get(symbol, 0.0),
        paths=mc["paths"],
        steps=mc["steps"],
        seed=mc["seed"],
        gas_cost=sum(w["gas_cost_base"] or 0.0 for w in plan["wallets"]),
        grid=tuple(plan["scenarios"]["grid"]["ratios"]),
        loans=tuple(_loan(x) for x in plan.get("borrows", [])),
    )


_STABLE = ("USD", "USDC", "USDT", "DAI")
_PAR = {base: _STABLE for base in _STABLE}  # collateral counted at 1 in the base


def _loan(x: dict) -> LoanSpec:
    rules = x["close_factor"]
    return LoanSpec(amount=x["amount"], entry_price=x["entry_price"], supplied=x["supplied"],
                    liquidation_threshold=x["liquidation_threshold"], liquidation_bonus=x["liquidation_bonus"],
                    borrow_apr=x["borrow_apr"], supply_apr=x["supply_apr"], close_factor=rules["close_factor"],
                    hf_threshold=rules["hf_threshold"], full_close_below=rules["full_close_below"],
                    min_leftover=rules["min_leftover"], venue=x["venue"])


def _perp(p: dict) -> PerpSpec:
    return PerpSpec(side=p["side"], size=p["size"], collateral=p["collateral"], mmf=p["mmf"],
                    taker_fee=p["taker_fee"], liquidation_fee=p["liquidation_fee"],
                    funding_apr=p["funding_apr"], venue=p["venue"],
                    rebalance_threshold=p["rebalance_threshold"])
