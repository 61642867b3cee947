"""ContractCreated -> a durable renewal reminder; a due reminder fires once, however many loops run."""

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from sqlalchemy import func, select

from crm_notifier.adapters.tables import metadata
from crm_notifier.bootstrap import mail_defaults
from crm_notifier.domain.model import Draft, Notification
from crm_notifier.entrypoints import workers
from crm_notifier.service_layer import use_cases
from crm_shared.auth import Role
from crm_shared.events import Envelope, EventContext
from crm_shared.events.quotes import ContractCreated
from crm_shared.testing.publish import publish_event
from crm_shared.testing.service import auth_headers

pytestmark = pytest.mark.integration

ADMIN = auth_headers("admin-1", Role.ADMIN)
inbox = metadata.tables["inbox"]


def contract_created(**overrides: Any) -> ContractCreated:
    values: dict[str, Any] = {
        "contract_id": uuid4(),
        "deal_id": uuid4(),
        "title": "Hosting and maintenance",
        "start_date": date(2030, 4, 1),
        "end_date": date(2031, 3, 31),
        "budget_minor": 2_400_000,
        "currency": "EUR",
        "owner_id": f"sales-{uuid4().hex[:8]}",
        "csm_id": f"csm-{uuid4().hex[:8]}",
    }
    return ContractCreated(**values | overrides)


async def reminders_of(notifier, contract_id: Any) -> list[dict[str, Any]]:
    response = await notifier.http.get(f"/v1/reminders?contract_id={contract_id}", headers=ADMIN)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def applied(notifier, *event_ids: UUID) -> bool:
    """Whether the consumer has applied (and recorded in its inbox) all these events."""
    query = select(func.count()).where(inbox.c.event_id.in_(event_ids))
    async with notifier.runtime.engine.connect() as connection:
        return (await connection.execute(query)).scalar_one() == len(event_ids)


@pytest.fixture
async def extra_loops(notifier) -> AsyncIterator[None]:
    """Two more schedulers and two more senders beside the service's own: four replicas' worth."""
    settings, stop = notifier.runtime.settings, asyncio.Event()
    scheduler = workers.reminder_scheduler(mail_defaults(settings), interval_s=0.02)
    sender = notifier.runtime.definition.background[0]
    tasks = [
        asyncio.create_task(loop(notifier.runtime, stop)) for loop in (scheduler, scheduler, sender, sender)
    ]
    yield
    stop.set()
    await asyncio.wait_for(asyncio.gather(*tasks), timeout=10)


async def test_contract_created_schedules_the_renewal_reminder(notifier, kafka_bootstrap):
    contract = contract_created()
    first = await publish_event(kafka_bootstrap, contract)
    again = await publish_event(kafka_bootstrap, contract)  # announced again under a new event id
    await notifier.eventually(lambda: applied(notifier, first.id, again.id), what="both deliveries")
    [reminder] = await reminders_of(notifier, contract.contract_id)

    assert reminder["kind"] == "contract_renewal"
    assert datetime.fromisoformat(reminder["due_at"]) == datetime(2031, 2, 28, 8, 0, tzinfo=UTC)
    assert reminder["status"] == "pending"
    assert reminder["recipient_id"] == contract.csm_id
    assert reminder["end_date"] == "2031-03-31"
    assert reminder["cause_event_id"] == str(first.id)


async def test_a_due_reminder_fires_once_with_concurrent_loops(notifier, kafka_bootstrap, extra_loops):
    soon = datetime.now(UTC).date() + timedelta(days=10)  # due twenty days ago
    contract = contract_created(title="Support plan", end_date=soon)
    address = f"{contract.csm_id}@agency.example"
    await notifier.put_recipient(contract.csm_id, address, "fr")
    await publish_event(kafka_bootstrap, contract)

    [mail] = await notifier.mails_arrived(address)
    assert mail["Subject"] == "Renouvellement de contrat à préparer : Support plan"
    [reminder] = await reminders_of(notifier, contract.contract_id)
    assert reminder["status"] == "fired"
    await asyncio.sleep(1)  # time for any second firing or sending to show
    assert len(notifier.mails_to(address)) == 1
    assert len(await notifier.notifications(recipient=contract.csm_id)) == 1


async def test_many_due_reminders_each_fire_exactly_once(notifier, extra_loops):
    owner = f"sales-{uuid4().hex[:8]}"
    address = f"{owner}@agency.example"
    await notifier.put_recipient(owner, address, "en")
    past = datetime.now(UTC).date() - timedelta(days=1)
    contracts = [
        contract_created(title=f"Contract {i}", owner_id=owner, csm_id=None, end_date=past) for i in range(25)
    ]
    async with notifier.runtime.uow(EventContext(correlation_id="bulk")) as uow:
        for contract in contracts:
            envelope = Envelope.for_event(contract, EventContext(correlation_id="bulk"))
            await use_cases.schedule_contract_renewal(contract, uow=uow, envelope=envelope)
        await uow.commit()  # all due at once, while five loops poll

    mails = await notifier.mails_arrived(address, count=25)
    await asyncio.sleep(1)
    mails = notifier.mails_to(address)
    assert sorted(m["Subject"] for m in mails) == sorted(
        f"Contract renewal due: {c.title}" for c in contracts
    )
    stored = await notifier.notifications(recipient=owner)
    assert len(stored) == 25
    assert {n["status"] for n in stored} == {"sent"}
    assert all(n["attempts"] == 1 for n in stored)


async def test_a_row_claimed_by_one_loop_is_skipped_by_the_others(notifier):
    """What makes the loops safe to multiply: a second claim neither waits for nor takes a claimed row."""
    later = datetime.now(UTC) + timedelta(days=365 * 30)  # beyond what the service's own loops see
    context = EventContext(correlation_id="claims")
    async with notifier.runtime.uow(context) as setup:
        for _ in range(2):
            contract = contract_created(end_date=date(2050, 1, 1))
            envelope = Envelope.for_event(contract, context)
            await use_cases.schedule_contract_renewal(contract, uow=setup, envelope=envelope)
            draft = Draft("deal_won", f"u-{uuid4().hex[:8]}", "en", "s", "b", "f@crm.local", uuid4())
            pending = Notification.to_send(draft, email="u@agency.example", to_name=None, message_id="<m@x>")
            pending.next_attempt_at = later - timedelta(days=1)
            await setup.notifications.add_once(pending)
        await setup.commit()

    async with notifier.runtime.uow(context) as one, notifier.runtime.uow(context) as other:
        [reminder] = await one.reminders.claim_due(later, limit=1)
        [reminder_too] = await asyncio.wait_for(other.reminders.claim_due(later, limit=1), timeout=3)
        assert reminder.id != reminder_too.id
        notification = await one.notifications.claim_due(later)
        notification_too = await asyncio.wait_for(other.notifications.claim_due(later), timeout=3)
        assert notification is not None
        assert notification_too is not None
        assert notification.id != notification_too.id
