"""Read a simulation plan (targets/plan.py, specs/schema/plan.schema.json)
into the engine's SimConfig. The plan is the only input: a simulator needs
neither the source file nor the catalog."""
from __future__ import annotations

from .config import AssetSpec, CoverSpec, ExploitEvent, OptionSpec, PerpSpec, PoolSpec, SimConfig
from .lending import LoanSpec


class NotSimulable(ValueError):
    """A valid plan the engine cannot run, with the reason in words."""


def config_from_plan(plan: dict) -> SimConfig:
    if not plan["pools"]:
        raise NotSimulable("the simulator measures a strategy against its pool deposits; this plan has no pool")
    for loan in plan.get("borrows", []):
        if loan["collateral_asset"] not in _STABLE:
            raise NotSimulable(f"loan `{loan['name']}` borrows against {loan['collateral_asset']}; the simulator "
                               "values collateral at par, so it needs a stablecoin")
    mc = plan["scenarios"]["monte_carlo"]
    assets = _assets(plan)
    return SimConfig(
        pools=tuple(_pool(p, plan) for p in plan["pools"]),
        perps=tuple(_perp(p) for p in plan["perps"]),
        covers=tuple(CoverSpec(venue=c["venue"], amount=c["amount"], premium=c["premium"] or 0.0)
                     for c in plan["covers"]),
        events=tuple(ExploitEvent(venue=e["venue"], annual_probability=e["annual_probability"],
                                  loss_share=e["loss_share"])
                     for e in plan["scenarios"]["events"] if e["kind"] == "exploit"),
        horizon_days=plan["strategy"]["horizon_days"],
        assets=assets,
        correlation=_correlation(mc["correlation"], [a.symbol for a in assets]),
        paths=mc["paths"],
        steps=mc["steps"],
        seed=mc["seed"],
        gas_cost=sum(w["gas_cost_base"] or 0.0 for w in plan["wallets"]),
        grid=tuple(plan["scenarios"]["grid"]["ratios"]),
        options=tuple(OptionSpec(type=o["type"], side=o["side"], size=o["size"], strike=o["strike"],
                                 expiry_days=o["expiry_days"], iv=o["iv"], deposit=o["deposit"], cash=o["cash"],
                                 coin=o["coin"], venue=o["venue"], asset=o["price_symbol"])
                      for o in plan.get("options", ())),
        loans=tuple(_loan(x) for x in plan.get("borrows", [])),
    )


def _assets(plan: dict) -> tuple[AssetSpec, ...]:
    """Every asset a pool or perp holds, in the order of the plan's volatilities."""
    mc, prices = plan["scenarios"]["monte_carlo"], plan["assumptions"]["prices"]
    entry = {o["price_symbol"]: o["entry_price"] for o in plan.get("options", ())}
    entry |= {x["price_symbol"]: x["entry_price"] for x in plan.get("borrows", ())}
    entry |= {p["price_symbol"]: p["entry_price"] for p in plan["perps"]}
    entry |= {p["price_symbol"]: p["entry_price"] for p in plan["pools"]}
    for symbol in mc["vol"]:
        if symbol not in entry and symbol not in prices:
            raise NotSimulable(f"the plan gives no price of {symbol}")
    return tuple(AssetSpec(s, entry.get(s) or prices[s], mc["vol"][s], mc["drift"].get(s, 0.0)) for s in mc["vol"])


def _correlation(correlation: dict, symbols: list[str]):
    if correlation["assets"] != symbols:
        raise NotSimulable("the plan's correlation matrix does not list the simulated assets")
    return tuple(tuple(row) for row in correlation["matrix"])


def _pool(p: dict, plan: dict) -> PoolSpec:
    """A pool in its quote token: a two-token pool's entry price is the ratio of its tokens' prices."""
    quote = p["quote_price_symbol"]
    quote_price = plan["assumptions"]["prices"][quote] if quote else 1.0
    return PoolSpec(kind=p["model"], value=p["deposit"], entry_price=p["entry_price"] / quote_price,
                    low=p["range_low"], high=p["range_high"], fee_apr=p["fee_apr"], venue=p["venue"],
                    name=p["name"], asset=p["price_symbol"], quote=quote)


_STABLE = ("USD", "USDC", "USDT", "DAI")  # collateral counted at 1 in the base


def _loan(x: dict) -> LoanSpec:
    rules = x["close_factor"]
    return LoanSpec(amount=x["amount"], entry_price=x["entry_price"], supplied=x["supplied"],
                    liquidation_threshold=x["liquidation_threshold"], liquidation_bonus=x["liquidation_bonus"],
                    borrow_apr=x["borrow_apr"], supply_apr=x["supply_apr"], close_factor=rules["close_factor"],
                    hf_threshold=rules["hf_threshold"], full_close_below=rules["full_close_below"],
                    min_leftover=rules["min_leftover"], venue=x["venue"], asset=x["price_symbol"])


def _perp(p: dict) -> PerpSpec:
    return PerpSpec(side=p["side"], size=p["size"], collateral=p["collateral"], mmf=p["mmf"],
                    taker_fee=p["taker_fee"], liquidation_fee=p["liquidation_fee"],
                    funding_apr=p["funding_apr"], venue=p["venue"],
                    rebalance_threshold=p["rebalance_threshold"], name=p["name"], asset=p["price_symbol"],
                    hedges=p["hedges"])
