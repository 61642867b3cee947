"""Consuming integration events: decode, dispatch by type, apply once, acknowledge after commit.

Per record: the CloudEvents headers and the JSON payload are validated (a record that cannot be read
is a poison message: straight to the dead-letter topic); unknown types are skipped; the handler runs in
one unit of work that also records (consumer, event id) in the inbox, so a redelivered event is skipped.
A transient fault (database or broker unreachable, see `faults`) is raised as `TransientFault`: the
caller retries the record later, for as long as it takes, and never dead-letters it. Other failures
are retried a bounded number of times, then the record is dead-lettered with its reason.
The offset is committed only once the record is applied, skipped or safely dead-lettered.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

import structlog
from pydantic import ValidationError

from crm_shared.events import Envelope, EnvelopeError, EventContext, IntegrationEvent, topic_of
from crm_shared.events.envelope import decode_headers
from crm_shared.messaging.dead_letters import publish_dead_letter
from crm_shared.messaging.faults import fault_name, is_transient
from crm_shared.messaging.producer import RenewableProducer
from crm_shared.observability import EVENTS_HANDLED
from crm_shared.tracing import continue_or_start

log = structlog.get_logger()


class Outcome(StrEnum):
    APPLIED = "applied"
    DUPLICATE = "duplicate"
    IGNORED = "ignored"
    DEAD_LETTERED = "dead_lettered"


class PoisonMessage(Exception):
    """The record can never be applied, whatever the number of attempts."""


class TransientFault(Exception):
    """The record could not be handled because a dependency is away: retry it later, unchanged."""

    def __init__(self, cause: BaseException) -> None:
        super().__init__(fault_name(cause))
        self.cause = cause


@dataclass(frozen=True)
class IncomingRecord:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: tuple[tuple[str, bytes], ...]
    replay_of: str | None = None
    """For a record replayed from the dead-letter topic: where that dead letter is."""

    @classmethod
    def of(cls, record: Any) -> "IncomingRecord":
        return cls(
            record.topic,
            record.partition,
            record.offset,
            record.key,
            record.value,
            tuple((key, value or b"") for key, value in record.headers or ()),  # a header may be null
        )


class ConsumerUnitOfWork(Protocol):
    async def __aenter__(self) -> Any: ...
    async def __aexit__(self, *exc: object) -> None: ...
    async def claim_inbox(self, *, consumer: str, envelope: Envelope) -> bool: ...
    async def commit(self) -> None: ...


Handler = Callable[..., Awaitable[None]]
"""`async def handler(event, *, uow, envelope) -> None`; raise PoisonMessage for a permanent refusal."""


class EventConsumer:
    def __init__(
        self,
        *,
        name: str,
        handlers: Mapping[type[IntegrationEvent], Handler],
        uow_factory: Callable[[EventContext], ConsumerUnitOfWork],
        producer: RenewableProducer,
        max_attempts: int = 4,
        retry_base_s: float = 0.2,
        publish_timeout_s: float = 40.0,
    ) -> None:
        self.name = name
        self._handlers = {cls.event_type: (cls, h) for cls, h in handlers.items()}
        self._uow_factory = uow_factory
        self._producer = producer
        self._max_attempts = max_attempts
        self._retry_base_s = retry_base_s
        self._publish_timeout_s = publish_timeout_s

    @property
    def topics(self) -> list[str]:
        return sorted({topic_of(event_type) for event_type in self._handlers})

    async def process(self, record: IncomingRecord) -> Outcome:
        started = time.perf_counter()
        try:
            envelope, event, handler = self._decode(record)
        except PoisonMessage as exc:
            return await self._dead_letter(record, error=f"poison: {exc}", attempts=1)
        if event is None or handler is None:
            return self._done(Outcome.IGNORED, envelope, started)
        structlog.contextvars.bind_contextvars(event_id=str(envelope.id), event_type=envelope.type)
        try:
            return await self._apply_with_retries(record, envelope, event, handler, started)
        finally:
            structlog.contextvars.unbind_contextvars("event_id", "event_type")

    async def _apply_with_retries(
        self,
        record: IncomingRecord,
        envelope: Envelope,
        event: IntegrationEvent,
        handler: Handler,
        started: float,
    ) -> Outcome:
        for attempt in range(1, self._max_attempts + 1):
            try:
                applied = await self._apply(envelope, event, handler)
                return self._done(Outcome.APPLIED if applied else Outcome.DUPLICATE, envelope, started)
            except PoisonMessage as exc:
                return await self._dead_letter(record, error=f"refused: {exc}", attempts=attempt)
            except Exception as exc:
                if is_transient(exc):
                    raise TransientFault(exc) from exc
                log.warning("consumer.event.failed", consumer=self.name, attempt=attempt, error=repr(exc))
                if attempt == self._max_attempts:
                    return await self._dead_letter(record, error=repr(exc), attempts=attempt)
                await asyncio.sleep(self._retry_base_s * 2 ** (attempt - 1))
        raise AssertionError("unreachable")

    async def _apply(self, envelope: Envelope, event: IntegrationEvent, handler: Handler) -> bool:
        context = EventContext(
            correlation_id=envelope.correlation_id or str(envelope.id),
            causation_id=str(envelope.id),
            traceparent=continue_or_start(envelope.traceparent),
        )
        async with self._uow_factory(context) as uow:
            if not await uow.claim_inbox(consumer=self.name, envelope=envelope):
                return False
            await handler(event, uow=uow, envelope=envelope)
            await uow.commit()
        return True

    def _decode(self, record: IncomingRecord) -> tuple[Envelope, IntegrationEvent | None, Handler | None]:
        try:
            envelope = Envelope.from_headers(decode_headers(record.headers))
        except EnvelopeError as exc:
            raise PoisonMessage(str(exc)) from exc
        known = self._handlers.get(envelope.type)
        if known is None:
            return envelope, None, None
        event_cls, handler = known
        try:
            event = event_cls.model_validate_json(record.value or b"")
        except ValidationError as exc:
            raise PoisonMessage(f"payload does not match {envelope.type}: {exc}") from exc
        return envelope, event, handler

    async def _dead_letter(self, record: IncomingRecord, *, error: str, attempts: int) -> Outcome:
        try:
            # Bounded: an idempotent producer retries an unanswered send forever, and a handler that
            # blocks past max_poll_interval_ms would cost the consumer its group membership.
            await asyncio.wait_for(
                self._publish_dead_letter(record, error, attempts), self._publish_timeout_s
            )
        except Exception as exc:  # the broker is away: keep the record, retry it later
            await self._producer.renew(exc)
            raise TransientFault(exc) from exc
        log.error(
            "consumer.event.dead_lettered",
            consumer=self.name,
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            error=error,
        )
        EVENTS_HANDLED.labels(consumer=self.name, outcome=Outcome.DEAD_LETTERED).inc()
        return Outcome.DEAD_LETTERED

    async def _publish_dead_letter(self, record: IncomingRecord, error: str, attempts: int) -> None:
        producer = await self._producer.get()
        await publish_dead_letter(producer, record, consumer=self.name, error=error, attempts=attempts)

    def _done(self, outcome: Outcome, envelope: Envelope, started: float) -> Outcome:
        EVENTS_HANDLED.labels(consumer=self.name, outcome=outcome).inc()
        log.info(
            f"consumer.event.{outcome}",
            consumer=self.name,
            event_id=str(envelope.id),
            event_type=envelope.type,
            duration_ms=round((time.perf_counter() - started) * 1000, 2),
        )
        return outcome
