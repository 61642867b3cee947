"""The leads unit of work in memory, for handler tests: the same attributes as `LeadsUnitOfWork`, fake
repositories over one `FakeDatabase`, the service's own translator and history projection.

Like the real one, a transaction that is not committed leaves nothing behind (its database copy is put
back), and `savepoint()` undoes only what failed inside it.
"""

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from copy import deepcopy
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Self, TypeVar

from crm_leads.service_layer.history.timeline import history_entries
from crm_leads.service_layer.integration_events import translate
from crm_shared.auth import Principal, Role
from crm_shared.errors import CrmError
from crm_shared.events import EventContext
from crm_shared.service_layer import Bus
from crm_shared.testing.fakes import FakeUnitOfWork
from services.leads.tests.unit.fake_accounts import FakeAccounts, FakeContacts, FakeDealFacts
from services.leads.tests.unit.fake_duplicates import FakeDuplicateCandidates, FakeMergeLinks
from services.leads.tests.unit.fake_repositories import (
    FakeDatabase,
    FakeHistory,
    FakeLeads,
    FakeLocks,
    FakeReferences,
    FakeStatuses,
)
from services.leads.tests.unit.fake_transfers import FakeTransfers
from services.leads.tests.unit.fake_workflows import (
    FakeConversions,
    FakeForms,
    FakeRateWindows,
    FakeRules,
    FakeSubmissions,
)

R = TypeVar("R")
ADMIN = Principal(user_id="admin-1", roles=frozenset({Role.ADMIN}))
SALES = Principal(user_id="sales-1", roles=frozenset({Role.SALES}), team="north")
OTHER_SALES = Principal(user_id="sales-2", roles=frozenset({Role.SALES}), team="north")
CSM = Principal(user_id="csm-1", roles=frozenset({Role.CSM}))
SUPPORT = Principal(user_id="support-1", roles=frozenset({Role.SUPPORT}))


class FakeLeadsUnitOfWork(FakeUnitOfWork):
    def __init__(self, db: FakeDatabase | None = None) -> None:
        super().__init__(translate=translate, context=EventContext(correlation_id="unit-test"))
        self.db = db or FakeDatabase()
        self._begun: FakeDatabase | None = None
        track = self.track
        self.leads = FakeLeads(self.db, track)
        self.statuses = FakeStatuses(self.db)
        self.references = FakeReferences(self.db)
        self.accounts = FakeAccounts(self.db, track)
        self.contacts = FakeContacts(self.db, track)
        self.deal_facts = FakeDealFacts(self.db)
        self.duplicate_candidates = FakeDuplicateCandidates(self.db)
        self.merge_links = FakeMergeLinks(self.db)
        self.conversions = FakeConversions(self.db)
        self.assignment_rules = FakeRules(self.db, track)
        self.forms = FakeForms(self.db, track)
        self.form_submissions = FakeSubmissions(self.db)
        self.rate_windows = FakeRateWindows(self.db)
        self.transfers = FakeTransfers(self.db)
        self.history = FakeHistory(self.db)
        self.locks = FakeLocks()

    async def __aenter__(self) -> Self:
        """A transaction: a copy of the database to put back, and no aggregate tracked yet (those of
        an earlier transaction that failed hold events that must never be published)."""
        self._begun = deepcopy(self.db)
        self._tracked = []
        return await super().__aenter__()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._begun is not None:  # not committed: rolled back
            self._restore(self._begun)
        self._begun = None
        await super().__aexit__(exc_type, exc, tb)

    async def commit(self) -> None:
        await super().commit()
        self._begun = None

    @asynccontextmanager
    async def savepoint(self) -> AsyncIterator[None]:
        saved = deepcopy(self.db)
        try:
            yield
        except BaseException:
            self._restore(saved)
            raise

    async def project(self, domain_events: list[object]) -> None:
        """The timeline, as the real unit of work projects it."""
        await self.history.add(
            history_entries(domain_events),
            occurred_at=datetime.now(UTC),
            correlation_id=self.context.correlation_id,
        )

    def _restore(self, copy: FakeDatabase) -> None:
        self.db.__dict__.update(deepcopy(copy).__dict__)

    def bus(self, actor: Principal) -> Bus[Any]:
        """A bus on this unit of work: each command in its own transaction, committed at its end."""
        return Bus(uow_factory=lambda _context: self, actor=actor, context=self.context)


def field_of(error: CrmError) -> str:
    """The field an `InvalidInput` names."""
    errors: Any = error.extra["errors"]
    return str(errors[0]["field"])


async def execute(
    uow: FakeLeadsUnitOfWork, actor: Principal, use_case: Callable[..., Awaitable[R]], /, **kwargs: Any
) -> R:
    return await uow.bus(actor).execute(use_case, **kwargs)


async def read(
    uow: FakeLeadsUnitOfWork, actor: Principal, query: Callable[..., Awaitable[R]], /, **kwargs: Any
) -> R:
    return await uow.bus(actor).read(query, **kwargs)
