"""The LALR loop that runs lark's parse table over the scanner's tokens.

lark builds the table from grammar/hedge.lark (and caches it); this loop is
lark's own `ParserState.feed_token`, with the table compiled once into plain
ints and tuples: lark looks each reduction's callback up by its `Rule`, whose
hash and equality are Python methods, twice a reduction. Errors are lark's
`UnexpectedToken`, with the same expected set, so syntax.py words them alike.
"""
from __future__ import annotations

from lark.exceptions import UnexpectedToken
from lark.lexer import Token
from lark.parsers.lalr_analysis import Shift


class Table:
    """lark's table for one start symbol: per state, per terminal, either the
    state to shift to (an int) or a reduction (size, callback, goto row key)."""

    def __init__(self, lark_parser, start: str = "start"):
        inner = lark_parser.parser.parser.parser  # ParsingFrontend -> LALR_Parser -> _Parser
        table, callbacks = inner.parse_table, inner.callbacks
        if any(isinstance(name, str) for name in callbacks):
            raise ValueError("terminal callbacks are not supported")  # the grammar has none
        self.start, self.end = table.start_states[start], table.end_states[start]
        self.rows = {state: {symbol: (target if action is Shift else
                                      (len(target.expansion), callbacks[target], target.origin.name))
                             for symbol, (action, target) in actions.items()}
                     for state, actions in table.states.items()}

    def parse(self, tokens):
        """The value of the start rule: what its callback returns."""
        rows, stack, values, end = self.rows, [self.start], [], self.end
        for token in _ended(tokens):
            kind = token.type
            while True:
                try:
                    step = rows[stack[-1]][kind]
                except KeyError:
                    raise self._unexpected(token, stack[-1]) from None
                if step.__class__ is int:  # shift (the end is never shifted)
                    stack.append(step)
                    values.append(token)
                    break
                size, callback, origin = step  # reduce
                if size:
                    children = values[-size:]
                    del stack[-size:]
                    del values[-size:]
                else:
                    children = []
                values.append(callback(children))
                stack.append(rows[stack[-1]][origin])
                if stack[-1] == end:  # only the end token reduces the start rule
                    return values[-1]

    def _unexpected(self, token, state: int) -> UnexpectedToken:
        expected = {symbol for symbol in self.rows[state] if symbol.isupper()}
        return UnexpectedToken(token, expected)


def _ended(tokens):
    """The tokens, then lark's end token, placed at the last one."""
    token = None
    for token in tokens:
        yield token
    yield Token.new_borrow_pos("$END", "", token) if token is not None else Token("$END", "", 0, 1, 1)
