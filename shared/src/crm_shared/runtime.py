"""A service process: HTTP API, event consumers and outbox relay, together or apart (`--role`).

Every service describes itself with a `ServiceDefinition` (its bootstrap.py) and gets the same process:
same start-up order, same graceful stop (stop fetching, finish in-flight work, flush the producers).
Only the roles that talk to Kafka touch it: an API-only process starts, serves and is ready with the
broker away (its writes go to the outbox). Readiness checks follow the roles (`readiness`).
"""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Generic, TypeVar

import structlog
from fastapi import APIRouter, Depends, FastAPI, Request
from faststream.kafka import KafkaBroker
from sqlalchemy import MetaData, text

from crm_shared.auth import CurrentUser
from crm_shared.db import SqlUnitOfWork, create_engine
from crm_shared.db.unit_of_work import Translator
from crm_shared.events import EventContext, IntegrationEvent, registered_events, topic_of
from crm_shared.events.base import context_of
from crm_shared.http import create_app
from crm_shared.http.health import ReadinessCheck
from crm_shared.http.routes import Mount
from crm_shared.logging import configure_logging, flush_logs
from crm_shared.messaging.backoff import Backoff
from crm_shared.messaging.consumer import EventConsumer, Handler
from crm_shared.messaging.dead_letters import dead_letter_topic
from crm_shared.messaging.kafka import (
    PRODUCER_SETTINGS,
    create_producer,
    ensure_topics,
    service_topics,
)
from crm_shared.messaging.partition_retries import PartitionRetries
from crm_shared.messaging.producer import RenewableProducer
from crm_shared.messaging.subscription import subscribe
from crm_shared.observability import NotReady
from crm_shared.outbox import OutboxRelay
from crm_shared.service_layer import Bus
from crm_shared.settings import ServiceSettings

log = structlog.get_logger()
U = TypeVar("U", bound=SqlUnitOfWork)
BackgroundTask = Callable[["ServiceRuntime[Any]", asyncio.Event], Awaitable[None]]


class ProcessRole(StrEnum):
    API = "api"
    CONSUMERS = "consumers"
    RELAY = "relay"
    INGEST = "ingest"
    """Intake listeners (SMTP, IMAP pollers) of a service that takes mail in: they scale apart."""


ALL_ROLES = frozenset(ProcessRole)
KAFKA_ROLES = frozenset({ProcessRole.CONSUMERS, ProcessRole.RELAY})


@dataclass(frozen=True)
class ServiceDefinition(Generic[U]):
    name: str
    description: str
    settings: ServiceSettings
    metadata: MetaData
    uow_class: type[U]
    translate: Translator
    routers: Sequence[Mount | APIRouter] = ()
    """Every route of the service, each router under its full prefix."""
    handlers: Mapping[type[IntegrationEvent], Handler] = field(default_factory=dict)
    background: Sequence[BackgroundTask] = ()
    """Extra long-running work of the consumers role (schedulers)."""
    ingesters: Sequence[BackgroundTask] = ()
    """Long-running intake of the ingest role (mail receivers and pollers)."""
    migrations: Path | None = None


class ServiceRuntime(Generic[U]):
    def __init__(self, definition: ServiceDefinition[U], roles: frozenset[ProcessRole]) -> None:
        self.definition = definition
        self.settings = settings = definition.settings
        self.roles = roles
        self.engine = create_engine(settings.database_url)
        self.tables = dict(definition.metadata.tables)
        name = f"crm-{definition.name}"
        self.producer = RenewableProducer(
            lambda: create_producer(settings.kafka, client_id=f"{name}-dead-letters"), name="dead-letters"
        )
        """The consumers' dead-letter producer (the relay has its own)."""
        self.relay = OutboxRelay(
            engine=self.engine,
            tables=self.tables,
            producer_factory=lambda: create_producer(settings.kafka, client_id=f"{name}-relay"),
            poll_interval_s=settings.relay_poll_interval_s,
            backoff=Backoff(settings.relay_backoff_base_s, settings.relay_backoff_cap_s),
            max_outbox_age_s=settings.relay_max_outbox_age_s,
            send_timeout_s=settings.kafka.producer_request_timeout_ms / 1000,
        )
        self.consumer = EventConsumer(
            name=name,
            handlers=definition.handlers,
            uow_factory=self.uow,  # type: ignore[arg-type]  # a SqlUnitOfWork is a ConsumerUnitOfWork
            producer=self.producer,
            max_attempts=settings.consumer_max_attempts,
            retry_base_s=settings.consumer_retry_base_s,
            publish_timeout_s=settings.kafka.producer_request_timeout_ms / 1000,
        )
        self.retries = PartitionRetries(
            name,
            Backoff(settings.consumer_transient_backoff_base_s, settings.consumer_transient_backoff_cap_s),
        )
        # consumer_only: no FastStream producer nor admin client (events leave through the relay).
        self.broker = KafkaBroker(
            settings.kafka.bootstrap_servers,
            retry_backoff_ms=settings.kafka.retry_backoff_ms,
            consumer_only=True,
            **PRODUCER_SETTINGS,
        )
        if ProcessRole.CONSUMERS in roles and definition.handlers:
            subscribe(self.broker, self.consumer, group_id=name, retries=self.retries)
        _document_publications(self.broker, definition.name)
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    def uow(self, context: EventContext) -> U:
        return self.definition.uow_class(
            self.engine, tables=self.tables, translate=self.definition.translate, context=context
        )

    def app(self) -> FastAPI:
        configure_logging(
            service=self.definition.name,
            log_format=self.settings.log_format,
            level=self.settings.log_level,
            options=self.settings.logs,
        )
        routers = self.definition.routers if ProcessRole.API in self.roles else ()
        return create_app(
            title=f"CRM {self.definition.name}",
            description=self.definition.description,
            routers=routers,
            auth=self.settings.auth,
            readiness=self.readiness(),
            liveness={"tasks": self._check_tasks},
            lifespan=self.lifespan,
            state={"runtime": self},
            limits=self.settings.http,
        )

    @asynccontextmanager
    async def lifespan(self, _app: FastAPI) -> AsyncIterator[None]:
        await self.start()
        try:
            yield
        finally:
            await self.stop()

    def readiness(self) -> dict[str, ReadinessCheck]:
        """What this process needs to do its roles' work: an API-only process, its database alone."""
        checks: dict[str, ReadinessCheck] = {"database": self._check_database}
        if ProcessRole.CONSUMERS in self.roles and self.definition.handlers:
            checks["broker"] = self._check_broker
            checks["consumers"] = self.retries.check
        if ProcessRole.RELAY in self.roles:
            checks["relay"] = self.relay.health.check
        if self.roles - {ProcessRole.API}:
            checks["tasks"] = self._check_tasks
        return checks

    async def start(self) -> None:
        self._stop.clear()
        if self.roles & KAFKA_ROLES:
            # Also the topics it consumes: a consumer must not wait minutes for a producer's first start.
            consumed = [t for topic in self.consumer.topics for t in (topic, dead_letter_topic(topic))]
            await ensure_topics(self.settings.kafka, [*service_topics(self.definition.name), *consumed])
        if ProcessRole.CONSUMERS in self.roles:
            await self.broker.start()
            self._spawn(*(task(self, self._stop) for task in self.definition.background))
        if ProcessRole.RELAY in self.roles:
            self._spawn(self.relay.run(self._stop))
        if ProcessRole.INGEST in self.roles:
            self._spawn(*(task(self, self._stop) for task in self.definition.ingesters))
        log.info("service.started", roles=sorted(r.value for r in self.roles))

    async def stop(self) -> None:
        self._stop.set()
        await self.broker.stop()  # stop fetching; the record in hand is finished first
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=15)
        for task in self._tasks:
            task.cancel()
        self._tasks.clear()
        self.retries.close()
        await self.producer.stop()  # flushes what is queued
        await self.engine.dispose()
        log.info("service.stopped")
        await asyncio.to_thread(flush_logs)

    def _spawn(self, *coroutines: Awaitable[None]) -> None:
        for coroutine in coroutines:
            task = asyncio.ensure_future(coroutine)
            task.add_done_callback(self._task_ended)
            self._tasks.append(task)

    def _task_ended(self, task: asyncio.Future[None]) -> None:
        if not task.cancelled() and task.exception() is not None:
            log.error("service.task.crashed", task=repr(task), error=repr(task.exception()))

    async def _check_tasks(self) -> None:
        """A relay, scheduler or mail receiver that died: unready, and not live (so it is restarted)."""
        if not self._stop.is_set():
            ended = [t for t in self._tasks if t.done()]
            if ended:
                raise NotReady(f"{len(ended)} background task(s) ended: restart the process")

    async def _check_database(self) -> None:
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def _check_broker(self) -> None:
        """The consumers' own client reaches the broker (a metadata request)."""
        for subscriber in self.broker.subscribers:
            client = getattr(subscriber, "consumer", None)
            if client is None:
                raise NotReady("consumer not started")
            await client.topics()


def _document_publications(broker: KafkaBroker, context: str) -> None:
    """Declare the events this service publishes, for its AsyncAPI document (the relay sends them)."""
    for event_type, event_cls in registered_events().items():
        if context_of(event_type) == context:
            broker.publisher(
                topic_of(event_type),
                title=event_type,
                description=(event_cls.__doc__ or event_type).strip(),
                schema=event_cls,
            )


def get_runtime(request: Request) -> ServiceRuntime[Any]:
    runtime: ServiceRuntime[Any] = request.app.state.runtime
    return runtime


def get_bus(request: Request, actor: CurrentUser) -> Bus[Any]:
    runtime = get_runtime(request)
    # The request's trace (continued or started by the request middleware), so every event has one.
    context = EventContext(
        correlation_id=request.state.request_id,
        traceparent=request.state.traceparent,
    )
    return Bus(uow_factory=runtime.uow, actor=actor, context=context)


BusDep = Annotated[Bus[Any], Depends(get_bus)]
