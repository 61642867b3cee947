"""At-least-once delivery, exactly-once effects: a redelivered event changes nothing the second time."""

import pytest

from crm_shared.events.deals import DealCreated
from tests.reliability.helpers import (
    DEALS_GROUP,
    DEALS_TOPIC,
    LEADS_TOPIC,
    Services,
    TopicTail,
    count_rows,
    lead_converted,
    send_event,
    wait_consumed,
    wait_outbox_published,
)

pytestmark = pytest.mark.reliability


async def test_the_same_lead_converted_three_times_opens_one_deal(services: Services, kafka_bootstrap: str):
    deals = await services.deals()
    event, envelope = lead_converted()
    async with TopicTail(kafka_bootstrap, DEALS_TOPIC) as published:
        sent = [await send_event(kafka_bootstrap, event, envelope) for _ in range(3)]
        assert len({partition for partition, _ in sent}) == 1  # one key, one partition, in order
        await wait_consumed(kafka_bootstrap, LEADS_TOPIC, *sent[-1])
        await wait_outbox_published(deals.runtime)
        seen = await published.drain()

    assert await count_rows(deals.runtime, "deals", lead_id=event.lead_id) == 1
    assert await count_rows(deals.runtime, "inbox", consumer=DEALS_GROUP, event_id=envelope.id) == 1
    created = [s for s in seen if s.about(DealCreated.event_type, lead_id=event.lead_id)]
    assert len(created) == 1, [s.headers for s in created]
    assert created[0].headers["causation_id"] == str(envelope.id)
