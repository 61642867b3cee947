"""The cases unit of work in memory, for handler unit tests: `FakeCasesUnitOfWork` on crm_shared's fake,
with the service's translator (what a commit would publish lands in `outbox`), its repositories under
the real attribute and method names (`fake_stores`), and transactions: what a unit of work wrote is
undone when it ends without a commit, as a rollback would.

Use cases run unchanged, through a bus (`bus(uow)`) or called with the unit of work directly. The
database refusing writes is played by `uow.refuse`: a message subject -> the faults its next writes
meet, one each (faults are no data: a rollback does not bring them back)."""

from collections.abc import Iterable

from crm_cases.domain.intake_policy import IntakePolicy, Source
from crm_cases.entrypoints.consumers import HANDLERS
from crm_cases.service_layer.intake import DEFAULT_POLICY, IntakeResult, delivery, take_delivery
from crm_cases.service_layer.integration_events import translate
from crm_cases.service_layer.unit_of_work import CasesUnitOfWork
from crm_shared.auth import SYSTEM, Principal
from crm_shared.events import Envelope, EventContext, IntegrationEvent
from crm_shared.service_layer import Bus
from crm_shared.testing.fakes import FakeUnitOfWork, bus_on
from crm_shared.testing.fakes import deliver as deliver_event
from services.cases.tests.unit.fake_stores import (
    FakeCases,
    FakeCaseSettings,
    FakeDirectory,
    FakeImapState,
    FakeIntake,
    FakeRawMessages,
)

MAILBOX = "support@crm.example"


class FakeCasesUnitOfWork(FakeUnitOfWork):
    stores = ("cases", "raw_messages", "intake", "imap", "directory", "case_settings")

    def __init__(self, *, context: EventContext | None = None) -> None:
        super().__init__(translate=translate, context=context)
        self.refuse: dict[str, list[BaseException]] = {}
        self.cases = FakeCases(self.track, self.refuse)
        self.raw_messages = FakeRawMessages()
        self.intake = FakeIntake(self.raw_messages)
        self.imap = FakeImapState()
        self.directory = FakeDirectory(self.cases)
        self.case_settings = FakeCaseSettings()

    def kept_as_is(self) -> Iterable[object]:
        return (self, self.refuse)  # the unit of work they track into, and the faults to play


def bus(uow: FakeCasesUnitOfWork, actor: Principal = SYSTEM) -> Bus[CasesUnitOfWork]:
    """A bus whose every transaction is `uow` (as SYSTEM, or as `actor`)."""
    return bus_on(uow, actor)


async def deliver(
    uow: FakeCasesUnitOfWork, event: IntegrationEvent, envelope: Envelope | None = None
) -> bool:
    """An event through its handler (the service's own table) as the consumer applies it: inbox claim,
    handler, commit; False for a redelivery (the same envelope again)."""
    applied = await deliver_event(uow, event, handlers=HANDLERS, consumer="crm-cases", envelope=envelope)
    return applied is not None


async def take_in_mail(
    uow: FakeCasesUnitOfWork,
    raw: bytes,
    *,
    mailbox: str = MAILBOX,
    source: Source = "smtp",
    envelope_sender: str | None = None,
    policy: IntakePolicy = DEFAULT_POLICY,
) -> IntakeResult:
    """One mail through the intake as a listener runs it: one use case, one commit."""
    arrived = delivery(raw, mailbox, source)
    return await bus(uow).execute(
        take_delivery, arrived=arrived, envelope_sender=envelope_sender, policy=policy
    )
