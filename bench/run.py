"""Runs every benchmark once against a throwaway Kafka and PostgreSQL; writes bench/results/<UTC>.json.

uv run python -m bench.run [--events 3000] [--requests 500] [--timeout-s 120]
uv run python -m bench.run --suite leads [--leads-creates 1000] [--leads-scales 10000,1000000]
uv run python -m bench.run --suite deals [--deals-events 1000] [--deals-scales 10000,1000000]
uv run python -m bench.run --suite cases [--cases-messages 2000] [--cases-backlog 10000] [--no-cases-imap]
"""

import argparse
import asyncio
import time
import traceback
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import (
    api_latency,
    cases_backlog,
    cases_counts,
    cases_intake,
    consumer,
    deals_latency,
    deals_scale,
    deals_tables,
    leads_create,
    leads_scale,
    leads_tables,
    memory,
    outbox_relay,
    report,
)
from bench.stack import Stack, output_to, started_stack
from bench.stats import row
from crm_shared.messaging.kafka import PRODUCER_SETTINGS

RESULTS = Path(__file__).resolve().parent / "results"
DEFAULT_TIMEOUT_S = 120.0
SUITE_TIMEOUT_S = 600.0  # the leads, deals and cases suites
EXPECTED = {
    "default": "about a minute",
    "leads": "up to 10 minutes",
    "deals": "5 to 7 minutes",
    "cases": "6 to 8 minutes",
}


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    RESULTS.mkdir(parents=True, exist_ok=True)
    log_path = RESULTS / f"{stamp}.log"
    if args.timeout_s is None:
        args.timeout_s = DEFAULT_TIMEOUT_S if args.suite == "default" else SUITE_TIMEOUT_S
    expected = EXPECTED[args.suite]
    print(f"benchmarks ({args.suite} suite) running ({expected}); service logs in {log_path}", flush=True)
    started = time.perf_counter()
    with output_to(log_path), started_stack(log_path, broker_settings=dict(args.broker_setting)) as stack:
        document = asyncio.run(_run_all(stack, args))
    document = {"started_at": stamp, **document, "duration_s": round(time.perf_counter() - started, 1)}
    report.write(RESULTS / f"{stamp}.json", document)
    print(report.table(document))
    scale = document["measurements"].get("leads_lists_at_scale", {})
    if "phases" in scale:
        print("\n" + leads_tables.latency_table(scale))
    deals = document["measurements"].get("deals_views_at_scale", {})
    if "phases" in deals:
        print("\n" + deals_tables.latency_table(deals))
        if deals["slow_at_largest"]:
            print(f"\nover {deals_tables.SLOW_P95_MS:g} ms p95 at the largest size (plans in the JSON):")
            print(deals_tables.slow_summary(deals))
    wrong = [line for result in document["measurements"].values() for line in cases_counts.failed(result)]
    if wrong:
        print("\nchecks that failed (what was stored is not what was sent):\n  " + "\n  ".join(wrong))
    print(f"\n{document['duration_s']} s; results in {RESULTS / f'{stamp}.json'}")
    failed = [name for name, result in document["measurements"].items() if "error" in result]
    if failed:
        print(f"failed: {', '.join(failed)} (tracebacks in {log_path})")
    return 1 if failed or wrong else 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument("--events", type=_count, default=3000, help="events per throughput benchmark")
    parser.add_argument("--requests", type=_count, default=500, help="requests per HTTP endpoint")
    parser.add_argument(
        "--suite",
        choices=("default", "leads", "deals", "cases"),
        default="default",
        help="default: relay, consumer, HTTP, memory; leads: create-lead throughput, lists at scale; "
        "deals: LeadConverted -> deal latency, board / forecast / lists at scale; "
        "cases: mail intake throughput against plain parsing, importing a backlog",
    )
    parser.add_argument(
        "--timeout-s", type=float, default=None, help="limit of each benchmark (120; leads, deals, cases 600)"
    )
    parser.add_argument("--leads-creates", type=_count, default=1000, help="POST /v1/leads per run")
    parser.add_argument("--leads-clients", type=int, default=8, help="concurrent clients creating leads")
    parser.add_argument(
        "--leads-scales", type=_scales, default=[10_000, 1_000_000], help="table sizes, e.g. 10000,1000000"
    )
    parser.add_argument("--leads-repeats", type=_count, default=50, help="requests per list scenario")
    parser.add_argument(
        "--leads-budget-s", type=float, default=15.0, help="time limit of one list scenario's repeats"
    )
    parser.add_argument(
        "--leads-index",
        action="append",
        default=[],
        metavar="SQL",
        help="what-if: CREATE INDEX IF NOT EXISTS ... run on the leads table after each seeding step",
    )
    parser.add_argument(
        "--leads-scale-creates", type=_count, default=200, help="POST /v1/leads at each table size"
    )
    parser.add_argument(
        "--deals-events", type=_count, default=1000, help="LeadConverted per run (paced, then burst)"
    )
    parser.add_argument(
        "--deals-rate", type=float, default=25.0, help="LeadConverted per second in the paced run"
    )
    parser.add_argument(
        "--deals-scales", type=_scales, default=[10_000, 1_000_000], help="table sizes, e.g. 10000,1000000"
    )
    parser.add_argument("--deals-repeats", type=_count, default=50, help="requests per view scenario")
    parser.add_argument(
        "--deals-budget-s", type=float, default=10.0, help="time limit of one view scenario's repeats"
    )
    parser.add_argument(
        "--deals-index",
        action="append",
        default=[],
        metavar="SQL",
        help="what-if: CREATE INDEX IF NOT EXISTS ... run on the deals table after each seeding step",
    )
    _cases_options(parser)
    parser.add_argument(
        "--broker-setting",
        type=_setting,
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="extra setting of the throwaway broker, e.g. group.coordinator.append.linger.ms=0",
    )
    return parser


def _cases_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--cases-messages", type=_count, default=2000, help="mails per intake throughput run (C1)"
    )
    parser.add_argument("--cases-clients", type=int, default=4, help="concurrent SMTP clients (C1)")
    parser.add_argument("--cases-backlog", type=_count, default=10_000, help="mails in the backlog (C2)")
    parser.add_argument("--cases-workers", type=int, default=4, help="ingest worker processes (C2)")
    parser.add_argument(
        "--cases-replies", type=float, default=0.3, help="share of the backlog answering earlier mails"
    )
    parser.add_argument(
        "--cases-overlap", type=_count, default=1000, help="mails given to two ingesters at once (C2)"
    )
    parser.add_argument(
        "--cases-imap",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also import the backlog through the IMAP poller from a throwaway Dovecot (C2)",
    )


def _count(value: str) -> int:
    count = int(value)
    if count < 2:
        raise argparse.ArgumentTypeError("at least 2, for rates and percentiles")
    return count


def _scales(value: str) -> list[int]:
    scales = sorted({int(part) for part in value.split(",") if part.strip()})
    if not scales or scales[0] < 1000:
        raise argparse.ArgumentTypeError("comma-separated row counts of at least 1000")
    return scales


def _setting(value: str) -> tuple[str, str]:
    key, sep, setting = value.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError("expected KEY=VALUE")
    return key, setting


async def _run_all(stack: Stack, args: argparse.Namespace) -> dict[str, Any]:
    if args.suite == "leads":
        return await _run_leads(stack, args)
    if args.suite == "deals":
        return await _run_deals(stack, args)
    if args.suite == "cases":
        return await _run_cases(stack, args)
    # The consumer benchmark goes first: it needs crm.leads.events to hold only its own records.
    plan: dict[str, Callable[[], Awaitable[dict[str, Any]]]] = {
        "consumer": lambda: consumer.measure(stack, args.events),
        "outbox_relay": lambda: outbox_relay.measure(stack, args.events),
        "http": lambda: api_latency.measure(stack, args.requests),
        "service_process_memory": lambda: memory.service_idle(stack),
    }
    measurements = {name: await _bounded(run, args.timeout_s) for name, run in plan.items()}
    service = measurements["service_process_memory"]
    if "error" not in service:
        service["table"] = [row("crm-leads serve, idle RSS", service["vm_rss_mib"], None, "MiB")]
    own = memory.own_usage()  # last, so that its peak covers the whole run
    own["table"] = [row("benchmark process, peak RSS", own["vm_hwm_mib"], None, "MiB")]
    measurements["benchmark_process_memory"] = own
    return {
        "machine": await report.machine_info(stack.postgres.admin_url),
        "parameters": {
            "events": args.events,
            "requests": args.requests,
            "producer_settings": PRODUCER_SETTINGS,
        },
        "measurements": measurements,
    }


async def _run_leads(stack: Stack, args: argparse.Namespace) -> dict[str, Any]:
    plan: dict[str, Callable[[], Awaitable[dict[str, Any]]]] = {
        "leads_create": lambda: leads_create.measure(stack, args.leads_creates, args.leads_clients),
        "leads_lists_at_scale": lambda: leads_scale.measure(
            stack,
            args.leads_scales,
            args.leads_repeats,
            args.leads_budget_s,
            args.leads_scale_creates,
            args.leads_index,
        ),
    }
    return await _suite(
        stack,
        args,
        "leads",
        plan,
        {
            "creates": args.leads_creates,
            "clients": args.leads_clients,
            "scales": args.leads_scales,
            "repeats": args.leads_repeats,
            "budget_s_per_scenario": args.leads_budget_s,
            "creates_at_each_size": args.leads_scale_creates,
            "extra_indexes": args.leads_index,
            "leads_code": report.code_location("crm_leads"),
        },
    )


async def _run_deals(stack: Stack, args: argparse.Namespace) -> dict[str, Any]:
    # The latency benchmark goes first, on a quiet machine and an empty crm.leads.events.
    plan: dict[str, Callable[[], Awaitable[dict[str, Any]]]] = {
        "lead_converted_to_deal": lambda: deals_latency.measure(stack, args.deals_events, args.deals_rate),
        "deals_views_at_scale": lambda: deals_scale.measure(
            stack, args.deals_scales, args.deals_repeats, args.deals_budget_s, args.deals_index
        ),
    }
    return await _suite(
        stack,
        args,
        "deals",
        plan,
        {
            "events": args.deals_events,
            "paced_rate_per_s": args.deals_rate,
            "scales": args.deals_scales,
            "repeats": args.deals_repeats,
            "budget_s_per_scenario": args.deals_budget_s,
            "extra_indexes": args.deals_index,
            "producer_settings": PRODUCER_SETTINGS,
            "deals_code": report.code_location("crm_deals"),
        },
    )


async def _run_cases(stack: Stack, args: argparse.Namespace) -> dict[str, Any]:
    plan: dict[str, Callable[[], Awaitable[dict[str, Any]]]] = {
        "cases_intake": lambda: cases_intake.measure(stack, args.cases_messages, args.cases_clients),
        "cases_backlog": lambda: cases_backlog.measure(
            stack,
            args.cases_backlog,
            args.cases_workers,
            args.cases_replies,
            args.cases_overlap,
            args.cases_imap,
            args.timeout_s,
        ),
    }
    return await _suite(
        stack,
        args,
        "cases",
        plan,
        {
            "messages": args.cases_messages,
            "clients": args.cases_clients,
            "backlog": args.cases_backlog,
            "workers": args.cases_workers,
            "reply_share": args.cases_replies,
            "overlap": args.cases_overlap,
            "imap": args.cases_imap,
            "cases_code": report.code_location("crm_cases"),
        },
    )


async def _suite(
    stack: Stack,
    args: argparse.Namespace,
    suite: str,
    plan: dict[str, Callable[[], Awaitable[dict[str, Any]]]],
    parameters: dict[str, Any],
) -> dict[str, Any]:
    """Runs a suite's plan in order, each bounded, then the benchmark process's own peak memory."""
    measurements = {name: await _bounded(run, args.timeout_s) for name, run in plan.items()}
    own = memory.own_usage()
    own["table"] = [row("benchmark process, peak RSS", own["vm_hwm_mib"], None, "MiB")]
    measurements["benchmark_process_memory"] = own
    return {
        "machine": await report.machine_info(stack.postgres.admin_url),
        "suite": suite,
        "parameters": parameters
        | {"timeout_s": args.timeout_s, "broker_settings": dict(args.broker_setting)},
        "measurements": measurements,
    }


async def _bounded(run: Callable[[], Awaitable[dict[str, Any]]], timeout_s: float) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        result = await asyncio.wait_for(run(), timeout_s)
    except Exception as exc:
        traceback.print_exc()  # into the log file
        return {"error": f"{exc.__class__.__name__}: {exc}"}
    result["elapsed_s"] = round(time.perf_counter() - started, 2)
    return result


if __name__ == "__main__":
    raise SystemExit(main())
