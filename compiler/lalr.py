"""The LALR loop that runs the grammar's parse table over the scanner's tokens.

lark builds the table from grammar/hedge.lark; `Table.from_lark` keeps what
the loop needs as plain data (states, and per rule which children the tree
builder gets), which syntax.py caches as JSON beside lark's own cache. A check
then parses without importing lark, which is loaded only to build the table
once. A syntax error is an `UnexpectedToken` with the expected set lark's own
parser reports (tests/test_lalr.py compares the two on fuzzed input).

The children a rule hands its builder follow lark's tree builder with
`maybe_placeholders`: anonymous and `_`-named terminals are left out, an absent
`[optional]` is None, and rules whose name starts with `_` (lark's repetition
helpers) are spliced into their parent.
"""
from __future__ import annotations

FORMAT = 1  # of the cached data (this table and the scanner's patterns); bump when either changes


class UnexpectedToken(Exception):
    """`token` where none of `expected` (terminal names) was."""

    def __init__(self, token, expected: set[str]):
        super().__init__(f"unexpected {token.type} {str(token)!r} at {token.line}:{token.column}")
        self.token, self.expected = token, expected
        self.line, self.column = token.line, token.column


class Table:
    def __init__(self, start: int, end: int, rows: dict, rules: list):
        self.start, self.end = start, end
        self.rows = rows  # state -> terminal or rule name -> next state (shift, goto) or -1 - rule number (reduce)
        self.rules = rules  # number -> [origin, size, builder method or None, children, nones after]

    # ---- building and caching ---------------------------------------------------

    @classmethod
    def from_lark(cls, lark_parser, start: str = "start") -> "Table":
        from lark.parsers.lalr_analysis import Shift

        table = lark_parser.parser.parser.parser.parse_table  # ParsingFrontend -> LALR_Parser -> _Parser
        numbers: dict = {}
        rules: list = []
        rows = {}
        for state, actions in table.states.items():
            row = {}
            for symbol, (action, target) in actions.items():
                if action is Shift:
                    row[symbol] = target
                else:
                    if target not in numbers:
                        numbers[target] = len(rules)
                        rules.append(_rule_spec(target))
                    row[symbol] = -1 - numbers[target]  # reductions are negative
            rows[state] = row
        return cls(table.start_states[start], table.end_states[start], rows, rules)

    def to_data(self) -> dict:
        return {"format": FORMAT, "start": self.start, "end": self.end,
                "rows": {str(s): row for s, row in self.rows.items()}, "rules": self.rules}

    @classmethod
    def from_data(cls, data: dict) -> "Table":
        """The table from its cached form; ValueError if it is not whole."""
        if data.get("format") != FORMAT:
            raise ValueError("another format")
        table = cls(data["start"], data["end"], {int(s): row for s, row in data["rows"].items()}, data["rules"])
        states, rules = table.rows.keys(), len(table.rules)
        steps = [step for row in table.rows.values() for step in row.values()]
        if table.start not in states or not all(s in states if s >= 0 else -1 - s < rules for s in steps):
            raise ValueError("a state or rule the table does not have")
        return table

    # ---- parsing ------------------------------------------------------------------

    def callbacks(self, builder) -> list:
        """Per rule (origin, size, what makes its value from its children), the
        last None where a rule of one symbol has it as its value (`?rule`)."""
        return [(rule[0], rule[1], _callback(rule, builder)) for rule in self.rules]

    def parse(self, tokens: list, callbacks: list):
        """The value of the start rule: what its builder method returns.
        `tokens` is the scanner's list (compiler/scanner.py): it ends with the
        end token, or with the error where the scanner stopped."""
        rows, stack, values, end = self.rows, [self.start], [], self.end
        for token in tokens:
            kind = token.type
            while True:
                try:
                    step = rows[stack[-1]][kind]
                except KeyError:
                    if isinstance(token, Exception):
                        raise token from None
                    raise self._unexpected(token, stack[-1]) from None
                if step >= 0:  # shift (the end is never shifted)
                    stack.append(step)
                    values.append(token)
                    break
                origin, size, build = callbacks[~step]  # reduce rule -1 - step
                if size == 1:  # most reductions: the value is replaced in place
                    del stack[-1]
                    if build is not None:
                        values[-1] = build([values[-1]])
                elif size:
                    children = values[-size:]
                    del stack[-size:]
                    del values[-size:]
                    values.append(build(children))
                else:
                    values.append(build([]))
                goto = rows[stack[-1]][origin]
                if goto == end:  # only the end token reduces the start rule
                    return values[-1]
                stack.append(goto)
        raise AssertionError("the end token always reduces to the end state or is unexpected")

    def _unexpected(self, token, state: int) -> UnexpectedToken:
        return UnexpectedToken(token, {symbol for symbol in self.rows[state] if symbol.isupper()})


def _rule_spec(rule) -> list:
    """[origin, size, builder method, children, nones after], as lark's
    ParseTreeBuilder would build it. children: [index, spliced, nones before]."""
    options = rule.options
    if options.keep_all_tokens or rule.alias or options.template_source:
        raise ValueError(f"rule {rule.origin.name}: `!`, aliases and templates are not supported")
    empty = list(options.empty_indices) if options.empty_indices else [False] * len(rule.expansion)
    runs = [len(ones) for ones in "".join("1" if e else "0" for e in empty).split("0")]  # Nones before each symbol
    children, nones = [], 0
    for i, symbol in enumerate(rule.expansion):
        nones += runs[i]
        if not (symbol.is_term and symbol.filter_out):
            children.append([i, not symbol.is_term and symbol.name.startswith("_"), nones])
            nones = 0
    name = rule.origin.name
    method = None if name.startswith("_") or options.expand1 else name
    if options.expand1 and (len(children) != 1 or children[0][1] or children[0][2] or nones + runs[-1]):
        raise ValueError(f"rule {name}: `?` is supported on rules of one child only")
    return [name, len(rule.expansion), method, children, nones + runs[-1]]


def _callback(rule: list, builder):
    """What makes a rule's value from the list of its children: a builder
    method, or the children themselves (`list`: a fresh list, as lark's is).
    None for a `?rule`'s one child, which is its value unchanged."""
    _, size, method, children, after = rule
    build = getattr(builder, method) if method else None  # None: the children themselves (spliced or single)
    plain = not after and all(not spliced and not nones for _, spliced, nones in children)
    if plain and len(children) == size:
        picked = None  # every child, as it is
    elif plain:
        picked = [i for i, _, _ in children]
    else:
        return _filtered(children, after, build)
    if build is None:
        if method is None and len(children) == 1 and not rule[0].startswith("_"):  # `?rule`: its one child
            index = children[0][0]
            return None if size == 1 else (lambda values: values[index])
        if picked is None:
            return list
        return (lambda values: []) if not picked else (lambda values: [values[i] for i in picked])
    return build if picked is None else (lambda values: build([values[i] for i in picked]))


def _filtered(children: list, after: int, build):
    if build is None and not after and all(spliced and not nones for _, spliced, nones in children):
        return _joined([index for index, _, _ in children])

    def call(values):
        out = []
        for index, spliced, nones in children:
            if nones:
                out += [None] * nones
            if spliced:
                if out:
                    out += values[index]
                else:  # reuse the spliced list: left-recursive repetitions stay linear
                    out = values[index]
            else:
                out.append(values[index])
        if after:
            out += [None] * after
        return build(out) if build is not None else out
    return call


def _joined(indexes: list[int]):
    """A repetition's children: the lists its spliced children hold, joined
    into the first (left recursion stays linear)."""
    first, *rest = indexes

    def call(values):
        out = values[first]
        for index in rest:
            out += values[index]
        return out
    return call
