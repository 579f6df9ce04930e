"""The parameter catalog: chains, venues, markets, cover products and defaults.

The bundled catalog (``bundled.yaml``) records every protocol figure with its
source and the date it was read. Users layer their own YAML files over it
(same shape, every key optional); overlays are merged deeply, then the merged
data is checked as a whole.

Files are plain data: anchors, aliases and explicit tags are refused before
anything is constructed, so an alias bomb costs no more than reading its text.
Every file is validated against ``catalog.schema.json`` (JSON Schema 2020-12).
Problems are reported as :class:`CatalogError` naming the file and the dotted
path inside it.
"""

from __future__ import annotations

import copy
import datetime as _dt
import functools
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Iterable, Mapping, Sequence

__all__ = [
    "CatalogError",
    "Source",
    "Chain",
    "Tier",
    "Market",
    "Venue",
    "CoverProduct",
    "Default",
    "Catalog",
    "load_catalog",
    "BUNDLED_NAME",
    "DEFAULT_NAMES",
]

_PACKAGE = __name__
BUNDLED_NAME = "bundled.yaml"
_SCHEMA_NAME = "catalog.schema.json"
DOCUMENT = "<document>"
"""Path used when an error concerns a whole file rather than a place in it."""

DEFAULT_NAMES = ("gas_price_gwei", "vol", "funding_apr", "native_price", "adjustments_reserve")

_MAX_FILE_BYTES = 4 * 1024 * 1024


class CatalogError(Exception):
    """A catalog file is missing, unreadable, not plain YAML data, or invalid.

    ``file`` names the file, ``path`` is a dotted path inside it (e.g.
    ``venues.dydx.markets.BTC-USD.imf``, or ``<document>`` for the whole file)
    and ``message`` says what is wrong.
    """

    def __init__(self, file: str, path: str, message: str):
        self.file = str(file)
        self.path = path or DOCUMENT
        self.message = message
        super().__init__(f"{self.file}: at {self.path}: {self.message}")


# --------------------------------------------------------------------------
# Data model


@dataclass(frozen=True)
class Source:
    url_or_ref: str
    read: str
    verified: bool = True
    note: str | None = None


@dataclass(frozen=True)
class Chain:
    name: str
    native: str
    source: Source
    chain_id: int | str | None = None
    gas_assets: tuple[str, ...] = ()


@dataclass(frozen=True)
class Tier:
    venue: str
    name: str
    imf: float
    mmf: float
    source: Source

    @property
    def max_leverage(self) -> float:
        return 1.0 / self.imf


@dataclass(frozen=True)
class Market:
    venue: str
    name: str
    base: str
    quote: str
    imf: float
    mmf: float
    tier: str | None
    source: Source

    @property
    def max_leverage(self) -> float:
        """Largest leverage the initial margin fraction allows (1 / IMF)."""
        return 1.0 / self.imf


@dataclass(frozen=True)
class Venue:
    name: str
    kind: str  # amm | perp | cover | lending
    chain: str
    model: str | None
    deposit_required: bool
    maker_fee: float
    taker_fee: float
    liquidation_fee: float  # maximum liquidation fee, fraction of position value
    pool_fee: float
    gas: Mapping[str, int]
    cover_product: str | None  # "provider/product", e.g. "nexus_mutual/dydx"
    markets: Mapping[str, Market]
    source: Source
    tiers: Mapping[str, Tier] = field(default_factory=lambda: MappingProxyType({}))
    pool_fee_tiers: tuple[float, ...] = ()
    fee_source: Source | None = None
    gas_source: Source | None = None

    def gas_units(self, action: str) -> int | None:
        """Estimated gas units of one action, or None if the catalog has none."""
        return self.gas.get(action)


@dataclass(frozen=True)
class CoverProduct:
    provider: str
    name: str
    product_id: int
    cover_type: str
    covers: tuple[str, ...]
    min_period_days: int
    max_period_days: int
    currencies: tuple[str, ...]
    annual_price: float
    grace_days: int
    claim_deposit: float
    claim_deposit_asset: str
    source: Source
    title: str | None = None
    max_commission: float = 0.0
    price_source: Source | None = None


@dataclass(frozen=True)
class Default:
    name: str
    value: float | Mapping[str, float]
    unit: str | None
    note: str
    source: Source

    def get(self, key: str | None = None) -> float:
        """The figure; for keyed defaults the entry for ``key`` or else ``default``."""
        if not isinstance(self.value, Mapping):
            return self.value
        if key is not None and key in self.value:
            return self.value[key]
        if "default" in self.value:
            return self.value["default"]
        raise KeyError(f"default {self.name!r} has no entry for {key!r} and no 'default'")


@dataclass(frozen=True)
class Catalog:
    chains: Mapping[str, Chain]
    venues: Mapping[str, Venue]
    cover_products: Mapping[tuple[str, str], CoverProduct]
    defaults: Mapping[str, Default]
    files: tuple[str, ...]

    def chain(self, name: str) -> Chain | None:
        return self.chains.get(name)

    def venue(self, name: str) -> Venue | None:
        return self.venues.get(name)

    def market(self, venue: str, name: str) -> Market | None:
        v = self.venues.get(venue)
        return None if v is None else v.markets.get(name)

    def cover_product(self, provider: str, name: str) -> CoverProduct | None:
        return self.cover_products.get((provider, name))

    def cover_product_for(self, provider: str, venue: str) -> CoverProduct | None:
        """The product of ``provider`` whose ``covers`` include ``venue``."""
        for (prov, _), product in self.cover_products.items():
            if prov == provider and venue in product.covers:
                return product
        return None

    def providers(self) -> tuple[str, ...]:
        return tuple(sorted({prov for prov, _ in self.cover_products}))

    def default(self, name: str, key: str | None = None) -> float:
        """A fall-back figure, e.g. ``default("vol", "ETH")`` or ``default("funding_apr")``.

        Keyed defaults fall back to their ``default`` entry. Raises KeyError
        if the catalog has no such default.
        """
        return self.defaults[name].get(key)


# --------------------------------------------------------------------------
# Reading files


def _fail(file: str, path: Sequence[Any] | str, message: str) -> CatalogError:
    if not isinstance(path, str):
        path = ".".join(str(p) for p in path)
    return CatalogError(file, path, message)


def _read_text(path: Path, file: str) -> str:
    try:
        if path.stat().st_size > _MAX_FILE_BYTES:
            raise _fail(file, DOCUMENT, f"file is larger than {_MAX_FILE_BYTES} bytes")
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise _fail(file, DOCUMENT, "file not found") from None
    except IsADirectoryError:
        raise _fail(file, DOCUMENT, "is a directory, not a file") from None
    except UnicodeDecodeError as e:
        raise _fail(file, DOCUMENT, f"not UTF-8 text ({e.reason})") from None
    except OSError as e:
        raise _fail(file, DOCUMENT, f"cannot read file ({e.strerror or e})") from None


def _mark(mark: Any) -> str:
    if mark is None:
        return ""
    return f" (line {mark.line + 1}, column {mark.column + 1})"


def _check_events(yaml: Any, text: str, file: str) -> None:
    """Refuse anchors, aliases, explicit tags and multiple documents.

    Works on the event stream, before any node is composed, and stops at the
    first offence: an alias bomb is refused after reading a few lines.
    """
    from ruamel.yaml import events as ev

    # per open collection: [kind, next sequence index, expecting a key, current key]
    stack: list[list[Any]] = []
    path: list[Any] = []
    documents = 0

    def event_key(event: Any) -> Any:
        return getattr(event, "value", None) or "<key>"

    for event in yaml.parse(text):
        if isinstance(event, ev.DocumentStartEvent):
            documents += 1
            if documents > 1:
                raise _fail(file, DOCUMENT, "more than one YAML document" + _mark(event.start_mark))
            continue
        if not isinstance(event, (ev.NodeEvent, ev.CollectionEndEvent)):
            continue
        top = stack[-1] if stack else None
        is_key = top is not None and top[0] == "map" and top[2]
        if isinstance(event, ev.CollectionEndEvent):
            stack.pop()
            if path and stack:
                path.pop()
            _after_value(stack)
            continue
        # the path of this node, for messages
        where = list(path)
        if top is not None:
            where.append(top[1] if top[0] == "seq" else top[3] if not is_key else event_key(event))
        if isinstance(event, ev.AliasEvent):
            raise _fail(file, where, f"aliases (*{event.anchor}) are not allowed in a catalog"
                        + _mark(event.start_mark))
        if getattr(event, "anchor", None) is not None:
            raise _fail(file, where, f"anchors (&{event.anchor}) are not allowed in a catalog"
                        + _mark(event.start_mark))
        tag = getattr(event, "tag", None)
        if tag is not None and str(tag) not in ("!",):
            raise _fail(file, where, f"tags ({tag}) are not allowed in a catalog; write plain data"
                        + _mark(event.start_mark))
        if isinstance(event, ev.CollectionStartEvent):
            if top is not None:
                if top[0] == "seq":
                    path.append(top[1])
                elif is_key:
                    raise _fail(file, where, "mapping keys must be plain scalars" + _mark(event.start_mark))
                else:
                    path.append(top[3])
            kind = "map" if isinstance(event, ev.MappingStartEvent) else "seq"
            stack.append([kind, 0, True, None])
            continue
        # scalar
        if is_key:
            top[3] = event.value
            top[2] = False
            continue
        _after_value(stack)


def _after_value(stack: list[list[Any]]) -> None:
    if not stack:
        return
    top = stack[-1]
    if top[0] == "seq":
        top[1] += 1
    else:
        top[2] = True


def _plain(value: Any, file: str, path: tuple[Any, ...]) -> Any:
    """Normalise loaded YAML into JSON-like data (str keys, ISO date strings)."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise _fail(file, path, f"key {k!r} is not a string")
            out[k] = _plain(v, file, path + (k,))
        return out
    if isinstance(value, list):
        return [_plain(v, file, path + (i,)) for i, v in enumerate(value)]
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()[:10] if not isinstance(value, _dt.datetime) else value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        raise _fail(file, path, f"{value!r} is not a finite number")
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    raise _fail(file, path, f"unsupported value of type {type(value).__name__}")


def _parse_yaml(text: str, file: str) -> dict:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    yaml = YAML(typ="safe", pure=True)
    try:
        _check_events(yaml, text, file)
        data = yaml.load(text)
    except CatalogError:
        raise
    except MarkedYAMLError as e:
        problem = e.problem or e.context or "invalid YAML"
        raise _fail(file, DOCUMENT, f"not valid YAML: {problem}{_mark(e.problem_mark)}") from None
    except YAMLError as e:
        raise _fail(file, DOCUMENT, f"not valid YAML: {e}") from None
    if data is None:
        raise _fail(file, DOCUMENT, "the file is empty; a catalog is a YAML mapping")
    if not isinstance(data, dict):
        raise _fail(file, DOCUMENT, f"a catalog is a YAML mapping, not a {type(data).__name__}")
    return _plain(data, file, ())


# --------------------------------------------------------------------------
# Schema


def _strip_required(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _strip_required(v) for k, v in node.items() if k not in ("required", "minProperties")}
    if isinstance(node, list):
        return [_strip_required(v) for v in node]
    return node


@functools.lru_cache(maxsize=None)
def _validators() -> tuple[Any, Any]:
    """(full validator, overlay validator): the overlay schema has no required keys."""
    from importlib import resources

    from jsonschema import Draft202012Validator

    schema = json.loads(resources.files(_PACKAGE).joinpath(_SCHEMA_NAME).read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema), Draft202012Validator(_strip_required(schema))


def _first_error(validator: Any, data: dict) -> Any | None:
    from jsonschema.exceptions import best_match, relevance

    errors = list(validator.iter_errors(data))
    if not errors:
        return None
    # Prefer the deepest error (the most specific place), then jsonschema's relevance.
    deepest = max(len(e.absolute_path) for e in errors)
    return best_match([e for e in errors if len(e.absolute_path) == deepest], key=relevance)


def _validate(validator: Any, data: dict, file_of: Any) -> None:
    err = _first_error(validator, data)
    if err is None:
        return
    path = tuple(err.absolute_path)
    message = err.message
    if err.validator == "oneOf" and err.context:
        sub = min(err.context, key=lambda e: len(e.schema_path))
        message = f"{err.instance!r} is not valid here ({sub.message})"
    raise _fail(file_of(path), path, message)


# --------------------------------------------------------------------------
# Bundled data and merging


@functools.lru_cache(maxsize=None)
def _bundled() -> tuple[str, dict]:
    from importlib import resources

    res = resources.files(_PACKAGE).joinpath(BUNDLED_NAME)
    file = str(res)
    text = res.read_text(encoding="utf-8")
    cached = _validated_cache(text)
    if cached is not None and cached.is_file():
        try:
            return file, json.loads(cached.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            pass  # a damaged cache entry is rebuilt below
    data = _parse_yaml(text, file)
    full, _ = _validators()
    _validate(full, data, lambda _p: file)
    if cached is not None:
        _write_cache(cached, json.dumps(data, sort_keys=True))
    return file, data


def _validated_cache(text: str) -> Path | None:
    """Where the bundled catalog, once parsed and validated, is kept as JSON.

    Keyed by the catalog text, the schema and hedgec's version, so an edit to
    either is validated afresh; start-up then skips ruamel.yaml and jsonschema.
    """
    import hashlib
    import os
    from importlib import resources

    from hedgec import __version__

    schema = resources.files(_PACKAGE).joinpath(_SCHEMA_NAME).read_text(encoding="utf-8")
    digest = hashlib.sha256("\0".join((text, schema, __version__)).encode()).hexdigest()[:20]
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "hedgec" / f"catalog-{digest}.json"


def _write_cache(path: Path, text: str) -> None:
    import os
    import tempfile

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except OSError:
        pass  # no cache: the next run validates again


def _load_overlay(path: str | Path) -> tuple[str, dict]:
    file = str(path)
    data = _parse_yaml(_read_text(Path(path), file), file)
    _, overlay = _validators()
    _validate(overlay, data, lambda _p: file)
    return file, data


def _merge(base: dict, over: dict, index: int, origin: dict, prefix: tuple) -> None:
    """Merge ``over`` into ``base`` in place; record which file set each path."""
    for key, value in over.items():
        path = prefix + (key,)
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _merge(base[key], value, index, origin, path)
        else:
            base[key] = copy.deepcopy(value)
            # Forget older records below this path: the whole subtree is new.
            for p in [p for p in origin if p[: len(path)] == path]:
                del origin[p]
            origin[path] = index


class _Origins:
    """Which file set a given path of the merged data."""

    def __init__(self, files: tuple[str, ...], origin: dict):
        self.files = files
        self.origin = origin

    def index(self, path: Sequence[Any]) -> int:
        path = tuple(path)
        while path:
            if path in self.origin:
                return self.origin[path]
            path = path[:-1]
        return 0

    def file(self, path: Sequence[Any]) -> str:
        return self.files[self.index(path)]

    def latest(self, *paths: Sequence[Any]) -> tuple[str, tuple]:
        """The file and path, among ``paths``, that was set last (ties: last listed)."""
        best = max(range(len(paths)), key=lambda i: (self.index(paths[i]), i))
        return self.files[self.index(paths[best])], tuple(paths[best])


# --------------------------------------------------------------------------
# Building the model with semantic checks


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
                     gas_assets=tuple(c.get("gas_assets") or (c["native"],))))
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


def _check_margin(org: _Origins, imf_path: tuple, mmf_path: tuple, imf: float, mmf: float) -> None:
    if not mmf < imf:
        f, path = org.latest(imf_path, mmf_path)
        raise _fail(f, path, f"maintenance margin fraction (mmf {mmf:g}) must be less than "
                    f"the initial margin fraction (imf {imf:g})")
    if imf > 1:
        raise _fail(org.file(imf_path), imf_path, f"imf {imf:g} exceeds 1")


# --------------------------------------------------------------------------
# Public entry point


@functools.lru_cache(maxsize=1)
def _bundled_catalog() -> Catalog:
    file, data = _bundled()
    return _build(data, _Origins((file,), {}))


def load_catalog(overlays: Sequence[str | Path] = ()) -> Catalog:
    """Load the bundled catalog with ``overlays`` merged over it, in order.

    Raises CatalogError naming the offending file and the path inside it.
    Without overlays the result is cached; overlays are read on every call.
    """
    if isinstance(overlays, (str, Path)):
        overlays = (overlays,)
    if not overlays:
        return _bundled_catalog()
    bundled_file, bundled = _bundled()
    files = [bundled_file]
    data = copy.deepcopy(bundled)
    origin: dict = {}
    for i, path in enumerate(overlays, start=1):
        file, over = _load_overlay(path)
        files.append(file)
        _merge(data, over, i, origin, ())
    org = _Origins(tuple(files), origin)
    full, _ = _validators()
    _validate(full, data, org.file)
    return _build(data, org)
