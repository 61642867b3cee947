"""The deals suite's tables: rows for the run's summary table; the per-size latency table is leads'."""

from typing import Any

from bench.leads_tables import latency_table
from bench.stats import row

__all__ = ["latency_table", "slow_scenarios", "slow_summary", "summary_rows"]
SLOW_P95_MS = 100.0


def summary_rows(phases: dict[str, Any]) -> list[dict[str, Any]]:
    """p95 at the largest size against the smallest (ratio = how much slower), and the seeding time."""
    names = list(phases)
    small, big = phases[names[0]], phases[names[-1]]
    versus = f"{names[-1]} vs {names[0]}" if len(names) > 1 else names[0]
    lines = [
        row(f"seed {name}: insert, indexes, vacuum", phase["seeding"]["total_s"], None, "s")
        for name, phase in phases.items()
    ]
    for scenario, result in big["requests"].items():
        reference = small["requests"][scenario]["latency"]["p95_ms"] if len(names) > 1 else None
        lines.append(row(f"{scenario} p95, {versus}", result["latency"]["p95_ms"], reference, "ms"))
    return lines


def slow_scenarios(phases: dict[str, Any], limit_ms: float = SLOW_P95_MS) -> list[dict[str, Any]]:
    """Every scenario whose p95 at the largest size exceeds `limit_ms`, with the custom plans of its
    statements (what PostgreSQL picks for the first executions): what an index would have to fix."""
    largest = list(phases)[-1]
    return [
        {
            "scenario": name,
            "p95_ms": scenario["latency"]["p95_ms"],
            "statements": [
                {
                    "sql": explained["sql"],
                    "custom_ms": explained["custom"]["execution_ms"],
                    "generic_ms": explained["generic"]["execution_ms"],
                    "plan": explained["custom"]["plan"],
                    "warnings": explained["custom"]["warnings"],
                }
                for explained in scenario["plans"]
            ],
        }
        for name, scenario in phases[largest]["requests"].items()
        if scenario["latency"]["p95_ms"] > limit_ms
    ]


def slow_summary(result: dict[str, Any]) -> str:
    """One line per slow scenario, and the warning signs of each of its statements' plans."""
    out = []
    for slow in result["slow_at_largest"]:
        sql = ", ".join(f"{s['custom_ms']:.0f} / {s['generic_ms']:.0f}" for s in slow["statements"])
        out.append(f"{slow['scenario']}: p95 {slow['p95_ms']:.1f} ms; SQL ms custom / generic: {sql}")
        out += [f"    {warning}" for s in slow["statements"] for warning in s["warnings"]]
    return "\n".join(out)
