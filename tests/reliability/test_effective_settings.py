"""The Kafka clients a started service really uses: an idempotent acks=all producer, manual commits."""

import pytest

from crm_shared.events.deals import DealCreated
from crm_shared.messaging.kafka import effective_consumer_settings, effective_producer_settings
from tests.reliability.helpers import (
    DEALS_GROUP,
    DEALS_TOPIC,
    Services,
    TopicTail,
    lead_converted,
    send_event,
)

pytestmark = pytest.mark.reliability


async def test_a_started_service_publishes_idempotently_and_commits_by_hand(
    services: Services, kafka_bootstrap: str
):
    deals = await services.deals()
    runtime = deals.runtime
    event, envelope = lead_converted()
    async with TopicTail(kafka_bootstrap, DEALS_TOPIC) as tail:  # the relay sends with its own producer
        await send_event(kafka_bootstrap, event, envelope)
        await tail.wait_for(lambda s: s.about(DealCreated.event_type, lead_id=event.lead_id), "DealCreated")

    relay_producer = runtime.relay.producer.current
    assert relay_producer is not None
    assert effective_producer_settings(relay_producer) == {"acks": -1, "idempotent": True}
    assert relay_producer._txn_manager.producer_id >= 0  # the broker handed out a producer id
    dead_letters = await runtime.producer.get()  # made on the first dead letter, with the same settings
    assert effective_producer_settings(dead_letters) == {"acks": -1, "idempotent": True}

    consumers = effective_consumer_settings(runtime.broker)
    assert consumers, "no started subscriber"
    for consumer in consumers:
        assert consumer["enable_auto_commit"] is False
        assert consumer["group_id"] == DEALS_GROUP
        assert consumer["auto_offset_reset"] == "earliest"
