"""What every rule reads: the strategy, graph, catalog, settings and figures."""
from __future__ import annotations

from hedgec.record import record

from .. import ir
from ..config import Config
from ..source import Span


@record
class Context:
    strategy: ir.Strategy
    graph: object  # StrategyGraph
    catalog: object  # Catalog
    config: Config
    analysis: object  # Analysis

    def blocks(self, kind: str):
        """(block, figures) for every block of `kind` whose figures could be computed."""
        for block in self.strategy.of_kind(kind):
            figures = self.analysis.figures.get(block.name)
            if figures is not None:
                yield block, figures

    def threshold(self, name: str) -> float:
        return self.config.threshold(name)

    def where(self, block, key: str | None = None) -> Span:
        """The span of `key` in `block`, or of the block, or of the strategy when
        the block was never written (an absent `assume`)."""
        span = block.at(key) if key else block.span
        return self.strategy.span if span.file == "<none>" else span
