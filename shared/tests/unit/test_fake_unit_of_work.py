"""The fake unit of work keeps the real one's contract: events leave only on commit, once."""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from crm_shared.auth import SYSTEM
from crm_shared.domain import Aggregate
from crm_shared.events import Envelope, IntegrationEvent
from crm_shared.events.leads import LeadCreated
from crm_shared.service_layer import system_bus
from crm_shared.testing.fakes import FakeUnitOfWork, deliver
from crm_shared.tracing import trace_id_of


@dataclass(frozen=True)
class Named:
    lead_id: uuid.UUID
    name: str


@dataclass(eq=False, kw_only=True)
class Lead(Aggregate):
    id: uuid.UUID

    def name(self, name: str) -> None:
        self.record(Named(self.id, name))


def translate(event: object) -> Iterable[IntegrationEvent]:
    if isinstance(event, Named):
        yield LeadCreated(lead_id=event.lead_id, last_name=event.name)


async def test_tracked_events_are_translated_on_commit_and_drained_once():
    uow = FakeUnitOfWork(translate=translate)
    lead = Lead(id=uuid.uuid4())
    async with uow:
        uow.track(lead)
        lead.name("Hopper")
        assert uow.outbox == []
        await uow.commit()
    async with uow:
        await uow.commit()
    [created] = uow.published(LeadCreated)
    assert (created.lead_id, created.last_name, uow.commits) == (lead.id, "Hopper", 2)
    assert uow.domain_events == [Named(lead.id, "Hopper")]


async def test_an_uncommitted_unit_of_work_writes_nothing():
    uow = FakeUnitOfWork(translate=translate)
    async with uow:
        uow.publish(LeadCreated(lead_id=uuid.uuid4(), last_name="Lost"))
    assert (uow.outbox, uow.committed) == ([], False)


async def test_the_inbox_claims_an_event_once_per_consumer():
    uow = FakeUnitOfWork()
    envelope = Envelope(type=LeadCreated.event_type, source="/crm/leads", subject="x")
    assert await uow.claim_inbox(consumer="a", envelope=envelope)
    assert not await uow.claim_inbox(consumer="a", envelope=envelope)
    assert await uow.claim_inbox(consumer="b", envelope=envelope)


async def test_a_system_bus_runs_the_use_case_as_system_and_commits_once():
    uow = FakeUnitOfWork(translate=translate)
    seen: list[object] = []

    async def use_case(*, uow: FakeUnitOfWork, actor: object, name: str) -> str:
        seen.append(actor)
        lead = Lead(id=uuid.uuid4())
        uow.track(lead)
        lead.name(name)
        return name

    bus = system_bus(lambda _context: uow, work="smtp")  # type: ignore[arg-type,return-value]
    assert await bus.execute(use_case, name="Lovelace") == "Lovelace"
    assert (seen, uow.commits) == ([SYSTEM], 1)
    assert bus.context.correlation_id.startswith("smtp-")


async def test_what_a_rolled_back_unit_of_work_tracked_never_reaches_a_later_commit():
    uow = FakeUnitOfWork(translate=translate)
    lead = Lead(id=uuid.uuid4())
    async with uow:
        uow.track(lead)
        lead.name("Rolled back")
    async with uow:
        await uow.commit()
    assert uow.outbox == []


def test_a_system_bus_starts_a_trace_of_its_own():
    first = system_bus(lambda _context: FakeUnitOfWork(), work="imap")  # type: ignore[arg-type,return-value]
    second = system_bus(lambda _context: FakeUnitOfWork(), work="imap")  # type: ignore[arg-type,return-value]
    traces = {trace_id_of(bus.context.traceparent or "") for bus in (first, second)}
    assert len(traces) == 2
    assert None not in traces


class Notes:
    def __init__(self) -> None:
        self.rows: list[str] = []


class FakeNotesUnitOfWork(FakeUnitOfWork):
    stores = ("notes",)

    def __init__(self) -> None:
        super().__init__()
        self.notes = Notes()


async def test_the_stores_are_put_back_when_a_transaction_ends_uncommitted():
    uow = FakeNotesUnitOfWork()
    async with uow:
        uow.notes.rows.append("kept")
        await uow.commit()
    async with uow:
        uow.notes.rows.append("rolled back")
    assert (uow.notes.rows, uow.rollbacks, uow.commits) == (["kept"], 1, 1)


async def test_deliver_applies_an_event_once_per_envelope():
    uow = FakeNotesUnitOfWork()

    async def note(event: LeadCreated, *, uow: FakeNotesUnitOfWork, envelope: Envelope) -> None:
        uow.notes.rows.append(event.last_name or "")

    event = LeadCreated(lead_id=uuid.uuid4(), last_name="Hopper")
    first = await deliver(uow, event, handlers={LeadCreated: note}, consumer="c")
    again = await deliver(uow, event, handlers={LeadCreated: note}, consumer="c", envelope=first)
    assert (first is not None, again, uow.notes.rows) == (True, None, ["Hopper"])
