"""DealWon on Kafka -> one contract and one ContractCreated; unreadable records go to the dead letters."""

from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

import pytest
from aiokafka import AIOKafkaProducer
from sqlalchemy import func, select

from crm_quotes.adapters.tables import contracts, metadata
from crm_shared.auth import Role
from crm_shared.events import Envelope, EventContext
from crm_shared.events.deals import DealWon
from crm_shared.events.envelope import encode_headers
from crm_shared.events.quotes import ContractCreated
from crm_shared.testing.kafka_probe import EventProbe
from crm_shared.testing.service import RunningService, auth_headers

pytestmark = pytest.mark.integration

DEALS_TOPIC = "crm.deals.events"
CONTRACT_CREATED = ContractCreated.event_type
CSM = auth_headers("csm-1", Role.CSM)


def deal_won(deal_id: UUID | None = None, **overrides: Any) -> DealWon:
    values: dict[str, Any] = {
        "deal_id": deal_id or uuid4(),
        "title": "Analytical engine",
        "amount_minor": 1_200_000,
        "currency": "EUR",
        "owner_id": "sales-1",
        "account_id": uuid4(),
        "csm_id": "csm-1",
        "from_stage": uuid4(),
        "to_stage": uuid4(),
        "won_at": datetime.fromisoformat("2024-02-29T12:00:00+00:00"),
        "won_by": "sales-1",
    }
    return DealWon(**values | overrides)


def envelope_of(event: DealWon) -> Envelope:
    return Envelope.for_event(event, EventContext(correlation_id="test"))


async def publish(
    producer: AIOKafkaProducer,
    envelope: Envelope,
    value: bytes,
    *,
    partition: int | None = None,
) -> int:
    """Writes one CloudEvent record as the deals service would; returns its partition."""
    sent = await producer.send_and_wait(
        DEALS_TOPIC,
        value=value,
        key=envelope.subject.encode(),
        headers=encode_headers(envelope.to_headers()),
        partition=partition,
    )
    return int(sent.partition)


async def count(service: RunningService, query: Any) -> int:
    async with service.runtime.engine.connect() as connection:
        return int((await connection.execute(query)).scalar_one())


async def test_deal_won_opens_one_contract_whatever_the_deliveries(quotes, deals_producer, kafka_bootstrap):
    won, later = deal_won(), deal_won()
    first = envelope_of(won)
    async with EventProbe(kafka_bootstrap, "crm.quotes.events") as probe:
        partition = await publish(deals_producer, first, won.model_dump_json().encode())
        await publish(deals_producer, first, won.model_dump_json().encode(), partition=partition)
        resent = envelope_of(won)  # the same win under a new event id
        await publish(deals_producer, resent, won.model_dump_json().encode(), partition=partition)
        # Records of one partition are applied in order: once `later` is applied, so are the copies.
        await publish(
            deals_producer, envelope_of(later), later.model_dump_json().encode(), partition=partition
        )
        created = await probe.wait_for(CONTRACT_CREATED, lambda p: p["deal_id"] == str(won.deal_id))
        await probe.wait_for(CONTRACT_CREATED, lambda p: p["deal_id"] == str(later.deal_id))
    seen = [e for e in probe.seen if e.type == CONTRACT_CREATED and e.payload["deal_id"] == str(won.deal_id)]
    assert len(seen) == 1
    outbox = metadata.tables["outbox"]
    assert await count(quotes, select(func.count()).where(contracts.c.deal_id == won.deal_id)) == 1
    written = select(func.count()).where(
        outbox.c.event_type == CONTRACT_CREATED, outbox.c.payload["deal_id"].astext == str(won.deal_id)
    )
    assert await count(quotes, written) == 1
    inbox = metadata.tables["inbox"]
    applied = select(func.count()).where(
        inbox.c.consumer == "crm-quotes", inbox.c.event_id.in_([first.id, resent.id])
    )
    assert await count(quotes, applied) == 2  # both applied (the second as a no-op), none dead-lettered

    assert created.payload == {
        "contract_id": created.payload["contract_id"],
        "deal_id": str(won.deal_id),
        "account_id": str(won.account_id),
        "title": "Analytical engine",
        "start_date": "2024-02-29",
        "end_date": "2025-02-28",
        "budget_minor": 1_200_000,
        "currency": "EUR",
        "owner_id": "sales-1",
        "csm_id": "csm-1",
    }
    assert created.key == created.payload["contract_id"].encode()
    assert created.headers["ce_source"] == "/crm/quotes"
    assert created.headers["causation_id"] == str(first.id)
    assert created.headers["correlation_id"] == "test"

    listed = (await quotes.http.get(f"/v1/contracts?deal_id={won.deal_id}", headers=CSM)).json()
    assert [c["id"] for c in listed["items"]] == [created.payload["contract_id"]]
    assert listed["items"][0]["status"] == "active"
    assert listed["items"][0]["version"] == 1


async def test_unreadable_deal_won_is_dead_lettered_and_consuming_goes_on(
    quotes, deals_producer, kafka_bootstrap
):
    wrong_shape = envelope_of(deal_won())
    bad_value = b'{"deal_id": "not-a-uuid", "title": 42}'
    refused = deal_won(currency="euro")  # a valid shape, but no contract can carry it
    valid = deal_won()
    async with (
        EventProbe(kafka_bootstrap, f"{DEALS_TOPIC}.dlq") as dead_letters,
        EventProbe(kafka_bootstrap, "crm.quotes.events") as probe,
    ):
        partition = await publish(deals_producer, wrong_shape, bad_value)
        await publish(
            deals_producer, envelope_of(refused), refused.model_dump_json().encode(), partition=partition
        )
        await publish(
            deals_producer, envelope_of(valid), valid.model_dump_json().encode(), partition=partition
        )
        await probe.wait_for(CONTRACT_CREATED, lambda p: p["deal_id"] == str(valid.deal_id))
        poison = await dead_letters.wait_for(DealWon.event_type, lambda p: p.get("deal_id") == "not-a-uuid")
        refusal = await dead_letters.wait_for(
            DealWon.event_type, lambda p: p.get("deal_id") == str(refused.deal_id)
        )
    assert poison.headers["dlq_consumer"] == "crm-quotes"
    assert poison.headers["ce_id"] == str(wrong_shape.id)
    assert poison.headers["dlq_error"].startswith("poison: payload does not match")
    assert poison.headers["dlq_original_topic"] == DEALS_TOPIC
    assert poison.key == wrong_shape.subject.encode()
    assert refusal.headers["dlq_consumer"] == "crm-quotes"
    assert refusal.headers["dlq_attempts"] == "1"
    assert "currency" in refusal.headers["dlq_error"]
    assert await count(quotes, select(func.count()).where(contracts.c.deal_id == refused.deal_id)) == 0
