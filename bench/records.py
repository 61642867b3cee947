"""Events and Kafka records shared by the benchmarks, built exactly as the services build them."""

import asyncio
import json
from collections.abc import Sequence
from dataclasses import dataclass

from aiokafka import AIOKafkaProducer

from crm_shared.events import Envelope, EventContext, IntegrationEvent, topic_of
from crm_shared.events.envelope import encode_headers
from crm_shared.events.leads import ConvertedDeal, LeadConverted, LeadCreated
from crm_shared.ids import new_id
from crm_shared.messaging.kafka import PRODUCER_SETTINGS

CONTEXT = EventContext(correlation_id="bench")
LEADS_TOPIC = "crm.leads.events"


@dataclass(frozen=True)
class RawRecord:
    topic: str
    key: bytes
    value: bytes
    headers: list[tuple[str, bytes]]

    @property
    def size(self) -> int:
        return len(self.key) + len(self.value) + sum(len(k) + len(v) for k, v in self.headers)


def lead_created() -> LeadCreated:
    return LeadCreated(
        lead_id=new_id(),
        first_name="Ada",
        last_name="Lovelace",
        company_name="Analytical Engines",
        email="ada@analytical.example",
        owner_id="bench-sales",
        source="bench",
    )


def lead_converted() -> LeadConverted:
    return LeadConverted(
        lead_id=new_id(),
        account_id=new_id(),
        contact_id=new_id(),
        deal=ConvertedDeal(
            title="Website redesign", amount_minor=500_000, currency="EUR", owner_id="sales-1"
        ),
        converted_by="sales-1",
    )


def compact_json(payload: object) -> bytes:
    """How the relay serialises an outbox payload."""
    return json.dumps(payload, separators=(",", ":")).encode()


def raw_record(event: IntegrationEvent) -> RawRecord:
    """The record a relay sends for `event`: CloudEvents headers, compact JSON value."""
    return RawRecord(
        topic=topic_of(event.event_type),
        key=event.aggregate_id.encode(),
        value=compact_json(event.model_dump(mode="json")),
        headers=encode_headers(Envelope.for_event(event, CONTEXT).to_headers()),
    )


def safe_producer(bootstrap: str, client_id: str) -> AIOKafkaProducer:
    """The services' producer settings (acks=all, idempotence, linger), without the services."""
    return AIOKafkaProducer(bootstrap_servers=bootstrap, client_id=client_id, **PRODUCER_SETTINGS)


async def send_batched(
    producer: AIOKafkaProducer, records: Sequence[RawRecord], *, batch: int, topic: str | None = None
) -> None:
    """Queue `batch` records, then await their acknowledgements: the relay's own pattern."""
    for start in range(0, len(records), batch):
        deliveries = [
            await producer.send(topic or r.topic, value=r.value, key=r.key, headers=r.headers)
            for r in records[start : start + batch]
        ]
        await asyncio.gather(*deliveries)
