"""Lower the raw syntax tree to the typed IR, checking keys and value forms."""
from __future__ import annotations

import re
from decimal import Decimal

from . import diagnostics as diag
from . import correlation, ir, syntax
from .kinds import KINDS
from .schema import ASSUME, FORMS, STRATEGY, SUBJECTS, Key, block_kinds, shown
from .source import Span
from .units import Amount

MAX_MAGNITUDE = Decimal("1e15")
MIN_MAGNITUDE = Decimal("1e-15")  # nonzero numbers below it underflow in the formulas (1e-320 is denormal)
MAX_DIGITS = 18
DURATION_DAYS = {"d": 1.0, "h": 1 / 24, "w": 7.0, "y": 365.0}
ASSET = re.compile(r"^[A-Za-z][A-Za-z0-9]{0,11}$")
MARKET = re.compile(r"^[A-Z0-9]+-[A-Z0-9]+$")


class Problem(Exception):
    """A value that does not fit its key; becomes an H104 or H006 diagnostic."""

    def __init__(self, message: str, span: Span, hint: str | None = None, code: str = "H104"):
        super().__init__(message)
        self.message, self.span, self.hint, self.code = message, span, hint, code


def lower(tree: syntax.SyntaxTree, path: str) -> tuple[ir.Strategy | None, list[diag.Diagnostic]]:
    """The strategy in `tree`, or None when it is too broken to use."""
    problems: list[diag.Diagnostic] = []
    strategies = [b for b in tree.blocks if b.kind == "strategy"]
    for block in tree.blocks:
        if block.kind != "strategy":
            problems.append(diag.make("H101", f"unknown top-level block `{block.kind}`", block.head_span,
                                      hint="a file holds one `strategy NAME { ... }` block"))
    if not strategies:
        if not tree.blocks:
            return None, [diag.make("H003", "the file holds no strategy", Span.point(path, 1, 1),
                                    hint="write `strategy NAME { ... }`")]
        return None, problems
    for extra in strategies[1:]:
        problems.append(diag.make("H113", f"a second strategy `{extra.name}` in one file",
                                  extra.head_span, hint="move it to its own .hedge file"))
    return _strategy(strategies[0], problems), problems


def _strategy(block: syntax.Block, problems: list) -> ir.Strategy | None:
    fields, spans = _fields(block, STRATEGY, problems)
    kinds = block_kinds()
    children: dict[str, list] = {kind: [] for kind in kinds}
    for child in block.blocks:
        if child.kind not in children:
            problems.append(diag.make("H101", f"unknown block `{child.kind}`", child.head_span,
                                      hint=diag.did_you_mean(child.kind, kinds)))
            continue
        children[child.kind].append(child)
    assume = _assume(children["assume"], problems)
    blocks = tuple(leg for kind in KINDS for leg in filter(None, (_leg(b, problems) for b in children[kind])))
    built = {b.name for b in blocks}
    partial = {b.name: b.kind for kind in KINDS for b in children[kind] if b.name and b.name not in built}
    name = block.name or "strategy"
    if block.name is None:
        problems.append(diag.make("H103", "the strategy has no name", block.head_span,
                                  hint="write `strategy NAME { ... }`"))
    if "horizon" not in fields:
        return None
    return ir.Strategy(name=name, horizon=fields["horizon"], base=fields.get("base", "USDC"),
                       assume=assume, blocks=blocks, title=fields.get("title"), partial=partial,
                       span=block.head_span, spans=spans)


_FIELD_NAMES = {"from": "source"}  # keys that are Python keywords


def _leg(block: syntax.Block, problems: list):
    if block.name is None:
        problems.append(diag.make("H103", f"a `{block.kind}` block needs a name", block.head_span,
                                  hint=f"write `{block.kind} NAME {{ ... }}`"))
        return None
    for nested in block.blocks:
        problems.append(diag.make("H101", f"`{block.kind}` blocks hold no nested `{nested.kind}` block",
                                  nested.head_span))
    kind = KINDS[block.kind]
    fields, spans = _fields(block, kind.keys, problems)
    # A leg missing a required value was reported above and is left out of the IR.
    if any(key.required and name not in fields for name, key in kind.keys.items()):
        return None
    kwargs = {_FIELD_NAMES.get(k, k): v for k, v in fields.items()}
    return kind.ir_class(name=block.name, span=block.head_span, spans=spans, **kwargs)


def _fields(block: syntax.Block, keys: dict[str, Key], problems: list) -> tuple[dict, dict]:
    """Convert each attribute; report unknown, duplicate, invalid and missing keys."""
    fields, spans = {}, {}
    for attr in block.attributes:
        if attr.key in spans:
            problems.append(diag.make("H105", f"`{attr.key}` is given twice in `{_head(block)}`",
                                      attr.key_span, notes=(f"first given at {spans[attr.key]}",)))
            continue
        spans[attr.key] = attr.span
        key = keys.get(attr.key)
        if key is None:
            problems.append(diag.make("H102", f"`{block.kind}` has no key `{attr.key}`", attr.key_span,
                                      hint=diag.did_you_mean(attr.key, keys) or _known(keys)))
            continue
        try:
            fields[attr.key] = in_domain(key, convert(key, attr.value), attr.value.span, problems)
        except Problem as p:
            problems.append(diag.make(p.code, f"`{attr.key}`: {p.message}", p.span, hint=p.hint))
    for name, key in keys.items():
        if key.required and name not in spans:
            problems.append(diag.make("H103", f"`{_head(block)}` needs `{name}`", block.head_span,
                                      hint=f"add `{name} = ...`: {key.doc}"))
    return fields, spans


def in_domain(key: Key, value, span: Span, problems: list):
    """`value` if its magnitude lies in the key's domain; raises for the impossible
    and records a warning (H117) for the implausible."""
    if key.domain is None:
        return value
    magnitude = magnitude_of(value)
    problem = key.domain.problem(magnitude)
    if problem is not None:
        d = key.domain
        raise Problem(problem.format(low=shown(key.form, d.low or 0.0), high=shown(key.form, d.high or 0.0))
                      + f", not {shown(key.form, magnitude)}", span)
    if key.domain.implausible(magnitude):
        problems.append(diag.make("H117", f"{shown(key.form, magnitude)} is far outside what strategies use "
                                          f"(above {shown(key.form, key.domain.plausible)})", span,
                                  hint="check the value; `# hedgec: ignore[H117]` if it is meant"))
    return value


def magnitude_of(value) -> float:
    """The number a typed value carries, in its own unit."""
    for attribute in ("value", "days", "gwei"):
        if hasattr(value, attribute):
            return getattr(value, attribute)
    return float(value)


def _head(block: syntax.Block) -> str:
    return f"{block.kind} {block.name}" if block.name else block.kind


def _known(keys) -> str:
    return "known keys: " + ", ".join(f"`{k}`" for k in keys)


def _assume(blocks: list[syntax.Block], problems: list) -> ir.Assumptions:
    if not blocks:
        return ir.Assumptions()
    for extra in blocks[1:]:
        problems.append(diag.make("H105", "a second `assume` block", extra.head_span,
                                  hint="merge the assumptions into one block"))
    block = blocks[0]
    tables = {"price": {}, "vol": {}, "funding": {}, "drift": {}, "iv": {}, "corr": {}, "borrow_rate": {},
              "supply_rate": {}}
    corr_spans, corr_written = {}, {}
    gas_price, spans = None, {}
    for attr in block.attributes:
        prefix, _, subject = attr.key.partition(".")
        key = ASSUME.get(prefix)
        if key is None or (prefix == "gas_price") == bool(subject):
            problems.append(diag.make("H116", f"`assume` has no key `{attr.key}`", attr.key_span,
                                      hint=diag.did_you_mean(prefix, ASSUME) or _known(
                                          {f"{p}.X" if p != "gas_price" else p: 0 for p in ASSUME})))
            continue
        if attr.key in spans:
            problems.append(diag.make("H105", f"`{attr.key}` is assumed twice", attr.key_span))
            continue
        spans[attr.key] = attr.span
        shape = _subject_problem(prefix, subject)
        if shape is not None:
            problems.append(diag.make("H116", f"`{attr.key}`: {shape}", attr.key_span,
                                      hint=f"write `{ASSUME[prefix].doc.split('`')[1].split(' =')[0]}`"))
            continue
        try:
            value = in_domain(key, convert(key, attr.value), attr.value.span, problems)
        except Problem as p:
            problems.append(diag.make(p.code, f"`{attr.key}`: {p.message}", p.span, hint=p.hint))
            continue
        if prefix == "gas_price":
            gas_price = value
        elif prefix == "corr":
            pair = correlation.key(subject)
            if pair is None or pair in corr_spans:
                problems.append(diag.make("H104" if pair is None else "H105", f"`{attr.key}`: " + (
                    "expected two different assets, e.g. `corr.BTC.ETH`" if pair is None else
                    f"the correlation of {pair.replace('.', ' and ')} is given twice"), attr.key_span))
                continue
            tables["corr"][pair], corr_spans[pair], corr_written[pair] = value, attr.span, attr.key
        else:
            tables[prefix][subject] = value
    for nested in block.blocks:
        problems.append(diag.make("H101", "`assume` holds no nested blocks", nested.head_span))
    contradiction = correlation.not_positive_definite(tables["corr"], corr_spans, corr_written)
    if contradiction is not None:
        problems.append(contradiction)
    return ir.Assumptions(prices=tables["price"], vols=tables["vol"], funding=tables["funding"],
                          drift=tables["drift"], ivs=tables["iv"], correlations=tables["corr"],
                          borrow_rate=tables["borrow_rate"], supply_rate=tables["supply_rate"], gas_price=gas_price, span=block.head_span, spans=spans)



def _subject_problem(prefix: str, subject: str) -> str | None:
    """Why the subject of `prefix.subject` has the wrong shape, or None."""
    wanted = SUBJECTS.get(prefix)
    if wanted == "market" and not MARKET.match(subject):
        return f"`{prefix}` is assumed per perp market (BASE-QUOTE), not `{subject}`"
    if wanted == "asset" and not ASSET.match(subject):
        return f"`{prefix}` is assumed per asset, not `{subject}`"
    return None


# ---- values -----------------------------------------------------------------

def number(num: syntax.Number, *, signed: bool = False, allow_zero: bool = False) -> float:
    """The float a number literal denotes, refusing what no strategy means."""
    try:
        value = Decimal(num.text)
    except ArithmeticError:  # InvalidOperation, or Overflow for an exponent like 1e9999999
        raise Problem(f"`{num.text}` is not a number", num.span, code="H006") from None
    if not value.is_finite() or value.copy_abs() >= MAX_MAGNITUDE:  # copy_abs: abs() rounds, and may overflow
        raise Problem(f"`{num.text}` is out of range (numbers must be below 1e15)", num.span, code="H006")
    if value and value.copy_abs() < MIN_MAGNITUDE:
        raise Problem(f"`{num.text}` is too small (nonzero numbers must be at least 1e-15)", num.span,
                      code="H006")
    if len(value.as_tuple().digits) > MAX_DIGITS:
        raise Problem(f"`{num.text}` has more than {MAX_DIGITS} digits", num.span, code="H006")
    if value == 0 and num.text.startswith("-"):
        raise Problem("`-0` is a signed zero", num.span, hint="write `0`", code="H006")
    if value < 0 and not signed:
        raise Problem(f"`{num.text}` must not be negative", num.span, code="H006")
    if value == 0 and not allow_zero:
        raise Problem("must be greater than zero", num.span, code="H006")
    return float(value)


def _expect(key: Key, value, message: str | None = None):
    return Problem(message or f"expected {FORMS[key.form]}", value.span)


def _quantity(key: Key, value, suffix: str | None, units: tuple | None = None) -> syntax.Quantity:
    """The value as a Quantity written with `suffix` and one of `units` (None: no word)."""
    if not isinstance(value, syntax.Quantity) or value.suffix != suffix:
        raise _expect(key, value)
    if units is not None and value.unit not in units:
        raise _expect(key, value)
    return value


def _asset(key: Key, word: str | None, span: Span) -> str:
    if word is None or not ASSET.match(word):
        raise Problem(f"expected {FORMS[key.form]}", span)
    return word


def convert(key: Key, value):
    """The typed IR value for `value` written under `key`."""
    form = key.form
    if form == "amount" or form == "price":
        q = _quantity(key, value, None)
        allow_zero = form == "amount"
        return Amount(number(q.number, allow_zero=allow_zero), _asset(key, q.unit, q.span))
    if form == "leverage":
        return ir.Leverage(number(_quantity(key, value, "x", (None,)).number))
    if form == "number":
        return number(_quantity(key, value, None, (None,)).number)
    if form in ("percent", "rebalance"):
        q = _quantity(key, value, "%", (None,))
        return number(q.number, allow_zero=True) / 100
    if form == "rate":
        q = _quantity(key, value, "%", ("apr",))
        return number(q.number, signed=True, allow_zero=True) / 100
    if form == "percent_or_rate":
        q = _quantity(key, value, "%", (None, "apr"))
        return number(q.number, allow_zero=True) / 100
    if form == "correlation":
        q = _quantity(key, value, value.suffix if isinstance(value, syntax.Quantity) and value.suffix == "%"
                      else None, (None,))
        rho = number(q.number, signed=True, allow_zero=True) / (100 if q.suffix == "%" else 1)
        if not -1 <= rho <= 1:
            raise Problem(f"`{q.number.text}{q.suffix or ''}` is not a correlation: it lies in [-1, 1] "
                          "(or -100% .. 100%)", q.span)
        return rho
    if form == "duration":
        if not isinstance(value, syntax.Quantity) or value.suffix not in DURATION_DAYS or value.unit:
            raise _expect(key, value)
        return ir.Duration(number(value.number) * DURATION_DAYS[value.suffix])
    if form == "gas_price":
        return ir.GasPrice(number(_quantity(key, value, None, ("gwei",)).number))
    if form == "range":
        if not isinstance(value, syntax.Range):
            raise _expect(key, value)
        low, high = number(value.low), number(value.high)
        if low >= high:
            raise Problem(f"the range is empty: {value.low.text} is not below {value.high.text}", value.span)
        return ir.PriceRange(low, high, _asset(key, value.unit, value.span))
    if form == "pair":
        if not isinstance(value, syntax.Pair):
            raise _expect(key, value)
        return ir.Pair(value.base, value.quote)
    if form == "order":
        return _order(key, value)
    if form == "option_size":
        return _option_size(key, value)
    if not isinstance(value, syntax.Ident | syntax.String) or (form != "text") == isinstance(value, syntax.String):
        raise _expect(key, value)
    if form == "text":
        return value.value
    if form == "market" and not MARKET.match(value.name):
        raise _expect(key, value)
    if form == "asset":
        return _asset(key, value.name, value.span)
    if form == "choice" and value.name not in key.choices:
        raise Problem(f"`{value.name}` is not one of " + ", ".join(f"`{c}`" for c in key.choices),
                      value.span, hint=diag.did_you_mean(value.name, key.choices))
    if form == "ref":
        return ir.Ref(value.name)
    return value.name


def _option_size(key: Key, value) -> Amount | ir.Sizing:
    """`0.5 ETH` (more than zero), or `bounds Kx` with K > 1."""
    if isinstance(value, syntax.Tagged) and value.tag == "bounds":
        k = number(_quantity(key, value.quantity, "x", (None,)).number)
        if k <= 1:
            raise Problem(f"the band 1/{k:g} .. {k:g} is empty: `bounds` takes a factor above 1x",
                          value.quantity.span, hint="e.g. `bounds 2x` for the band 0.5x .. 2x of the entry price")
        return ir.Sizing("bounds", k)
    q = _quantity(key, value, None)
    return Amount(number(q.number), _asset(key, q.unit, q.span))


def _order(key: Key, value) -> ir.Order:
    if isinstance(value, syntax.Ident) and value.name == "market":
        return ir.Order("market")
    if isinstance(value, syntax.Tagged) and value.tag == "limit":
        price = convert(Key("price", ""), value.quantity)
        return ir.Order("limit", price)
    raise _expect(key, value)
