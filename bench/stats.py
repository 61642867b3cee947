"""Small arithmetic shared by the benchmarks; every figure is rounded for the JSON file."""

import statistics
from collections.abc import Sequence
from typing import Any


def rate(count: int, seconds: float) -> float:
    return round(count / seconds, 1) if seconds > 0 else float("inf")


def ratio(subject: float, reference: float) -> float:
    """Always subject / reference of the same quantity (below 1 for rates, above 1 for latencies)."""
    return round(subject / reference, 3) if reference else float("nan")


def latency_summary(seconds: Sequence[float]) -> dict[str, Any]:
    ms = [s * 1000 for s in seconds]
    cuts = statistics.quantiles(ms, n=100, method="inclusive")
    return {
        "count": len(ms),
        "p50_ms": round(cuts[49], 3),
        "p95_ms": round(cuts[94], 3),
        "p99_ms": round(cuts[98], 3),
        "mean_ms": round(statistics.fmean(ms), 3),
        "max_ms": round(max(ms), 3),
    }


def row(what: str, subject: float, reference: float | None, unit: str) -> dict[str, Any]:
    """One line of the printed table, also kept in the JSON file."""
    return {
        "what": what,
        "subject": subject,
        "reference": reference,
        "ratio": ratio(subject, reference) if reference is not None else None,
        "unit": unit,
    }
