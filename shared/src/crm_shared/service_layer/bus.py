"""The boundary of a request: runs one use case in one unit of work and commits once, at the end.

Use cases are plain functions taking keyword-only arguments (`uow`, `actor`, then their own). They never
commit: if they raise, nothing they wrote (rows or outbox events) survives.
"""

from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

from crm_shared.auth import Principal
from crm_shared.db.unit_of_work import SqlUnitOfWork
from crm_shared.events import EventContext

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
            result = await use_case(uow=uow, actor=self.actor, **kwargs)
            await uow.commit()
        return result

    async def read(self, query: Callable[..., Awaitable[R]], /, **kwargs: Any) -> R:
        """A query: same permissions and repositories, and a transaction that is rolled back."""
        async with self._uow_factory(self.context) as uow:
            return await query(uow=uow, actor=self.actor, **kwargs)
