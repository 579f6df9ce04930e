"""The TextMate grammar in editors/: its regexes compile, and a small
TextMate-style tokenizer gives the examples' words the expected scopes."""
from __future__ import annotations

import json
import re

import pytest

from conftest import EXAMPLES, ROOT

GRAMMAR = json.loads((ROOT / "editors" / "hedge.tmLanguage.json").read_text("utf-8"))


def all_rules(node):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from all_rules(value)
    elif isinstance(node, list):
        for value in node:
            yield from all_rules(value)


def test_every_regex_compiles():
    patterns = [r[k] for r in all_rules(GRAMMAR) for k in ("match", "begin", "end") if isinstance(r.get(k), str)]
    assert len(patterns) >= 10
    for pattern in patterns:
        re.compile(pattern)


def test_every_include_resolves():
    includes = [r["include"] for r in all_rules(GRAMMAR) if "include" in r]
    assert includes and all(i[1:] in GRAMMAR["repository"] for i in includes)


class Tokenizer:
    """Enough of TextMate's rules for one-line constructs: at each position the
    rule matching earliest wins (ties: the first listed); `begin`/`end` rules
    scope their inner patterns up to the end match."""

    def __init__(self, grammar):
        self.grammar = grammar

    def rules(self, patterns):
        for rule in patterns:
            if "include" in rule:
                target = self.grammar["repository"][rule["include"][1:]]
                yield from self.rules(target["patterns"]) if "match" not in target and "begin" not in target \
                    else [target]
            else:
                yield rule

    def tokens(self, line: str, patterns=None, pos: int = 0, end: str | None = None):
        """Tokens from `pos`, and where scanning stopped: inside a `begin` rule
        its `end` competes with the inner patterns and wins ties, as in TextMate."""
        patterns = self.grammar["patterns"] if patterns is None else patterns
        out = []
        while pos < len(line):
            closing = re.compile(end).search(line, pos) if end else None
            best = None
            for rule in self.rules(patterns):
                m = re.compile(rule.get("match") or rule["begin"]).search(line, pos)
                if m and m.end() > m.start() and (best is None or m.start() < best[1].start()):
                    best = (rule, m)
            if closing and (best is None or closing.start() <= best[1].start()):
                return out, closing.end()
            if best is None:
                return out, len(line)
            rule, m = best
            out += self.scoped(rule, m, "captures" if "match" in rule else "beginCaptures")
            pos = m.end()
            if "begin" in rule:
                inner, pos = self.tokens(line, rule.get("patterns", []), pos, rule["end"])
                if "name" in rule:
                    out.append((line[m.start():pos], [rule["name"]]))
                out += inner
        return out, pos

    @staticmethod
    def scoped(rule, m, key):
        out = []
        if "name" in rule:
            out.append((m.group(), [rule["name"]]))
        for group, capture in rule.get(key, {}).items():
            if m.group(int(group)) is not None:
                out.append((m.group(int(group)), [capture["name"]]))
        return out


def scopes_of(text: str) -> dict[str, set[str]]:
    tokenizer = Tokenizer(GRAMMAR)
    found: dict[str, set[str]] = {}
    for line in text.split("\n"):
        for token, scopes in tokenizer.tokens(line)[0]:
            found.setdefault(token.strip(), set()).update(scopes)
    return found


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_the_examples_keywords_get_their_scopes(path):
    text = path.read_text()
    scopes = scopes_of(text)
    assert "keyword.other.block.hedge" in scopes["strategy"]
    hedge = "perp" if "perp" in scopes else "borrow"
    assert "keyword.other.block.hedge" in scopes[hedge]
    name = re.search(rf"^\s*{hedge}\s+(\w+)\s*\{{", text, re.M).group(1)  # the first hedge block's name
    assert "entity.name.type.block.hedge" in scopes[name]
    assert "variable.other.property.hedge" in scopes["collateral" if hedge == "perp" else "target_hf"]
    assert "keyword.operator.assignment.hedge" in scopes["="]
    assert "keyword.other.unit.hedge" in scopes["USDC"]
    assert "variable.other.reference.hedge" in scopes["lp"]  # `hedges = lp`
    assert hedge == "borrow" or "constant.language.hedge" in scopes["short"]
    assert any("comment.line.number-sign.hedge" in s for t, s in scopes.items() if t.startswith("#"))


def test_quantities_ranges_pairs_and_strings():
    scopes = scopes_of('  range = 2400 .. 4000 USDC\n  lev = 2.5x\n  pair = ETH/USDC\n  title = "a # b"\n')
    assert "constant.numeric.hedge" in scopes["2400"] and "constant.numeric.hedge" in scopes["2.5"]
    assert "keyword.other.unit.suffix.hedge" in scopes["x"]
    assert "keyword.operator.range.hedge" in scopes[".."]
    assert "support.type.asset.hedge" in scopes["ETH"]
    assert "string.quoted.double.hedge" in scopes['"a # b"']  # a `#` in a string is not a comment
