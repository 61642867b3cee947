"""Benchmarks, run on demand with `python -m bench.run`; each one compares against a minimal reference."""
