"""Cases suite, C2. Importing a backlog: N distinct mails (corpus copies made unique, about 30 % of them
customers' replies to earlier mails, see cases_corpus), from the first commit to the last.

Three ways, each on a fresh database: the intake in 1 worker process, then in W worker processes
taking the next mail from a shared counter (cases_workers: each worker is what one `--role ingest`
replica is); and through the IMAP poller of the service from a real Dovecot folder (cases_imap). Then
two ingesters at once: 2 worker processes that are both given every mail of a further set of M fresh
mails at the same time, as a redelivery or two pollers would; the dedupe must store each once. After
every run the database is counted and compared with what was sent (cases_counts): nothing lost, nothing
doubled, every outcome as predicted, one case per case-opening mail, one case message per mail on a case.
"""

import asyncio
import time
from collections import Counter
from typing import Any

from bench import cases_corpus, cases_imap, cases_workers
from bench.cases_corpus import Load
from bench.cases_counts import checks, stored
from bench.cases_workers import Mode, Taken
from bench.stack import Stack, settled
from bench.stats import latency_summary, rate, row
from crm_cases.bootstrap import MIGRATIONS
from crm_shared.db.engine import create_engine
from crm_shared.db.migrations import upgrade

MAILBOX = "backlog@bench.example"
SEGMENT = 1000


async def measure(
    stack: Stack, count: int, workers: int, reply_share: float, overlap: int, imap: bool, limit_s: float
) -> dict[str, Any]:
    corpus = cases_corpus.originals(MAILBOX)
    load = cases_corpus.backlog(corpus, count, reply_share, "b")
    deadline = time.monotonic() + limit_s
    result: dict[str, Any] = {
        "corpus": {"checks": [_tagging(corpus)]},
        "messages": count,
        "replies": load.replies,
        "bytes": sum(len(raw) for raw in load.messages),
        "expected_outcomes": dict(load.expected),
        "one_worker": await _run(stack, load, 1, "share", deadline),
        "workers": await _run(stack, load, workers, "share", deadline),
        "two_ingesters_at_once": await _run(
            stack, cases_corpus.backlog(corpus, overlap, reply_share, "o"), 2, "each", deadline
        ),
    }
    if imap:
        result["imap"] = await cases_imap.measure(stack, load, MAILBOX, deadline - time.monotonic())
    else:
        result["imap"] = {"skipped": "--no-cases-imap"}
    result["table"] = _table(result, count, workers, overlap)
    return result


async def _run(stack: Stack, load: Load, workers: int, mode: Mode, deadline: float) -> dict[str, Any]:
    url = stack.database("cases_backlog")
    await asyncio.to_thread(upgrade, database_url=url, script_location=MIGRATIONS)
    quiet = await settled()
    limit = deadline - time.monotonic()
    started, taken = await asyncio.to_thread(
        cases_workers.run, url, load.messages, workers, mode, MAILBOX, limit
    )
    engine = create_engine(url, pool_size=1)
    try:
        found = await stored(engine, MAILBOX)
    finally:
        await engine.dispose()
    delivered = len(load.messages) * (workers if mode == "each" else 1)
    return {
        "workers": workers,
        "mode": mode,
        "settled": quiet,
        **_timing(started, taken),
        "deliveries": delivered,
        "taken": dict(Counter(t.outcome for t in taken)),
        "retried": sum(t.attempts > 1 for t in taken),
        "errors": sorted({t.error for t in taken if t.error})[:5],
        "stored": found,
        "checks": checks(found, len(load.messages), load.expected),
    }


def _tagging(corpus: list[cases_corpus.Original]) -> dict[str, Any]:
    """Replies answer the Message-ID and sender a copy is predicted to have: each copy must parse so."""
    wrong = cases_corpus.check_tagging(corpus)
    what = "copies parse to the tagged Message-ID and sender"
    return {"what": what, "expected": [], "found": wrong, "ok": not wrong}


def _timing(started: float, taken: list[Taken]) -> dict[str, Any]:
    """`taken` sorted by commit time. Throughput from the start signal to the last commit; the first
    and last SEGMENT commits show how the rate moves as the tables grow."""
    commits = [t.committed_at for t in taken]
    first, last = commits[0], commits[-1]
    segment = min(SEGMENT, len(commits) // 2)
    return {
        "first_to_last_commit_s": round(last - first, 2),
        "start_to_last_commit_s": round(last - started, 2),
        "per_s": rate(len(commits), last - started),
        "first_segment_per_s": rate(segment, commits[segment - 1] - started),
        "last_segment_per_s": rate(segment, last - commits[-segment - 1]),
        "segment": segment,
        "latency": latency_summary([t.seconds for t in taken]),
    }


def _table(result: dict[str, Any], count: int, workers: int, overlap: int) -> list[dict[str, Any]]:
    one, many, both = result["one_worker"], result["workers"], result["two_ingesters_at_once"]
    seconds = one["first_to_last_commit_s"]
    rows = [
        row(f"C2 backlog of {count}, 1 worker: first to last commit", seconds, None, "s"),
        row("  1 worker", one["per_s"], None, "msg/s"),
        row(f"  last {one['segment']} vs first {one['segment']}", one["last_segment_per_s"],
            one["first_segment_per_s"], "msg/s"),
        row(f"C2 backlog, {workers} workers vs 1", many["first_to_last_commit_s"], seconds, "s"),
        row(f"  {workers} workers vs 1", many["per_s"], one["per_s"], "msg/s"),
        row(f"C2 2 ingesters given the same {overlap}: stored vs sent", both["stored"]["raw_messages"],
            overlap, "mails"),
        row("  2 ingesters, each mail twice at once", both["per_s"], None, "deliveries/s"),
    ]  # fmt: skip
    imap = result["imap"]
    if "skipped" not in imap:
        rows += [
            row("C2 backlog via IMAP poller vs 1 worker", imap["first_to_last_commit_s"], seconds, "s"),
            row("  IMAP poller vs 1 worker", imap["per_s"], one["per_s"], "msg/s"),
        ]
    return rows
