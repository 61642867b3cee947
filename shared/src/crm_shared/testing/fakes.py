"""An in-memory unit of work with the contract of `SqlUnitOfWork`, for handler unit tests.

A service's fake subclasses it and sets its fake repositories as attributes, under the same names as
the real unit of work's, listing in `stores` those that hold state. Use cases then run unchanged: what
they track is translated with the service's own translator, what a commit would have written to the
outbox lands in `outbox`, and a transaction that ends uncommitted puts the stores back as they were.
`bus_on` and `deliver` run use cases and events the way a route and the consumer do.
"""

import copy
from collections.abc import Iterable, Mapping
from types import TracebackType
from typing import Any, ClassVar, Self
from uuid import UUID

from crm_shared.auth import SYSTEM, Principal
from crm_shared.db.unit_of_work import EventSource, Translator
from crm_shared.events import Envelope, EventContext, IntegrationEvent
from crm_shared.messaging.consumer import Handler
from crm_shared.service_layer import Bus


def _publish_nothing(_event: object) -> Iterable[IntegrationEvent]:
    return ()


class FakeUnitOfWork:
    stores: ClassVar[tuple[str, ...]] = ()
    """Attributes holding the fake's state, put back as they were when a transaction ends uncommitted."""

    def __init__(
        self, *, translate: Translator = _publish_nothing, context: EventContext | None = None
    ) -> None:
        self.context = context or EventContext(correlation_id="unit-test")
        self._translate = translate
        self._tracked: list[EventSource] = []
        self._pending: list[IntegrationEvent] = []
        self._inbox: set[tuple[str, UUID]] = set()
        self.outbox: list[IntegrationEvent] = []
        """Integration events written by commits, in order."""
        self.domain_events: list[object] = []
        """Domain events drained by commits, in order (what `project` saw)."""
        self.commits = 0
        self.committed = False
        self.rollbacks = 0
        self._before: dict[str, Any] = {}

    async def __aenter__(self) -> Self:
        self.committed = False
        state = {name: getattr(self, name) for name in self.stores}
        self._before = copy.deepcopy(state, memo={id(v): v for v in self.kept_as_is()})
        return self

    def kept_as_is(self) -> Iterable[object]:
        """What the stores refer to but a rollback leaves alone (the unit of work they track into)."""
        return (self,)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # An uncommitted unit of work writes nothing: what it tracked is forgotten with its events.
        if not self.committed:
            for aggregate in self._tracked:
                aggregate.pull_events()
            for name, store in self._before.items():
                setattr(self, name, store)
            self.rollbacks += 1
        self._before = {}
        self._tracked.clear()
        self._pending.clear()

    def track(self, aggregate: EventSource) -> None:
        if all(aggregate is not seen for seen in self._tracked):
            self._tracked.append(aggregate)

    def publish(self, event: IntegrationEvent) -> None:
        self._pending.append(event)

    async def enter_command(self, actor: Principal) -> None:
        """Hook run by the bus before each command, as `SqlUnitOfWork.enter_command`."""

    async def claim_inbox(self, *, consumer: str, envelope: Envelope) -> bool:
        key = (consumer, envelope.id)
        if key in self._inbox:
            return False
        self._inbox.add(key)
        return True

    async def flush(self) -> None:
        domain_events = [e for aggregate in self._tracked for e in aggregate.pull_events()]
        await self.project(domain_events)
        self.domain_events.extend(domain_events)
        self.outbox.extend([*self._pending, *(i for e in domain_events for i in self._translate(e))])
        self._pending.clear()

    async def project(self, domain_events: list[object]) -> None:
        """Hook: the service's read models of domain events, as in its real unit of work."""

    async def commit(self) -> None:
        await self.flush()
        self.commits += 1
        self.committed = True

    def published(self, kind: type[IntegrationEvent]) -> list[IntegrationEvent]:
        """The committed integration events of one type."""
        return [event for event in self.outbox if isinstance(event, kind)]


def bus_on(uow: FakeUnitOfWork, actor: Principal = SYSTEM) -> Bus[Any]:
    """A bus whose every transaction is `uow`, acting as `actor` (a route's caller, or SYSTEM)."""
    return Bus(uow_factory=lambda _context: uow, actor=actor, context=uow.context)


async def deliver(
    uow: FakeUnitOfWork,
    event: IntegrationEvent,
    *,
    handlers: Mapping[type[IntegrationEvent], Handler],
    consumer: str,
    envelope: Envelope | None = None,
) -> Envelope | None:
    """An event applied as the consumer applies it: inbox claim, its handler, one commit. The envelope
    it came in, or None for a redelivery (the same envelope again)."""
    envelope = envelope or Envelope.for_event(event, uow.context)
    async with uow:
        if not await uow.claim_inbox(consumer=consumer, envelope=envelope):
            return None
        await handlers[type(event)](event, uow=uow, envelope=envelope)
        await uow.commit()
    return envelope
