"""Cases suite: ingest worker processes for the backlog benchmark.

Each worker is a process of its own, as a replica of `crm-cases serve --role ingest` is: own event loop,
connection pool and interpreter lock. It takes one mail at a time through
`crm_cases.service_layer.intake.ingest_email` in one unit of work, committed, as the SMTP handler does;
a mail that fails is tried again (3 attempts, as a sending server retries after a 451). Mode `share`:
the workers take the next mail from one shared counter (each mail once, in order). Mode `each`: every
worker takes every mail, so each mail is delivered to all of them at the same time (the dedupe must keep
one). The workers start together once all are connected; start-up is not timed.
"""

import asyncio
import itertools
import multiprocessing
import pickle
import tempfile
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from bench.cases_corpus import ENVELOPE_SENDER
from crm_cases.bootstrap import definition
from crm_cases.config import Settings
from crm_cases.domain.intake_policy import IntakePolicy
from crm_cases.service_layer.intake import ingest_email
from crm_cases.service_layer.intake_admin import policy_of
from crm_shared.events import EventContext
from crm_shared.ids import new_id
from crm_shared.logging import configure_logging
from crm_shared.runtime import ServiceRuntime

ATTEMPTS = 3
START_LIMIT_S = 120.0
Mode = Literal["share", "each"]


@dataclass(frozen=True)
class Job:
    database_url: str
    messages_path: str
    mailbox: str
    mode: Mode


@dataclass(frozen=True)
class Taken:
    index: int
    committed_at: float
    """time.time() after the commit (or after the last failed attempt)."""
    seconds: float
    """From taking the mail to its commit, attempts included."""
    outcome: str
    """The intake's outcome, "duplicate" when the mail was already stored, "failed" after ATTEMPTS."""
    attempts: int
    error: str | None = None


def run(
    database_url: str, messages: list[bytes], workers: int, mode: Mode, mailbox: str, limit_s: float
) -> tuple[float, list[Taken]]:
    """Blocking: start `workers` processes, release them together; (start time, every mail taken)."""
    context = multiprocessing.get_context("spawn")  # a fresh interpreter: no loop or pool inherited
    with tempfile.TemporaryDirectory(prefix="bench-cases-") as tmp:
        path = Path(tmp) / "messages.pickle"
        path.write_bytes(pickle.dumps(messages, protocol=pickle.HIGHEST_PROTOCOL))
        job = Job(database_url, str(path), mailbox, mode)
        counter, start, queue = context.Value("q", 0), context.Event(), context.Queue()
        processes = [
            context.Process(target=_main, args=(job, n, counter, start, queue), name=f"bench-ingest-{n}")
            for n in range(workers)
        ]
        for process in processes:
            process.start()
        try:
            _expect(queue, "ready", workers, START_LIMIT_S)
            started = time.time()
            start.set()
            done = _expect(queue, "done", workers, limit_s)
        finally:
            for process in processes:
                process.join(timeout=10)
                if process.is_alive():
                    process.terminate()
                    process.join()
    return started, sorted((t for taken in done for t in taken), key=lambda t: t.committed_at)


def _expect(queue: Any, what: str, workers: int, limit_s: float) -> list[Any]:
    deadline = time.monotonic() + limit_s
    payloads = []
    for _ in range(workers):
        kind, worker, payload = queue.get(timeout=max(deadline - time.monotonic(), 0.1))
        if kind == "error":
            raise RuntimeError(f"ingest worker {worker} failed:\n{payload}")
        if kind != what:
            raise RuntimeError(f"ingest worker {worker} sent {kind}, expected {what}")
        payloads.append(payload)
    return payloads


def _main(job: Job, worker: int, counter: Any, start: Any, queue: Any) -> None:
    try:
        messages: list[bytes] = pickle.loads(Path(job.messages_path).read_bytes())
        asyncio.run(_work(job, messages, worker, counter, start, queue))
    except BaseException:
        queue.put(("error", worker, traceback.format_exc()))


async def _work(job: Job, messages: list[bytes], worker: int, counter: Any, start: Any, queue: Any) -> None:
    settings = Settings(database_url=job.database_url, log_format="json")
    configure_logging(service="cases", log_format="json", level=settings.log_level)
    runtime: ServiceRuntime[Any] = ServiceRuntime(definition(settings), frozenset())
    try:
        async with runtime.engine.connect():  # the pool's first connection, before the clock starts
            pass
        queue.put(("ready", worker, None))
        await asyncio.to_thread(start.wait)
        own, policy = itertools.count(), policy_of(settings)
        taken = []
        while (index := _next(counter) if job.mode == "share" else next(own)) < len(messages):
            taken.append(await _take(runtime, policy, job.mailbox, index, messages[index]))
        queue.put(("done", worker, taken))
    finally:
        await runtime.producer.stop()  # never started; closes its client
        await runtime.engine.dispose()


def _next(counter: Any) -> int:
    with counter.get_lock():
        index: int = counter.value
        counter.value = index + 1
    return index


async def _take(
    runtime: ServiceRuntime[Any], policy: IntakePolicy, mailbox: str, index: int, raw: bytes
) -> Taken:
    began, error = time.perf_counter(), None
    for attempt in range(1, ATTEMPTS + 1):
        try:
            async with runtime.uow(EventContext(correlation_id=str(new_id()))) as uow:
                result = await ingest_email(
                    uow=uow,
                    raw=raw,
                    mailbox=mailbox,
                    envelope_sender=ENVELOPE_SENDER,
                    source="smtp",
                    policy=policy,
                )
                await uow.commit()
        except Exception as exc:  # rolled back by the unit of work; tried again
            error = f"{type(exc).__name__}: {exc}"[:500]
            continue
        outcome = str(result.outcome) if result.outcome else "duplicate"
        return Taken(index, time.time(), time.perf_counter() - began, outcome, attempt, error)
    return Taken(index, time.time(), time.perf_counter() - began, "failed", ATTEMPTS, error)
