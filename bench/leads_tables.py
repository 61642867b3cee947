"""The leads suite's tables: rows for the run's summary table, and the per-size latency table."""

from typing import Any

from bench.stats import row


def label(rows: int) -> str:
    return (
        f"{rows // 1_000_000}M"
        if rows % 1_000_000 == 0
        else f"{rows // 1000}k"
        if rows % 1000 == 0
        else str(rows)
    )


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
    create_small, create_big = small["create_at_this_size"]["post"], big["create_at_this_size"]["post"]
    lines.append(
        row(
            f"POST /v1/leads p99, {versus}",
            create_big["p99_ms"],
            create_small["p99_ms"] if len(names) > 1 else None,
            "ms",
        )
    )
    return lines


def latency_table(result: dict[str, Any]) -> str:
    """Every scenario at every size: p50 / p95 / p99 in ms; then, at the largest size, the SQL's own
    time (EXPLAIN ANALYZE, summed over the request's statements) with a custom and a generic plan, and
    which of the two the service's connections actually ran (C, G, or C+G)."""
    phases = result["phases"]
    largest = list(phases)[-1]
    header = ["scenario", *(f"{name} p50/p95/p99 ms" for name in phases), f"{largest} SQL ms custom/generic"]
    lines = [header]
    for scenario in next(iter(phases.values()))["requests"]:
        cells = [scenario]
        for phase in phases.values():
            latency = phase["requests"][scenario]["latency"]
            cells.append(" / ".join(f"{latency[f'{q}_ms']:.1f}" for q in ("p50", "p95", "p99")))
        cells.append(_sql_cell(phases[largest]["requests"][scenario]["plans"]))
        lines.append(cells)
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    rendered = [
        "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(line, widths, strict=True))
        )
        for line in lines
    ]
    rendered.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(rendered)


def _sql_cell(explained: list[dict[str, Any]]) -> str:
    if not explained:
        return "-"
    custom = sum(p["custom"]["execution_ms"] for p in explained)
    generic = sum(p["generic"]["execution_ms"] for p in explained)
    ran = {
        mode
        for p in explained
        for mode, key in (("C", "custom_plans"), ("G", "generic_plans"))
        if p["service_executions"][key]
    }
    return f"{custom:.2f} / {generic:.2f} ({'+'.join(sorted(ran)) or '?'})"
