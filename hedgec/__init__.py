"""hedgec: a compiler for declarative DeFi hedge strategies.

The Python API (docs/api.md), loaded on first use so `import hedgec` stays cheap:
`check_file(path)` and `check_text(text, name=...)` return a Result with `.ok`,
`.diagnostics` and `.figures`; `plan`, `checklist` and `simulate` compile a
checked strategy.
"""
__version__ = "0.1.0"

_API = ("check_file", "check_text", "plan", "checklist", "simulate",
        "Result", "Diagnostic", "Simulation", "HedgecError", "StrategyError")
__all__ = ["__version__", *_API]


def __getattr__(name: str):
    if name in _API:
        from hedgec import api

        return getattr(api, name)
    raise AttributeError(f"module 'hedgec' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
