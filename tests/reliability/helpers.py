"""The reliability suite's tools: services in-process, plain aiokafka reads of what is really on the
topics, records sent by hand, bounded waits and row counts."""

import asyncio
import json
import time
import uuid
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any, TypeVar

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from sqlalchemy import func, select

from crm_deals.bootstrap import definition as deals_definition
from crm_deals.config import Settings as DealsSettings
from crm_leads.bootstrap import definition as leads_definition
from crm_leads.config import Settings as LeadsSettings
from crm_shared.auth import Role
from crm_shared.events import Envelope, EventContext, IntegrationEvent
from crm_shared.events.envelope import encode_headers
from crm_shared.events.leads import ConvertedDeal, LeadConverted
from crm_shared.runtime import ALL_ROLES, ProcessRole, ServiceRuntime
from crm_shared.settings import KafkaSettings
from crm_shared.testing.service import RunningService, auth_headers, running_service

T = TypeVar("T")
LEADS_TOPIC = "crm.leads.events"
DEALS_TOPIC = "crm.deals.events"
DEALS_GROUP = "crm-deals"
SALES = auth_headers("sales-1", Role.SALES)


class Services:
    """Starts services for one test and stops them (last started, first stopped) when it ends."""

    def __init__(self, stack: AsyncExitStack, kafka: KafkaSettings, make_database: Callable[[str], str]):
        self._stack = stack
        self.kafka = kafka
        self._make_database = make_database

    async def leads(self, roles: frozenset[ProcessRole] = ALL_ROLES, **settings: Any) -> RunningService:
        config = LeadsSettings(**self._common("rel_leads") | settings)
        return await self._stack.enter_async_context(running_service(leads_definition(config), roles))

    async def deals(self, roles: frozenset[ProcessRole] = ALL_ROLES, **settings: Any) -> RunningService:
        config = DealsSettings(**self._common("rel_deals") | settings)
        service = await self._stack.enter_async_context(running_service(deals_definition(config), roles))
        if ProcessRole.CONSUMERS in roles:
            await owns_every_partition(service, LEADS_TOPIC)
        return service

    def _common(self, prefix: str) -> dict[str, Any]:
        return {
            "database_url": self._make_database(prefix),
            "kafka": self.kafka,
            "relay_poll_interval_s": 0.2,
        }


async def eventually(probe: Callable[[], Awaitable[T | None]], what: str, timeout_s: float = 20) -> T:
    deadline = time.monotonic() + timeout_s
    while True:
        result = await probe()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s}s waiting for {what}")
        await asyncio.sleep(0.1)


async def owns_every_partition(service: RunningService, topic: str) -> None:
    """Until the service's consumer is assigned all of `topic`: records sent from then on reach it."""
    subscribers = service.runtime.broker.subscribers
    [consumer] = [c for c in (getattr(s, "consumer", None) for s in subscribers) if c is not None]

    async def assigned() -> bool:
        wanted = consumer.partitions_for_topic(topic) or set()
        return bool(wanted) and {tp.partition for tp in consumer.assignment() if tp.topic == topic} == wanted

    group = f"crm-{service.runtime.definition.name}"
    what = f"{group} to own all of {topic}; another member of {group} (a running e2e stack?) holds some"
    await eventually(assigned, what, timeout_s=15)


@dataclass(frozen=True)
class Seen:
    """One record as a plain Kafka client sees it."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: dict[str, str]

    @property
    def type(self) -> str | None:
        return self.headers.get("ce_type")

    @property
    def id(self) -> str | None:
        return self.headers.get("ce_id")

    def payload(self) -> dict[str, Any]:
        return json.loads(self.value) if self.value else {}

    def about(self, event_type: str, **fields: object) -> bool:
        return self.type == event_type and all(self.payload().get(k) == str(v) for k, v in fields.items())


class TopicTail:
    """Every record published on a topic (all partitions) after the tail was opened."""

    def __init__(self, bootstrap: str, topic: str) -> None:
        # No group: the consumer is assigned every partition of the topic when it starts.
        self._consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, enable_auto_commit=False)
        self._topic = topic
        self._partitions: list[TopicPartition] = []
        self.seen: list[Seen] = []

    async def __aenter__(self) -> "TopicTail":
        await self._consumer.start()
        self._partitions = sorted(self._consumer.assignment())
        assert self._partitions, f"{self._topic} has no partitions"
        for partition, end in (await self._consumer.end_offsets(self._partitions)).items():
            self._consumer.seek(partition, end)  # start here, so later records are not skipped
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._consumer.stop()

    async def poll(self) -> list[Seen]:
        batch = await self._consumer.getmany(timeout_ms=200)
        for records in batch.values():
            self.seen.extend(_seen(r) for r in records)
        return self.seen

    async def drain(self) -> list[Seen]:
        """Read up to the topic's current end: everything acknowledged by the broker so far."""
        end = await self._consumer.end_offsets(self._partitions)
        deadline = time.monotonic() + 10
        while any([await self._consumer.position(p) < last for p, last in end.items()]):
            assert time.monotonic() < deadline, f"could not read {self._topic} up to {end}"
            await self.poll()
        return self.seen

    async def wait_for(self, match: Callable[[Seen], bool], what: str, timeout_s: float = 20) -> Seen:
        async def found() -> Seen | None:
            return next((s for s in await self.poll() if match(s)), None)

        return await eventually(found, what, timeout_s)


def _seen(record: Any) -> Seen:
    headers = {k: v.decode(errors="replace") for k, v in record.headers or ()}
    return Seen(record.topic, record.partition, record.offset, record.key, record.value, headers)


async def send_record(
    bootstrap: str, topic: str, *, key: bytes | None, value: bytes | None, headers: list[tuple[str, bytes]]
) -> tuple[int, int]:
    """Publish one record; returns its (partition, offset)."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        meta = await producer.send_and_wait(topic, value=value, key=key, headers=headers)
    finally:
        await producer.stop()
    return meta.partition, meta.offset


async def send_event(
    bootstrap: str, event: IntegrationEvent, envelope: Envelope, *, key: bytes | None = None
) -> tuple[int, int]:
    """Publish a CloudEvent exactly as a relay would (key = aggregate id unless given)."""
    return await send_record(
        bootstrap,
        f"crm.{event.context()}.events",
        key=key or event.aggregate_id.encode(),
        value=event.model_dump_json().encode(),
        headers=encode_headers(envelope.to_headers()),
    )


def lead_converted(amount_minor: int = 250_000) -> tuple[LeadConverted, Envelope]:
    event = LeadConverted(
        lead_id=uuid.uuid4(),
        account_id=uuid.uuid4(),
        contact_id=uuid.uuid4(),
        deal=ConvertedDeal(title="Renewal", amount_minor=amount_minor, currency="EUR", owner_id="sales-1"),
        converted_by="sales-1",
    )
    return event, Envelope.for_event(event, EventContext(correlation_id="reliability"))


async def wait_consumed(
    bootstrap: str, topic: str, partition: int, offset: int, group: str = DEALS_GROUP, timeout_s: float = 30
) -> None:
    """Until `group` has committed past `offset`: that record was applied, skipped or dead-lettered."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    tp = TopicPartition(topic, partition)
    try:

        async def committed() -> bool:
            offsets = await admin.list_consumer_group_offsets(group, partitions=[tp])
            return tp in offsets and offsets[tp].offset > offset

        await eventually(committed, f"{group} to commit past {topic}[{partition}]@{offset}", timeout_s)
    finally:
        await admin.close()


async def count_rows(runtime: ServiceRuntime[Any], table: str, **where: object) -> int:
    columns = runtime.tables[table].c
    query = select(func.count()).select_from(runtime.tables[table])
    for name, value in where.items():
        query = query.where(columns[name] == value)
    async with runtime.engine.connect() as connection:
        return int((await connection.execute(query)).scalar_one())


async def wait_outbox_published(runtime: ServiceRuntime[Any], timeout_s: float = 20) -> None:
    async def empty() -> bool:
        return await count_rows(runtime, "outbox", published_at=None) == 0

    await eventually(empty, f"{runtime.definition.name}'s outbox to be published", timeout_s)


async def create_and_convert_lead(leads: RunningService, *, amount_minor: int = 1_000_000) -> dict[str, Any]:
    """A lead created and converted with a deal over HTTP; returns the conversion's body."""
    lead = await create_lead(leads)
    converted = await leads.http.post(
        f"/v1/leads/{lead['id']}/convert",
        json={"deal": {"title": "Compiler", "amount_minor": amount_minor, "currency": "EUR"}},
        headers=SALES,
    )
    assert converted.status_code == 200, converted.text
    body: dict[str, Any] = converted.json()
    return body


async def create_lead(leads: RunningService, last_name: str = "Hopper") -> dict[str, Any]:
    created = await leads.http.post(
        "/v1/leads",
        json={"last_name": last_name, "company_name": "Cobol Ltd", "email": "grace@cobol.example"},
        headers=SALES,
    )
    assert created.status_code == 201, created.text
    body: dict[str, Any] = created.json()
    return body
