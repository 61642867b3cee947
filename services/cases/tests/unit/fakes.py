"""The cases unit of work in memory, for handler unit tests: `FakeCasesUnitOfWork` on crm_shared's fake,
with the service's translator (what a commit would publish lands in `outbox`), its repositories under
the real attribute and method names (`fake_stores`), and transactions: what a unit of work wrote is
undone when it ends without a commit, as a rollback would.

Use cases run unchanged, through a bus (`bus(uow)`) or called with the unit of work directly. The
database refusing writes is played by `uow.refuse`: a message subject -> the faults its next writes
meet, one each (faults are no data: a rollback does not bring them back)."""

import copy
from types import TracebackType
from typing import Any, Self

from crm_cases.domain.intake_policy import IntakePolicy, Source
from crm_cases.entrypoints.consumers import HANDLERS
from crm_cases.service_layer.intake import DEFAULT_POLICY, IntakeResult, delivery, take_delivery
from crm_cases.service_layer.integration_events import translate
from crm_cases.service_layer.unit_of_work import CasesUnitOfWork
from crm_shared.auth import Principal
from crm_shared.events import Envelope, EventContext, IntegrationEvent
from crm_shared.service_layer import Bus, system_bus
from crm_shared.testing.fakes import FakeUnitOfWork
from services.cases.tests.unit.fake_stores import (
    FakeCases,
    FakeCaseSettings,
    FakeDirectory,
    FakeImapState,
    FakeIntake,
    FakeRawMessages,
)

MAILBOX = "support@crm.example"
STORES = ("cases", "raw_messages", "intake", "imap", "directory", "case_settings")


class FakeCasesUnitOfWork(FakeUnitOfWork):
    def __init__(self, *, context: EventContext | None = None) -> None:
        super().__init__(translate=translate, context=context)
        self.refuse: dict[str, list[BaseException]] = {}
        self.cases = FakeCases(self.track, self.refuse)
        self.raw_messages = FakeRawMessages()
        self.intake = FakeIntake(self.raw_messages)
        self.imap = FakeImapState()
        self.directory = FakeDirectory(self.cases)
        self.case_settings = FakeCaseSettings()
        self.rollbacks = 0
        self._before: dict[str, Any] | None = None

    async def __aenter__(self) -> Self:
        stores = {name: getattr(self, name) for name in STORES}
        kept_as_is = {id(self): self, id(self.refuse): self.refuse}  # the uow they track into, the faults
        self._before = copy.deepcopy(stores, memo=kept_as_is)
        return await super().__aenter__()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._before is not None:  # ended without a commit: undo its writes and its events
            for name, store in self._before.items():
                setattr(self, name, store)
            for aggregate in self._tracked:
                aggregate.pull_events()
            self.rollbacks += 1
        self._before = None
        await super().__aexit__(exc_type, exc, tb)

    async def commit(self) -> None:
        await super().commit()
        self._before = None


def bus(uow: FakeCasesUnitOfWork, actor: Principal | None = None) -> Bus[CasesUnitOfWork]:
    """A bus whose every transaction is `uow` (as SYSTEM, or as `actor`)."""
    system: Bus[CasesUnitOfWork] = system_bus(lambda _context: uow, work="test")  # type: ignore[arg-type,return-value]
    if actor is not None:
        system.actor = actor
    return system


async def deliver(
    uow: FakeCasesUnitOfWork, event: IntegrationEvent, envelope: Envelope | None = None
) -> bool:
    """An event through its handler (the service's own table) as the consumer applies it: inbox claim,
    handler, commit; False for a redelivery (the same envelope again)."""
    envelope = envelope or Envelope.for_event(event, uow.context)
    async with uow:
        if not await uow.claim_inbox(consumer="crm-cases", envelope=envelope):
            return False
        await HANDLERS[type(event)](event, uow=uow, envelope=envelope)
        await uow.commit()
    return True


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
