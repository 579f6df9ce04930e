"""The hedge language grammar (hedge.lark), shipped as package data."""
