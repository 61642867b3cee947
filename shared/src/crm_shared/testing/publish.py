"""Publishes integration events to Kafka exactly as a service's outbox relay would, for tests."""

from aiokafka import AIOKafkaProducer

from crm_shared.events import Envelope, EventContext, IntegrationEvent, topic_of
from crm_shared.events.envelope import encode_headers


async def publish_event(
    bootstrap_servers: str, event: IntegrationEvent, *, envelope: Envelope | None = None
) -> Envelope:
    """Send one CloudEvent record; pass the same envelope twice to simulate a redelivery."""
    envelope = envelope or Envelope.for_event(event, EventContext(correlation_id="test"))
    await publish_raw(
        bootstrap_servers,
        topic_of(event.event_type),
        key=event.aggregate_id.encode(),
        value=event.model_dump_json().encode(),
        headers=envelope.to_headers(),
    )
    return envelope


async def publish_raw(
    bootstrap_servers: str, topic: str, *, key: bytes | None, value: bytes | None, headers: dict[str, str]
) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap_servers, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        await producer.send_and_wait(topic, value=value, key=key, headers=encode_headers(headers))
    finally:
        await producer.stop()
