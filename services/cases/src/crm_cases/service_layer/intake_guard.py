"""Every delivered mail is kept: taken in by the intake, else its raw bytes quarantined, else refused
for now. A mail is never answered "try later" for a fault of its own.

1. The intake runs in its own transaction. A transient database fault (connection lost, deadlock,
   serialization failure, server restarting) is retried in place, ATTEMPTS times with backoff.
2. Any other failure is the mail's: the database refused something in it, or the code met a case
   it does not handle. Its raw bytes are then stored alone, in a fresh transaction, and quarantined
   with the reason (the failure's kind and SQLSTATE, never its message, which may quote the mail);
   it can be re-processed once the cause is fixed.
3. Only when even that cannot be written (the database is down) is `IntakeUnavailable` raised: SMTP
   answers 451, the webhook 503, the IMAP poller leaves the mail for its next poll. A mail that keeps
   failing transiently is quarantined at its MAX_DELIVERIES-th delivery, so none is retried forever.

The intake and the quarantine are use cases, each run by the listener's system bus in a transaction of
its own; this module only decides, around those runs, whether to retry, fall back or give up.
"""

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import TypeVar

import structlog

from crm_cases.adapters.db_faults import describe, is_transient
from crm_cases.domain.intake_policy import IntakePolicy, Source
from crm_cases.service_layer import intake_rejections
from crm_cases.service_layer.intake import DEFAULT_POLICY, IntakeResult, delivery, take_delivery
from crm_cases.service_layer.unit_of_work import CasesUnitOfWork
from crm_shared.service_layer import Bus

log = structlog.get_logger()

ATTEMPTS = 3
BACKOFF_S = 0.1
MAX_DELIVERIES = 5

T = TypeVar("T")
Take = Callable[[], Awaitable[T]]
"""One attempt at the intake: a use case run by the bus (committed, or rolled back if it raises)."""
Quarantine = Callable[[str], Awaitable[T]]
"""The raw mail kept in quarantine with the reason: a use case run by the bus, in a fresh transaction."""


class IntakeUnavailable(Exception):
    """Not even the raw mail could be stored: the sender must keep it and deliver it again."""


class FailedDeliveries:
    """How many deliveries of each mail (by digest) failed transiently, in this process: a bounded
    memory, forgotten once the mail is kept."""

    def __init__(self, capacity: int = 10_000) -> None:
        self._counts: OrderedDict[str, int] = OrderedDict()
        self._capacity = capacity

    def count(self, digest: str) -> int:
        self._counts[digest] = self._counts.pop(digest, 0) + 1
        while len(self._counts) > self._capacity:
            self._counts.popitem(last=False)
        return self._counts[digest]

    def forget(self, digest: str) -> None:
        self._counts.pop(digest, None)


FAILED = FailedDeliveries()


async def kept(
    take: Take[T], quarantine: Quarantine[T], *, digest: str, failed: FailedDeliveries = FAILED
) -> T:
    """`take` (the intake) committed, else `quarantine` (the raw mail) committed, else IntakeUnavailable."""
    fault: Exception | None = None
    for attempt in range(ATTEMPTS):
        if attempt:
            await asyncio.sleep(BACKOFF_S * 2 ** (attempt - 1))
        try:
            result = await take()
        except Exception as exc:
            if not is_transient(exc):
                reason = f"the intake failed: {describe(exc)}"
                return await _quarantined(quarantine, reason, digest, failed)
            log.warning("cases.mail.intake_retry", error=describe(exc), attempt=attempt + 1)
            fault = exc
        else:
            failed.forget(digest)
            return result
    deliveries = failed.count(digest)
    if deliveries < MAX_DELIVERIES:
        raise IntakeUnavailable(describe(fault or Exception())) from fault
    reason = f"the intake failed at {deliveries} deliveries: {describe(fault or Exception())}"
    return await _quarantined(quarantine, reason, digest, failed)


async def _quarantined(quarantine: Quarantine[T], reason: str, digest: str, failed: FailedDeliveries) -> T:
    log.error("cases.mail.quarantined_unprocessable", reason=reason, digest=digest[:16])
    try:
        result = await quarantine(reason)
    except Exception as exc:
        raise IntakeUnavailable(describe(exc)) from exc
    failed.forget(digest)
    return result


async def take_in(
    bus: Bus[CasesUnitOfWork],
    *,
    raw: bytes,
    mailbox: str,
    source: Source,
    envelope_sender: str | None = None,
    policy: IntakePolicy = DEFAULT_POLICY,
) -> IntakeResult:
    """One delivered mail through the intake, kept whatever it holds (see the module's rules)."""
    arrived = delivery(raw, mailbox, source)

    async def take() -> IntakeResult:
        return await bus.execute(
            take_delivery, arrived=arrived, envelope_sender=envelope_sender, policy=policy
        )

    async def quarantine(reason: str) -> IntakeResult:
        return await bus.execute(intake_rejections.quarantine, arrived=arrived, reason=reason)

    return await kept(take, quarantine, digest=arrived.digest)
