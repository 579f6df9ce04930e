"""A progress bar on stderr for long commands; the simulator only calls back."""
from __future__ import annotations

import sys
import time


class ProgressBar:
    """callable(done, total) drawing a bar on stderr, only on a terminal and
    only once the run has taken more than ``delay`` seconds."""

    def __init__(self, label: str = "", total: int | None = None, stream=None, delay: float = 1.0, width: int = 30):
        self.label = label
        self.total = total
        self.stream = stream if stream is not None else sys.stderr
        self.delay = delay
        self.width = width
        self.start = time.monotonic()
        self.shown = False
        self.enabled = bool(getattr(self.stream, "isatty", lambda: False)())

    def __call__(self, done: int, total: int | None = None) -> None:
        total = total or self.total or 1
        if not self.enabled or time.monotonic() - self.start < self.delay:
            return
        filled = int(self.width * done / total)
        bar = "#" * filled + "." * (self.width - filled)
        self.stream.write(f"\r{self.label} [{bar}] {100 * done / total:5.1f}%")
        self.shown = True
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()
