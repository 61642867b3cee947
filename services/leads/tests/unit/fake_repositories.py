"""In-memory stand-ins of the leads repositories and query objects, with the real ones' method names
(what the use cases call). They read and write a `FakeDatabase`: copies in, copies out, as rows. The
lead's are here; each feature's are in `fake_<feature>`."""

from collections.abc import Callable, Iterable, Sequence
from copy import deepcopy
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar
from uuid import UUID

from crm_leads.adapters.history.repository import HistoryRecord
from crm_leads.domain.accounts.lifecycle import DealRecord
from crm_leads.domain.history.timeline import HistoryEntry
from crm_leads.domain.lists import LeadCursor, LeadFilters, LeadSort
from crm_leads.domain.model import Lead
from crm_leads.domain.references import ReferenceValue, normalized
from crm_leads.domain.statuses import StatusBoard, StatusDefinition, default_statuses
from crm_shared.domain import Aggregate
from crm_shared.errors import NotFound, PreconditionFailed
from crm_shared.ids import new_id
from crm_shared.text_keys import address_key, casefold_key

A = TypeVar("A", bound=Aggregate)
Track = Callable[[Aggregate], None]


@dataclass
class FakeDatabase:
    """Every row of the fakes in one place: a transaction or a savepoint copies it, a failure puts the
    copy back. Tests seed and inspect it."""

    leads: dict[UUID, Any] = field(default_factory=dict)
    statuses: dict[str, StatusDefinition] = field(
        default_factory=lambda: {s.key: s for s in default_statuses()}
    )
    references: dict[UUID, ReferenceValue] = field(default_factory=dict)
    accounts: dict[UUID, Any] = field(default_factory=dict)
    contacts: dict[UUID, Any] = field(default_factory=dict)
    deal_facts: dict[UUID, DealRecord] = field(default_factory=dict)
    conversions: dict[UUID, Any] = field(default_factory=dict)
    rules: dict[UUID, Any] = field(default_factory=dict)
    forms: dict[UUID, Any] = field(default_factory=dict)
    submissions: list[dict[str, Any]] = field(default_factory=list)
    rate_windows: dict[tuple[str, datetime], int] = field(default_factory=dict)
    external_ids: dict[tuple[str, str], UUID] = field(default_factory=dict)
    history: list[HistoryRecord] = field(default_factory=list)
    next_account_number: int = 1000


def live(rows: Iterable[A]) -> list[A]:
    return [r for r in rows if getattr(r, "merged_into", None) is None]


def newest_first(rows: Iterable[A], *, after: UUID | None, limit: int) -> list[A]:
    """A keyset page by time-ordered id, as `TableRepository.page` reads one."""
    ordered = sorted(rows, key=lambda r: r.id, reverse=True)
    return [r for r in ordered if after is None or r.id < after][:limit]


class FakeTable(Generic[A]):
    """`TableRepository`: aggregates stored as copies, optimistic versions, tracked for their events."""

    name = ""
    """The FakeDatabase attribute holding the rows."""

    def __init__(self, db: FakeDatabase, track: Track) -> None:
        self.db, self._track = db, track

    @property
    def rows(self) -> dict[UUID, A]:
        rows: dict[UUID, A] = getattr(self.db, self.name)
        return rows

    async def get(self, ident: UUID, *, for_update: bool = False) -> A:
        if ident not in self.rows:
            raise NotFound(self.name.rstrip("s"), ident)
        return stored_copy(self.rows[ident])

    async def add(self, aggregate: A) -> None:
        assert aggregate.id not in self.rows, "primary key violated"
        self.rows[aggregate.id] = stored_copy(aggregate)
        self._track(aggregate)

    async def update(self, aggregate: A) -> None:
        if self.rows[aggregate.id].version != aggregate.version:
            raise PreconditionFailed(f"{type(aggregate).__name__} was changed meanwhile")
        aggregate.version += 1
        self.rows[aggregate.id] = stored_copy(aggregate)
        self._track(aggregate)


def stored_copy(aggregate: A) -> A:
    """What a table keeps of an aggregate, and what a read returns: a copy without pending events."""
    stored = deepcopy(aggregate)
    stored.pull_events()
    return stored


class FakeLeads(FakeTable[Lead]):
    name = "leads"

    async def search(
        self, filters: LeadFilters, *, sort: LeadSort, after: LeadCursor | None, limit: int
    ) -> list[Lead]:
        found = [lead for lead in self.rows.values() if self._matches(lead, filters)]

        def key(lead: Lead) -> tuple[Any, UUID]:
            return getattr(lead, sort.column), lead.id

        found.sort(key=key, reverse=sort.descending)
        if after is not None:
            boundary = (after.value, after.id)
            found = [x for x in found if (key(x) < boundary if sort.descending else key(x) > boundary)]
        return [stored_copy(lead) for lead in found[:limit]]

    async def count_by_status(self, filters: LeadFilters) -> dict[str, int]:
        counts: dict[str, int] = {}
        for lead in self.rows.values():
            if self._matches(lead, filters):
                counts[lead.status] = counts.get(lead.status, 0) + 1
        return counts

    async def ranks_in_column(
        self, status: str, *, start: int, count: int, exclude: UUID, last: bool = False
    ) -> list[float]:
        column = sorted((x.rank, x.id) for x in self.rows.values() if x.status == status and x.id != exclude)
        return [rank for rank, _ in (column[::-1] if last else column)[start : start + count]]

    async def find_open_by_email(self, address: str) -> list[Lead]:
        opened = {s.key for s in self.db.statuses.values() if s.is_open}
        found = [x for x in live(self.rows.values()) if x.status in opened and _has_email(x, address)]
        return [stored_copy(lead) for lead in sorted(found, key=lambda x: x.id)]

    def _matches(self, lead: Lead, f: LeadFilters) -> bool:
        opened = {s.key for s in self.db.statuses.values() if s.is_open}
        tags = {t.name for t in lead.tags}
        return all(
            (
                lead.merged_into is None,
                not f.statuses or lead.status in f.statuses,
                not f.open_only or lead.status in opened,
                f.owner_id is None or lead.owner_id == f.owner_id,
                f.team is None or lead.team == f.team,
                f.source is None or lead.source == f.source,
                all(tag in tags for tag in f.tags),
                f.key_account is None or lead.key_account is f.key_account,
                not f.text or casefold_key(f.text) in lead.search_text,
            )
        )


def _has_email(lead: Lead, address: str) -> bool:
    return address_key(address) in {e.address for e in lead.emails}


class FakeStatuses:
    def __init__(self, db: FakeDatabase) -> None:
        self.db = db

    async def board(self) -> StatusBoard:
        return StatusBoard(deepcopy(list(self.db.statuses.values())))

    async def lock(self) -> StatusBoard:
        return await self.board()

    async def add(self, status: StatusDefinition) -> None:
        self.db.statuses[status.key] = deepcopy(status)

    async def save(self, status: StatusDefinition) -> None:
        self.db.statuses[status.key] = deepcopy(status)

    async def remove(self, key: str) -> None:
        del self.db.statuses[key]

    async def leads_in(self, key: str) -> int:
        return sum(1 for lead in self.db.leads.values() if lead.status == key)


class FakeReferences:
    def __init__(self, db: FakeDatabase) -> None:
        self.db = db

    async def values(self, *, kind: str | None, include_inactive: bool) -> list[ReferenceValue]:
        found = [
            r
            for r in self.db.references.values()
            if (kind is None or r.kind == kind) and (include_inactive or r.active)
        ]
        return sorted(found, key=lambda r: (r.kind, r.normalized))

    async def get(self, ident: UUID) -> ReferenceValue:
        if ident not in self.db.references:
            raise NotFound("reference value", ident)
        return deepcopy(self.db.references[ident])

    async def find(self, kind: str, value: str) -> ReferenceValue | None:
        wanted = normalized(value)
        found = [r for r in self.db.references.values() if (r.kind, r.normalized) == (kind, wanted)]
        return deepcopy(found[0]) if found else None

    async def add(self, value: ReferenceValue) -> ReferenceValue:
        existing = await self.find(value.kind, value.value)
        if existing is not None:
            return existing
        self.db.references[value.id] = deepcopy(value)
        return value

    async def save(self, value: ReferenceValue) -> None:
        self.db.references[value.id] = deepcopy(value)


class FakeHistory:
    def __init__(self, db: FakeDatabase) -> None:
        self.db = db

    async def add(
        self, entries: Sequence[HistoryEntry], *, occurred_at: datetime, correlation_id: str | None
    ) -> None:
        for e in entries:
            record = HistoryRecord(
                new_id(),
                e.subject_id,
                e.subject_field,
                e.event_type,
                e.actor,
                e.data,
                occurred_at,
                correlation_id,
            )
            self.db.history.append(record)

    async def page(self, subject_id: UUID, *, after: UUID | None, limit: int) -> list[HistoryRecord]:
        return newest_first(
            (r for r in self.db.history if r.subject_id == subject_id), after=after, limit=limit
        )


class FakeLocks:
    def __init__(self) -> None:
        self.held: list[str] = []

    async def acquire(self, *keys: str) -> None:
        self.held += sorted(set(keys))
