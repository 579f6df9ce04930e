"""Codes for input, syntax and structure problems (H0xx, H1xx).

Rules about money (margin, liquidation, funding, cover, gas) register their
codes next to their checks in compiler/rules/.
"""
from .registry import Pack

INPUT = "input"
STRUCTURE = "structure"
PACK = Pack(STRUCTURE)

PACK.rule("H001", "syntax-error", "error", "The file does not follow the hedge language grammar.", """
The parser stopped at a token it did not expect. The message names what it
found and what could come next, in the words of the language: a block is
`KIND NAME { ... }`, an attribute is `key = value` ending at the newline.
""", INPUT)
PACK.rule("H002", "unreadable-file", "error", "The file cannot be read as UTF-8 text.", """
A strategy file must be UTF-8 text. Binary files (with NUL bytes), other
encodings and files that cannot be opened are reported here, with the
position of the first bad byte where there is one.
""", INPUT)
PACK.rule("H003", "empty-file", "error", "The file holds no strategy.", """
Every .hedge file holds exactly one `strategy NAME { ... }` block. A file that
is empty, or holds only comments, is almost always a mistake (a truncated
write, a wrong path), so it is an error rather than a silent success.
""", INPUT)
PACK.rule("H004", "file-too-large", "error", "The file is larger than hedgec reads.", """
Strategy files are small: hedgec refuses files over 1 MiB (configurable with
`max-file-bytes`) instead of spending minutes on what is almost certainly not
a strategy.
""", INPUT)
PACK.rule("H005", "too-deeply-nested", "error", "Blocks are nested deeper than hedgec allows.", """
Blocks nest at most 8 deep. Real strategies nest two levels
(`strategy` > `pool`); anything deeper is refused with a clear error rather
than exhausting the stack.
""", INPUT)
PACK.rule("H006", "bad-number", "error", "A number is out of range or malformed.", """
Numbers must be finite and below 1e15 in magnitude, with at most 18
significant digits. `-0` is refused: a signed zero means a sign was typed by
mistake. Amounts, leverage, durations and prices must be positive where a
negative value has no meaning.
""", INPUT)
PACK.rule("H007", "bad-escape", "error", "A string holds an escape hedgec does not know.", """
Strings know `\\"` (a double quote), `\\\\` (a backslash), `\\n`, `\\t`, `\\r`,
`\\xHH`, `\\uHHHH` and `\\UHHHHHHHH` for a code point up to U+10FFFF. Any other
backslash sequence (`\\N`, `\\x` without two hex digits, `\\u12`) is refused
rather than guessed at; the file is UTF-8, so a character can also be written
as itself.
""", INPUT)

PACK.rule("H101", "unknown-block", "error", "A block kind the language does not know.", """
Inside `strategy` the blocks are `assume`, `wallet`, `pool`, `perp`,
`option`, `borrow` and `cover`. The hint names the closest known kind.
""", STRUCTURE)
PACK.rule("H102", "unknown-key", "error", "An attribute the block does not take.", """
Each block kind takes a fixed set of keys (see the language reference). An
unknown key is an error, not ignored: a misspelt `colateral` would otherwise
silently drop the collateral. The hint names the closest known key.
""", STRUCTURE)
PACK.rule("H103", "missing-key", "error", "A required attribute is missing.", """
Some keys are required: a pool needs `venue`, `pair`, `deposit` and `from`;
a perp needs `venue`, `market`, `side`, `collateral` and `from`; a borrow
needs `venue`, `amount` and `from` (and `collateral` or `target_hf`, H812); a cover needs
`provider`, `protects`, `amount`, `period` and `from`; a strategy needs
`horizon`.
""", STRUCTURE)
PACK.rule("H104", "invalid-value", "error", "A value of the wrong form for its key.", """
Each key takes one form of value: an amount with an asset (`20000 USDC`),
leverage (`2.5x`), a percentage (`15%`), an annual rate (`8% apr`), a
duration (`90d`, `8h`, `4w`), a gas price (`20 gwei`), a price range
(`2400 .. 4000 USDC`), a pair (`ETH/USDC`), a market (`ETH-USD`), a name, a
reference to another block, or a quoted string. The message says which form
was expected.
""", STRUCTURE)
PACK.rule("H105", "duplicate-key", "error", "The same attribute is given twice in a block.", """
A key may appear once per block; the second would silently win otherwise.
""", STRUCTURE)
PACK.rule("H106", "duplicate-name", "error", "Two blocks share a name.", """
Wallets, pools, perps and covers share one namespace, since any of them can be
referenced by name.
""", STRUCTURE)
PACK.rule("H107", "unknown-reference", "error", "A reference names no block.", """
`from`, `hedges` and `protects` name other blocks of the strategy. The hint
names the closest existing block.
""", STRUCTURE)
PACK.rule("H108", "wrong-kind-reference", "error", "A reference names a block of the wrong kind.", """
`hedges` names a pool; `protects` names a pool or a perp (the venue holding
its funds); `from` names a wallet or a leg whose funds flow on.
""", STRUCTURE)
PACK.rule("H109", "dependency-cycle", "error", "References form a cycle.", """
Funds must flow from wallets to legs without going round in a circle; a cycle
such as `a --> b --> a` has no order in which the legs could be opened.
""", STRUCTURE)
PACK.rule("H110", "no-funding-wallet", "error", "A leg is not funded by any wallet.", """
Every pool, perp and cover names the wallet it is funded `from`, directly or
through a chain of legs; a leg without one cannot be put on.
""", STRUCTURE)
PACK.rule("H111", "unknown-venue", "error", "A venue, provider or chain not in the catalog.", """
Venues (`uniswap_v2`, `uniswap_v3`, `dydx`, `dydx_v4`, `aave_v3`), cover
providers (`nexus_mutual`) and chains come from the catalog; add your own with
`--catalog FILE`.
""", STRUCTURE)
PACK.rule("H112", "unknown-market", "error", "A perp market the venue does not list.", """
The market must be listed for the perp's venue in the catalog, with its
initial and maintenance margin fractions.
""", STRUCTURE)
PACK.rule("H113", "not-one-strategy", "error", "A file must hold exactly one strategy block.", """
One strategy per file keeps review, history and CI output simple. Put other
strategies in their own files.
""", STRUCTURE)
PACK.rule("H114", "wrong-venue-kind", "error", "A leg on a venue of the wrong kind.", """
A pool needs an AMM venue, a perp a perpetuals venue, an option an options
venue, a borrow a lending venue, a cover a cover provider.
""", STRUCTURE)
PACK.rule("H115", "unit-mismatch", "error", "Amounts in different assets combined without a price.", """
hedgec never adds ETH to USDC as bare numbers. An amount in an asset other
than the strategy's `base` needs `price.ASSET` in `assume`, and a market's
quote must match its pair.
""", STRUCTURE)
PACK.rule("H120", "figure-not-finite", "error", "A figure cannot be computed as a finite number.", """
Amounts, prices and rates at the edges of their range can combine into a
figure too large to hold (a liquidation price or funding that overflows to
infinity). The leg is refused rather than published with `Infinity` or `NaN`:
check the values of the leg named for an extreme one.
""", STRUCTURE)
PACK.rule("H116", "unknown-assumption", "error", "An `assume` key hedgec does not know.", """
`assume` takes `price.ASSET`, `vol.ASSET`, `iv.ASSET`, `funding.MARKET`,
`drift.ASSET`, `corr.ASSET.ASSET`, `borrow_rate.ASSET`, `supply_rate.ASSET`
and `gas_price`.
""", STRUCTURE)
PACK.rule("H121", "correlation-not-positive-definite", "error", "The stated correlations contradict each other.", """
`corr.A.B` gives the correlation of two assets' returns, in [-1, 1]; pairs
not stated are independent (0). Together they form a matrix that must be
positive definite (its Cholesky factor C, with C C^T the matrix, turns
independent normal draws z into correlated ones C z). A correlation of
exactly 1 or -1, or figures such as corr.A.B = 0.9, corr.B.C = 0.9,
corr.A.C = -0.5, fail that: the message names every `corr` key.
""", STRUCTURE)

PACK.rule("H119", "pool-range", "error", "A pool's `range` does not fit its venue or its price.", """
Concentrated liquidity (Uniswap v3) holds its deposit between the two prices
of `range`; constant-product pools (Uniswap v2) spread it over every price
and take no range. A v3 position needs a range, and the entry price must lie
inside it: outside, the position is all one token, earns no fees and leaves
nothing for a hedge to offset.
""", STRUCTURE)
PACK.rule("H117", "implausible-value", "warning", "A value far outside what real strategies use.", """
Each quantity has a domain (docs/language.md lists them): values where the
formulas mean nothing are errors (H104), and values that are possible but
far outside practice (a volatility above 300%, a fee or funding rate above
100% a year, a horizon above ten years) are reported here, since they are
more often a typo than a plan.
""", "values")
PACK.rule("H118", "unused-assumption", "warning", "An assumption nothing in the strategy uses.", """
`assume` keys name an asset (`price.X`, `vol.X`, `drift.X`) or a perp market
(`funding.MARKET`). One whose subject no leg holds or trades is used by
nothing: most often a typo (`drift.ETHH`), which leaves the figure it meant
to set at its catalog default. Wrapped tokens count as their underlying
(WETH as ETH).
""", "assumptions")

PACK.rule("H901", "unused-suppression", "warning", "A `# hedgec: ignore[CODE]` comment that silences nothing.", """
A suppression applies to diagnostics of its code on its own line. One that
silences nothing is stale (the problem was fixed, or moved) and would hide a
future problem, so it is reported.
""", "meta")
PACK.rule("H902", "unknown-suppression", "warning", "A suppression names a code hedgec does not have.", """
`# hedgec: ignore[CODE]` takes codes listed by `hedgec rules`.
""", "meta")
