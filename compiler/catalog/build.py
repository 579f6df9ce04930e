"""Building the catalog model from merged data, with the checks a schema cannot express."""
from __future__ import annotations

from types import MappingProxyType
from typing import Any, Iterable, Mapping, Sequence

from .model import (Catalog, CatalogError, Chain, CloseFactorRules, CoverProduct, Default, DeliveryFee,
                    LendingRates, LendingReserve, Market, OptionMarket, Source, Tier, Venue)
from .files import _fail
from .merge import _Origins



def _source(d: Mapping[str, Any]) -> Source:
    return Source(url_or_ref=d["source"], read=d["read"], verified=bool(d.get("verified", True)),
                  note=d.get("note"))


def _frozen(items: Iterable[tuple[Any, Any]]) -> Mapping:
    return MappingProxyType(dict(sorted(items, key=lambda kv: kv[0])))


def _build(data: dict, org: _Origins) -> Catalog:
    def err(path: Sequence[Any], message: str) -> CatalogError:
        return _fail(org.file(path), path, message)

    chains = _frozen(
        (name, Chain(name=name, native=c["native"], source=_source(c), chain_id=c.get("chain_id"),
                     gas_assets=tuple(c.get("gas_assets") or (c["native"],)), bridge_in=c.get("bridge_in")))
        for name, c in data["chains"].items()
    )

    # cover products first: venues refer to them
    products: dict[tuple[str, str], CoverProduct] = {}
    for provider, items in data["cover_products"].items():
        for name, p in items.items():
            base = ("cover_products", provider, name)
            for i, v in enumerate(p["covers"]):
                if v not in data["venues"]:
                    raise err(base + ("covers", i), f"unknown venue {v!r}; known venues: "
                              + ", ".join(sorted(data["venues"])))
            if p["min_period_days"] > p["max_period_days"]:
                f, path = org.latest(base + ("max_period_days",), base + ("min_period_days",))
                raise _fail(f, path, f"min_period_days {p['min_period_days']} exceeds "
                            f"max_period_days {p['max_period_days']}")
            products[(provider, name)] = CoverProduct(
                provider=provider, name=name, product_id=p["id"], cover_type=p["type"],
                covers=tuple(p["covers"]), min_period_days=p["min_period_days"],
                max_period_days=p["max_period_days"], currencies=tuple(p["currencies"]),
                annual_price=float(p["pricing"]["annual_price"]), grace_days=p["grace_days"],
                claim_deposit=float(p["claim_deposit"]["amount"]),
                claim_deposit_asset=p["claim_deposit"]["asset"], source=_source(p),
                title=p.get("title"), max_commission=float(p["max_commission"]),
                price_source=_source(p["pricing"]))

    venues: dict[str, Venue] = {}
    for name, v in data["venues"].items():
        base = ("venues", name)
        if v["chain"] not in data["chains"]:
            raise err(base + ("chain",), f"unknown chain {v['chain']!r}; known chains: "
                      + ", ".join(sorted(data["chains"])))
        for chain in v.get("deployments") or {}:
            if chain not in data["chains"]:
                raise err(base + ("deployments", chain), f"unknown chain {chain!r}; known chains: "
                          + ", ".join(sorted(data["chains"])))
        ref = v.get("cover_product")
        if ref is not None:
            provider, _, pname = ref.partition("/")
            product = products.get((provider, pname))
            if product is None:
                raise err(base + ("cover_product",), f"unknown cover product {ref!r}")
            if name not in product.covers:
                raise err(base + ("cover_product",),
                          f"cover product {ref!r} does not list {name!r} in its covers")
        if v["kind"] == "amm" and v.get("model") is None:
            raise err(base, "an amm venue needs a model (constant_product or concentrated)")

        tiers: dict[str, Tier] = {}
        for tname, t in (v.get("tiers") or {}).items():
            tpath = base + ("tiers", tname)
            _check_margin(org, tpath + ("imf",), tpath + ("mmf",), t["imf"], t["mmf"])
            tiers[tname] = Tier(venue=name, name=tname, imf=float(t["imf"]), mmf=float(t["mmf"]),
                                source=_source(t))

        markets: dict[str, Market] = {}
        for mname, m in (v.get("markets") or {}).items():
            mpath = base + ("markets", mname)
            tier = m.get("tier")
            imf_path, mmf_path = mpath + ("imf",), mpath + ("mmf",)
            if tier is not None:
                if tier not in tiers:
                    raise err(mpath + ("tier",), f"unknown tier {tier!r} of venue {name!r}; known tiers: "
                              + (", ".join(sorted(tiers)) or "none"))
                tpath = base + ("tiers", tier)
                if "imf" not in m:
                    imf_path = tpath + ("imf",)
                if "mmf" not in m:
                    mmf_path = tpath + ("mmf",)
                imf = float(m.get("imf", tiers[tier].imf))
                mmf = float(m.get("mmf", tiers[tier].mmf))
            else:
                missing = [k for k in ("imf", "mmf") if k not in m]
                if missing:
                    raise err(mpath, f"market needs a tier or both imf and mmf (missing {', '.join(missing)})")
                imf, mmf = float(m["imf"]), float(m["mmf"])
            _check_margin(org, imf_path, mmf_path, imf, mmf)
            mbase, _, mquote = mname.partition("-")
            markets[mname] = Market(venue=name, name=mname, base=m.get("base", mbase),
                                    quote=m.get("quote", mquote), imf=imf, mmf=mmf, tier=tier,
                                    source=_source(m))
        if v["kind"] == "perp" and not markets:
            raise err(base, "a perp venue needs at least one market")
        option_markets = _option_markets(name, v, base, err)
        delivery = v.get("delivery_fee")

        reserves, liquidation = _lending(name, v, base, err, org)

        fees = v.get("fees") or {}
        gas = v.get("gas") or {}
        venues[name] = Venue(
            name=name, kind=v["kind"], chain=v["chain"], model=v.get("model"),
            deposit_required=bool(v.get("deposit_required", False)),
            maker_fee=float(fees.get("maker", 0.0)), taker_fee=float(fees.get("taker", 0.0)),
            liquidation_fee=float(fees.get("liquidation_max", 0.0)),
            pool_fee=float(v.get("pool_fee", 0.0)),
            gas=_frozen((k, int(u)) for k, u in (gas.get("units") or {}).items()),
            cover_product=ref, markets=_frozen(markets.items()), source=_source(v),
            tiers=_frozen(tiers.items()),
            pool_fee_tiers=tuple(sorted(float(x) for x in v.get("pool_fee_tiers", ()))),
            fee_source=_source(fees) if fees else None,
            gas_source=_source(gas) if gas else None,
            custodial=bool(v.get("custodial", False)),
            option_markets=_frozen(option_markets.items()),
            premium_cap=None if fees.get("premium_cap") is None else float(fees["premium_cap"]),
            delivery_fee=None if delivery is None else DeliveryFee(
                rate=float(delivery["rate"]), source=_source(delivery),
                premium_cap=None if delivery.get("premium_cap") is None else float(delivery["premium_cap"])),
            reserves=_frozen(reserves.items()), liquidation=liquidation,
            deployments=_frozen((c, _source(d)) for c, d in sorted((v.get("deployments") or {}).items())),
        )

    defaults: dict[str, Default] = {}
    for dname, d in data["defaults"].items():
        value = d["value"]
        if isinstance(value, dict):
            value = _frozen((k, float(x)) for k, x in value.items())
        else:
            value = float(value)
        defaults[dname] = Default(name=dname, value=value, unit=d.get("unit"), note=d["note"],
                                  source=_source(d))
    for keyed in ("vol", "gas_price_gwei"):
        if not isinstance(defaults[keyed].value, Mapping) or "default" not in defaults[keyed].value:
            raise err(("defaults", keyed, "value"), "needs a mapping with a 'default' entry")
    prices = defaults["native_price"].value
    if not isinstance(prices, Mapping):
        raise err(("defaults", "native_price", "value"), "needs a mapping of asset to price")
    for cname, c in chains.items():
        for asset in (c.native,):
            if asset not in prices:
                raise err(("chains", cname, "native"),
                          f"no reference price for {asset!r} in defaults.native_price")

    return Catalog(chains=chains, venues=_frozen(venues.items()),
                   cover_products=_frozen(products.items()), defaults=_frozen(defaults.items()),
                   files=org.files)


def _option_markets(name: str, v: Mapping[str, Any], base: tuple, err) -> dict[str, OptionMarket]:
    """The option markets of venue ``name``; option keys belong to options venues only."""
    if v["kind"] != "options":
        misplaced = [key for key in ("option_markets", "delivery_fee") if key in v]
        if "premium_cap" in (v.get("fees") or {}):
            misplaced.append("fees.premium_cap")
        if misplaced:
            raise err(base + tuple(misplaced[0].split(".")),
                      f"only an options venue has {misplaced[0]} (this one is of kind {v['kind']!r})")
        return {}
    markets: dict[str, OptionMarket] = {}
    for underlying, m in (v.get("option_markets") or {}).items():
        if m["settlement"] == "inverse" and m["settle_asset"] != underlying:
            raise err(base + ("option_markets", underlying, "settle_asset"),
                      f"an inverse option on {underlying} settles in {underlying}, not {m['settle_asset']!r}")
        markets[underlying] = OptionMarket(
            venue=name, underlying=underlying, settlement=m["settlement"], settle_asset=m["settle_asset"],
            contract_size=float(m["contract_size"]), style=m["style"], exercise=m["exercise"],
            source=_source(m), expiry_utc=m.get("expiry_utc"),
            min_size=None if m.get("min_size") is None else float(m["min_size"]),
            tick=None if m.get("tick") is None else float(m["tick"]))
    if not markets:
        raise err(base, "an options venue needs at least one option market (option_markets)")
    return markets


def _check_margin(org: _Origins, imf_path: tuple, mmf_path: tuple, imf: float, mmf: float) -> None:
    if not mmf < imf:
        f, path = org.latest(imf_path, mmf_path)
        raise _fail(f, path, f"maintenance margin fraction (mmf {mmf:g}) must be less than "
                    f"the initial margin fraction (imf {imf:g})")
    if imf > 1:
        raise _fail(org.file(imf_path), imf_path, f"imf {imf:g} exceeds 1")


def _lending(name: str, v: Mapping[str, Any], base: tuple, err: Any, org: _Origins
             ) -> tuple[dict[str, LendingReserve], CloseFactorRules | None]:
    """A lending venue's reserves and close factor rules, checked as Aave's PoolConfigurator does."""
    if v["kind"] != "lending":
        for key in ("reserves", "liquidation"):
            if key in v:
                raise err(base + (key,), f"only a lending venue has {key} (this one is {v['kind']!r})")
        return {}, None
    if not v.get("reserves"):
        raise err(base, "a lending venue needs at least one reserve")
    if "liquidation" not in v:
        raise err(base, "a lending venue needs its liquidation (close factor) rules")
    reserves: dict[str, LendingReserve] = {}
    for asset, r in v["reserves"].items():
        rpath = base + ("reserves", asset)
        ltv, lt, bonus = float(r["ltv"]), float(r["liquidation_threshold"]), float(r["liquidation_bonus"])
        # PoolConfigurator.configureReserveAsCollateral: ltv <= threshold; a collateral's
        # threshold x (1 + bonus) <= 100%; no threshold, no bonus
        if ltv > lt:
            f, path = org.latest(rpath + ("ltv",), rpath + ("liquidation_threshold",))
            raise _fail(f, path, f"ltv {ltv:g} exceeds the liquidation threshold {lt:g}")
        if lt * (1 + bonus) > 1 + 1e-12:
            f, path = org.latest(rpath + ("liquidation_threshold",), rpath + ("liquidation_bonus",))
            raise _fail(f, path, f"liquidation threshold x (1 + bonus) = {lt * (1 + bonus):g} exceeds 1: "
                        "a liquidation would need more collateral than the position holds")
        if lt == 0 and bonus != 0:
            raise err(rpath + ("liquidation_bonus",), "a reserve that is not collateral (threshold 0) has no bonus")
        rates = r["rates"]
        if rates["slope1"] > rates["slope2"]:
            f, path = org.latest(rpath + ("rates", "slope1"), rpath + ("rates", "slope2"))
            raise _fail(f, path, f"slope1 {rates['slope1']:g} exceeds slope2 {rates['slope2']:g}")
        if rates["base"] + rates["slope1"] + rates["slope2"] > 10:
            raise err(rpath + ("rates",), "base + slope1 + slope2 exceeds the 1000% maximum borrow rate")
        reserves[asset] = LendingReserve(
            venue=name, asset=asset, ltv=ltv, liquidation_threshold=lt,
            liquidation_bonus=bonus,
            rates=LendingRates(base=float(rates["base"]), slope1=float(rates["slope1"]),
                               slope2=float(rates["slope2"]), optimal=float(rates["optimal"]),
                               reserve_factor=float(rates["reserve_factor"]), source=_source(rates)),
            utilization=float(r["utilization"]["value"]), utilization_source=_source(r["utilization"]),
            source=_source(r))
    q = v["liquidation"]
    rules = CloseFactorRules(close_factor=float(q["close_factor"]),
                             hf_threshold=float(q["close_factor_hf_threshold"]),
                             full_close_below_usd=float(q["full_close_below_usd"]),
                             min_leftover_usd=float(q["min_leftover_usd"]), source=_source(q))
    return reserves, rules
