"""Read a simulation plan (targets/plan.py, specs/schema/plan.schema.json)
into the engine's SimConfig. The plan is the only input: a simulator needs
neither the source file nor the catalog."""
from __future__ import annotations

from .config import CoverSpec, ExploitEvent, OptionSpec, PerpSpec, PoolSpec, SimConfig


class NotSimulable(ValueError):
    """A valid plan the engine cannot run, with the reason in words."""


def config_from_plan(plan: dict) -> SimConfig:
    pools = plan["pools"]
    if len(pools) != 1:
        raise NotSimulable(f"the simulator runs one pool per strategy; this plan has {len(pools)}")
    pool = pools[0]
    symbol = pool["price_symbol"]
    for perp in plan["perps"]:
        if perp["price_symbol"] != symbol:
            raise NotSimulable(f"perp `{perp['name']}` trades {perp['asset']}, but the pool holds {pool['asset']}:"
                               " the simulator follows one price")
    for option in plan["options"]:
        if option["price_symbol"] != symbol:
            raise NotSimulable(f"option `{option['name']}` is on {option['asset']}, but the pool holds "
                               f"{pool['asset']}: the simulator follows one price")
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
        options=tuple(OptionSpec(type=o["type"], side=o["side"], size=o["size"], strike=o["strike"],
                                 expiry_days=o["expiry_days"], iv=o["iv"], deposit=o["deposit"], cash=o["cash"],
                                 coin=o["coin"], venue=o["venue"]) for o in plan["options"]),
    )


def _perp(p: dict) -> PerpSpec:
    return PerpSpec(side=p["side"], size=p["size"], collateral=p["collateral"], mmf=p["mmf"],
                    taker_fee=p["taker_fee"], liquidation_fee=p["liquidation_fee"],
                    funding_apr=p["funding_apr"], venue=p["venue"],
                    rebalance_threshold=p["rebalance_threshold"])
