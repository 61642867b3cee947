"""Cases suite, C1. Intake throughput: the test mails repeated to N (each copy made unique, see
cases_corpus), against plain parsing of the same bytes.

Reference, same run, same bytes: `email.message_from_bytes(raw, policy=email.policy.default)`, then
walking its parts (content type of each, payload of each leaf decoded from its transfer encoding). Also
the project's parse step alone (`crm_cases.adapters.mime.parse_mail`: headers, bodies in any charset,
HTML sanitised, quotes apart, attachments), which splits parse cost from database cost. Subject: the
cases service in-process (ingest role: its SMTP receiver listens), each mail through
`crm_cases.service_layer.intake.ingest_email` in one unit of work, committed, as the SMTP handler does
(parse, classify, dedupe claim, thread lookup, case + message + intake record + outbox rows); then the
same over real SMTP (smtplib clients in threads of this process: one, then C at once). The outbox relay
is off: the events are written in the intake's transaction, publishing them is another process's work.
"""

import asyncio
import dataclasses
import email
import email.policy
import smtplib
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from bench import cases_corpus
from bench.cases_corpus import ENVELOPE_SENDER, Load
from bench.cases_counts import checks, stored
from bench.stack import Stack, settled
from bench.stats import latency_summary, rate, row
from crm_cases.adapters.mime import parse_mail
from crm_cases.bootstrap import MIGRATIONS, definition
from crm_cases.config import Settings
from crm_cases.domain.intake_policy import IntakePolicy
from crm_cases.service_layer.intake import ingest_email
from crm_cases.service_layer.intake_admin import policy_of
from crm_shared.db.migrations import upgrade
from crm_shared.events import EventContext
from crm_shared.ids import new_id
from crm_shared.infra.process import free_port
from crm_shared.runtime import ProcessRole, ServiceRuntime
from crm_shared.testing.service import running_service, wait_listening

WARM_UP = 20
SMTP_TIMEOUT_S = 60.0
MAILBOXES = {
    "direct": "direct@bench.example",
    "smtp_1": "smtp-1@bench.example",
    "smtp_c": "smtp-c@bench.example",
}


async def measure(stack: Stack, count: int, clients: int) -> dict[str, Any]:
    corpus = cases_corpus.originals(MAILBOXES["direct"])
    tags = {"direct": "d", "smtp_1": "s", "smtp_c": "c"}
    loads = {name: cases_corpus.stream(corpus, count, tag) for name, tag in tags.items()}
    settings = Settings(
        database_url=stack.database("cases_intake"),
        kafka=stack.kafka_settings(),
        log_format="json",
        smtp_port=free_port(),
    )
    await asyncio.to_thread(upgrade, database_url=settings.database_url, script_location=MIGRATIONS)
    service = dataclasses.replace(definition(settings), migrations=None)
    async with running_service(service, roles=frozenset({ProcessRole.INGEST})) as cases:
        await wait_listening(settings.smtp_port)
        for raw in cases_corpus.stream(corpus, WARM_UP, "w").messages:
            await _ingest(cases.runtime, policy_of(settings), "warm-up@bench.example", raw)
        result = {"settled": await settled(), **await _runs(cases.runtime, settings, loads, clients)}
        for name, load in loads.items():
            result[name]["stored"] = found = await stored(cases.runtime.engine, MAILBOXES[name])
            result[name]["checks"] = checks(found, count, load.expected, threading=name != "smtp_c")
    return {
        "messages": count,
        "clients": clients,
        "corpus_files": len(corpus),
        "corpus_bytes": sum(len(o.raw) for o in corpus),
        "expected_outcomes": dict(loads["direct"].expected),
        "roles": [ProcessRole.INGEST.value],
        **result,
        "table": _table(result, clients),
    }


async def _runs(
    runtime: ServiceRuntime[Any], settings: Settings, loads: dict[str, Load], clients: int
) -> dict[str, Any]:
    """Plain parse, parse_mail and the in-process intake on the same bytes; then SMTP, on copies of
    their own (other tags: the dedupe would otherwise take them for redeliveries)."""
    policy, messages = policy_of(settings), loads["direct"].messages
    limit = policy.attachment_max_bytes
    return {
        "plain_parse": _timed(messages, _plain_parse),
        "parse_mail": _timed(messages, lambda raw: parse_mail(raw, attachment_max_bytes=limit)),
        "direct": await _direct(runtime, policy, messages),
        "smtp_1": await _smtp(settings.smtp_port, loads["smtp_1"].messages, 1),
        "smtp_c": await _smtp(settings.smtp_port, loads["smtp_c"].messages, clients),
    }


def _table(result: dict[str, Any], clients: int) -> list[dict[str, Any]]:
    plain, direct = result["plain_parse"], result["direct"]
    quantiles = ("p50", "p95", "p99")

    def latencies(label: str, subject: dict[str, Any], reference: dict[str, Any]) -> list[dict[str, Any]]:
        return [row(f"  {label} {q}", subject["latency"][f"{q}_ms"], reference["latency"][f"{q}_ms"], "ms")
                for q in quantiles]  # fmt: skip

    return [
        row("C1 intake in-process vs plain parse", direct["per_s"], plain["per_s"], "msg/s"),
        *latencies("per mail vs plain parse,", direct, plain),
        row("  parse_mail alone vs plain parse", result["parse_mail"]["per_s"], plain["per_s"], "msg/s"),
        *latencies("parse_mail alone vs plain parse,", result["parse_mail"], plain)[:1],
        row("C1 SMTP, 1 client vs plain parse", result["smtp_1"]["per_s"], plain["per_s"], "msg/s"),
        *latencies("1 client vs in-process,", result["smtp_1"], direct),
        row(f"C1 SMTP, {clients} clients vs plain parse", result["smtp_c"]["per_s"], plain["per_s"], "msg/s"),
        *latencies(f"{clients} clients vs in-process,", result["smtp_c"], direct),
    ]


def _plain_parse(raw: bytes) -> None:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    for part in message.walk():
        part.get_content_type()
        if not part.is_multipart():
            part.get_payload(decode=True)


def _timed(messages: list[bytes], parse: Callable[[bytes], object]) -> dict[str, Any]:
    samples = []
    started = time.perf_counter()
    for raw in messages:
        began = time.perf_counter()
        parse(raw)
        samples.append(time.perf_counter() - began)
    wall = time.perf_counter() - started
    return {"per_s": rate(len(messages), wall), "wall_s": round(wall, 3), "latency": latency_summary(samples)}


async def _ingest(runtime: ServiceRuntime[Any], policy: IntakePolicy, mailbox: str, raw: bytes) -> str:
    """One mail as the SMTP handler takes it: one unit of work, committed."""
    async with runtime.uow(EventContext(correlation_id=str(new_id()))) as uow:
        result = await ingest_email(
            uow=uow, raw=raw, mailbox=mailbox, envelope_sender=ENVELOPE_SENDER, source="smtp", policy=policy
        )
        await uow.commit()
    return str(result.outcome) if result.outcome else "duplicate"


async def _direct(
    runtime: ServiceRuntime[Any], policy: IntakePolicy, messages: list[bytes]
) -> dict[str, Any]:
    samples = []
    started = time.perf_counter()
    for raw in messages:
        began = time.perf_counter()
        await _ingest(runtime, policy, MAILBOXES["direct"], raw)
        samples.append(time.perf_counter() - began)
    wall = time.perf_counter() - started
    return {"per_s": rate(len(messages), wall), "wall_s": round(wall, 3), "latency": latency_summary(samples)}


async def _smtp(port: int, messages: list[bytes], clients: int) -> dict[str, Any]:
    """`clients` smtplib connections in threads, each sending the next mail of the list until none is
    left (one MAIL/RCPT/DATA per mail on a kept connection); latency = one `sendmail` call. A mail is
    answered 250 only once its transaction is committed."""
    mailbox = MAILBOXES["smtp_1" if clients == 1 else "smtp_c"]
    feed = _Feed([_crlf(raw) for raw in messages])
    started = time.perf_counter()
    per_client = await asyncio.gather(
        *(asyncio.to_thread(_send_all, port, mailbox, feed) for _ in range(clients))
    )
    wall = time.perf_counter() - started
    samples = [s for client in per_client for s in client]
    return {
        "clients": clients,
        "per_s": rate(len(samples), wall),
        "wall_s": round(wall, 3),
        "latency": latency_summary(samples),
    }


def _crlf(raw: bytes) -> bytes:
    """SMTP's line ending: smtplib sends bytes as they are (it only escapes leading dots), and the
    receiver reads CRLF-terminated lines of at most 1001 octets, so bare-LF mail is converted first, as
    any mail client or relay does."""
    return raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


class _Feed:
    """The next mail for whichever client asks (in order), across threads."""

    def __init__(self, messages: list[bytes]) -> None:
        self._items: Iterator[bytes] = iter(messages)
        self._lock = threading.Lock()

    def next(self) -> bytes | None:
        with self._lock:
            return next(self._items, None)


def _send_all(port: int, mailbox: str, feed: _Feed) -> list[float]:
    samples = []
    with smtplib.SMTP("127.0.0.1", port, timeout=SMTP_TIMEOUT_S) as client:
        while (raw := feed.next()) is not None:
            began = time.perf_counter()
            refused = client.sendmail(ENVELOPE_SENDER, [mailbox], raw)
            samples.append(time.perf_counter() - began)
            if refused:
                raise RuntimeError(f"SMTP refused {refused}")
    return samples
