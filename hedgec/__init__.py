"""hedgec: a compiler for declarative DeFi hedge strategies."""
__version__ = "0.1.0"
