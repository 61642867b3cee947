"""The broker goes away (stopped gracefully, or killed) while leads converts and deals consumes.

Each outage outlasts the producers' request timeout (shortened here to keep the test quick), so the
relay's in-flight batches expire: the condition that left an idempotent producer failing every later
send with OutOfOrderSequenceNumber until its process was restarted. Everything must heal by itself:
the relay reports the fault in its readiness, recovers, and every converted lead gets exactly one deal.
"""

import asyncio
import uuid
from typing import Any

import pytest

from crm_shared.events.leads import LeadConverted
from crm_shared.infra.restartable import RestartableKafka
from crm_shared.runtime import ProcessRole
from crm_shared.settings import KafkaSettings
from crm_shared.testing.service import RunningService
from tests.reliability.faults import converting, readiness
from tests.reliability.helpers import (
    DEALS_GROUP,
    Services,
    count_rows,
    create_lead,
    eventually,
    wait_outbox_published,
)

pytestmark = pytest.mark.reliability

FAULTS = ("stop", "stop", "stop", "kill")  # the failures were intermittent: several rounds
REQUEST_TIMEOUT_MS = 2_000


async def test_relay_and_consumers_heal_after_broker_restarts_and_a_crash(
    fault_kafka: RestartableKafka, services: Services
):
    kafka = KafkaSettings(
        bootstrap_servers=fault_kafka.bootstrap_servers, producer_request_timeout_ms=REQUEST_TIMEOUT_MS
    )
    deals = await services.deals(kafka=kafka)
    leads = await services.leads(kafka=kafka)

    async with converting(leads) as conversions:
        for fault in FAULTS:
            before = len(conversions.converted)
            await eventually(lambda b=before: _more(conversions.converted, b), "conversions before the fault")
            await _outage(fault_kafka, fault, leads)
            converted_meanwhile = conversions.converted[-1]
            # What was converted while the broker was away reaches deals: the whole pipeline moves again.
            await eventually(
                lambda lead=converted_meanwhile: _has_deal(deals, lead), f"deal after {fault}", 90
            )
            await eventually(lambda: _ready(leads), f"leads ready again after the {fault}", 30)

    lead_ids = conversions.converted
    await wait_outbox_published(leads.runtime, timeout_s=60)
    await eventually(lambda: _deal_count_is(deals, len(lead_ids)), f"{len(lead_ids)} deals", 90)
    for lead_id in lead_ids:
        assert await count_rows(deals.runtime, "deals", lead_id=uuid.UUID(lead_id)) == 1
    assert await count_rows(leads.runtime, "outbox", event_type=LeadConverted.event_type) == len(lead_ids)
    applied = await count_rows(
        deals.runtime, "inbox", consumer=DEALS_GROUP, event_type=LeadConverted.event_type
    )
    assert applied == len(lead_ids)  # each LeadConverted took effect once, however often it was sent


async def test_an_api_process_stays_ready_and_writes_while_the_broker_is_down(
    fault_kafka: RestartableKafka, services: Services
):
    kafka = KafkaSettings(bootstrap_servers=fault_kafka.bootstrap_servers)
    api = await services.leads(roles=frozenset({ProcessRole.API}), kafka=kafka)
    await asyncio.to_thread(fault_kafka.stop)

    status, body = await readiness(api)
    assert (status, body) == (200, {"ready": True, "checks": {"database": "ok"}})
    lead = await create_lead(api, last_name="Written")
    assert await count_rows(api.runtime, "outbox", aggregate_id=lead["id"], published_at=None) == 1


async def _outage(broker: RestartableKafka, fault: str, leads: RunningService) -> None:
    """Away until the relay has seen its sends fail (and says so), then back on the same port."""
    await asyncio.to_thread(broker.kill if fault == "kill" else broker.stop)
    checks = await eventually(lambda: _relay_failing(leads), f"the relay to report the {fault}", 30)
    assert checks["broker"].startswith("failed: "), checks  # the consumers' client cannot reach it either
    assert checks["database"] == "ok"
    await asyncio.to_thread(broker.start)


async def _relay_failing(leads: RunningService) -> dict[str, str] | None:
    status, body = await readiness(leads)
    checks: dict[str, str] = body["checks"]
    return (
        checks if status == 503 and checks["relay"].startswith("failed: publishing failing since") else None
    )


async def _ready(service: RunningService) -> bool:
    status, _ = await readiness(service)
    return status == 200


async def _more(items: list[Any], than: int) -> bool:
    return len(items) > than + 1


async def _has_deal(deals: RunningService, lead_id: str) -> bool:
    return await count_rows(deals.runtime, "deals", lead_id=uuid.UUID(lead_id)) == 1


async def _deal_count_is(deals: RunningService, expected: int) -> bool:
    return await count_rows(deals.runtime, "deals") == expected
