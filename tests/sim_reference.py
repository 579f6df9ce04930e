"""Scalar reference for the simulation engine: plain loops over paths and steps.

Written from the rules in hedgec.simulation.engine's docstring and the
pool formulas in docs, sharing no code with the engine, to cross-check it.
"""
import math


def pool_value_and_delta(spec, liquidity, price):
    if spec.kind == "v2":
        value = spec.value * math.sqrt(price / spec.entry_price)
        return value, value / (2.0 * price)
    sa, sb = math.sqrt(spec.low), math.sqrt(spec.high)
    sp = min(max(math.sqrt(price), sa), sb)
    amount0 = liquidity * (1.0 / sp - 1.0 / sb)
    amount1 = liquidity * (sp - sa)
    return amount0 * price + amount1, amount0


def v3_liquidity(spec):
    sa, sb, sp = math.sqrt(spec.low), math.sqrt(spec.high), math.sqrt(spec.entry_price)
    sp = min(max(sp, sa), sb)
    unit_value = (1.0 / sp - 1.0 / sb) * spec.entry_price + (sp - sa)
    return spec.value / unit_value


def reference_path(config, prices, exploit_steps, dt):
    """Simulate one path; ``prices[0]`` is the entry price."""
    pool = config.pool
    liquidity = v3_liquidity(pool) if pool.kind == "v3" else None
    _, delta0 = pool_value_and_delta(pool, liquidity, pool.entry_price)
    scale, fees, cover_paid, exploit_loss = 1.0, 0.0, 0.0, 0.0
    cover_left = [c.amount for c in config.covers]
    perps = []
    for spec in config.perps:
        s = (-1.0 if spec.side == "short" else 1.0) * spec.size
        fee = spec.taker_fee * spec.size * pool.entry_price
        perps.append({"spec": spec, "S": s, "Q": spec.collateral - fee - s * pool.entry_price,
                      "ratio": s / delta0, "live": True, "residual": 0.0, "funding": 0.0, "fees": fee})
    liq_step, rebalances = -1, 0
    for t in range(1, len(prices)):
        p = prices[t]
        value, delta = pool_value_and_delta(pool, liquidity, p)
        in_range = pool.kind == "v2" or pool.low <= p <= pool.high
        if in_range:
            fees += pool.fee_apr * dt * value * scale
        for perp in perps:
            spec = perp["spec"]
            pay = perp["S"] * p * spec.funding_apr * dt
            perp["Q"] -= pay
            perp["funding"] += pay
            equity = perp["Q"] + perp["S"] * p
            if equity < spec.mmf * abs(perp["S"]) * p:
                perp["residual"] = max(0.0, equity - spec.liquidation_fee * abs(perp["S"]) * p)
                perp["S"], perp["Q"], perp["live"] = 0.0, 0.0, False
                if liq_step < 0:
                    liq_step = t
            if spec.rebalance_threshold is not None and perp["live"]:
                trade = delta * scale * perp["ratio"] - perp["S"]
                if abs(trade) > spec.rebalance_threshold * spec.size:
                    fee = spec.taker_fee * abs(trade) * p
                    perp["Q"] -= trade * p + fee
                    perp["S"] += trade
                    perp["fees"] += fee
                    rebalances += 1
        for e, event in enumerate(config.events):
            if exploit_steps[e] != t:
                continue
            loss = 0.0
            if event.venue == pool.venue:
                loss += event.loss_share * value * scale
                scale *= 1.0 - event.loss_share
            for perp, spec in zip(perps, config.perps):
                if spec.venue == event.venue:
                    taken = event.loss_share * max(perp["Q"] + perp["S"] * p, 0.0)
                    perp["Q"] -= taken
                    loss += taken
            exploit_loss += loss
            for c, cover in enumerate(config.covers):
                if cover.venue == event.venue:
                    paid = min(loss, cover_left[c])
                    cover_left[c] -= paid
                    cover_paid += paid
                    loss -= paid
    p = prices[-1]
    value, _ = pool_value_and_delta(pool, liquidity, p)
    pool_pnl = value * scale - pool.value
    perp_pnl = sum(x["Q"] + x["S"] * p + x["residual"] - s.collateral for x, s in zip(perps, config.perps))
    costs = sum(c.premium for c in config.covers) + config.gas_cost
    return {
        "pool_pnl": pool_pnl, "fees": fees, "perp_pnl": perp_pnl,
        "funding": sum(x["funding"] for x in perps), "trade_fees": sum(x["fees"] for x in perps),
        "cover_paid": cover_paid, "exploit_loss": exploit_loss, "liq_step": liq_step,
        "rebalances": rebalances, "net": pool_pnl + fees + perp_pnl + cover_paid - costs,
    }


def reference_run(config, price_paths, exploit_steps, dt):
    """One dict per path; ``exploit_steps[e][i]`` is when event e hits path i."""
    n_events = len(config.events)
    return [
        reference_path(config, list(path), [exploit_steps[e][i] for e in range(n_events)], dt)
        for i, path in enumerate(price_paths)
    ]
