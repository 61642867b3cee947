"""The boundary of a request or of background work: one use case in one unit of work, committed once.

Use cases are plain functions taking keyword-only arguments (`uow`, `actor`, then their own). They never
commit: if they raise, nothing they wrote (rows or outbox events) survives. HTTP routes get a bus for
their caller; background work (mail intake, schedulers, senders) gets a system bus, so every
transaction of a service opens and commits in this one place.
"""

from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

from crm_shared import tracing
from crm_shared.auth import SYSTEM, Principal
from crm_shared.db.unit_of_work import SqlUnitOfWork
from crm_shared.events import EventContext
from crm_shared.ids import new_id

U = TypeVar("U", bound=SqlUnitOfWork)
R = TypeVar("R")


class Bus(Generic[U]):
    def __init__(
        self,
        *,
        uow_factory: Callable[[EventContext], U],
        actor: Principal,
        context: EventContext,
    ) -> None:
        self._uow_factory = uow_factory
        self.actor = actor
        self.context = context

    async def execute(self, use_case: Callable[..., Awaitable[R]], /, **kwargs: Any) -> R:
        async with self._uow_factory(self.context) as uow:
            await uow.enter_command(self.actor)
            result = await use_case(uow=uow, actor=self.actor, **kwargs)
            await uow.commit()
        return result

    async def read(self, query: Callable[..., Awaitable[R]], /, **kwargs: Any) -> R:
        """A query: same permissions and repositories, and a transaction that is rolled back."""
        async with self._uow_factory(self.context) as uow:
            return await query(uow=uow, actor=self.actor, **kwargs)


def system_bus(
    uow_factory: Callable[[EventContext], U],
    *,
    work: str,
    actor: Principal = SYSTEM,
    context: EventContext | None = None,
) -> Bus[U]:
    """A bus for work no request carries (`work` names it in the correlation id, e.g. `smtp`); its
    events start a W3C trace of their own."""
    return Bus(
        uow_factory=uow_factory,
        actor=actor,
        context=context
        or EventContext(correlation_id=f"{work}-{new_id()}", traceparent=str(tracing.start())),
    )
