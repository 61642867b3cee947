"""Use cases of leads. Each runs inside one unit of work that the boundary commits."""

from dataclasses import dataclass, field, replace
from typing import Any
from uuid import UUID

from crm_leads.domain.lists import LeadCursor, LeadFilters, LeadSort
from crm_leads.domain.model import Lead
from crm_leads.domain.statuses import StatusDefinition
from crm_leads.service_layer.inputs import prepare
from crm_leads.service_layer.unit_of_work import LeadsUnitOfWork
from crm_leads.service_layer.workflows.assignment import assign_by_rules
from crm_shared.auth import Principal, Role, authorize

READERS = (Role.SALES, Role.CSM, Role.SUPPORT)
WRITERS = (Role.SALES,)
"""Sales (and admin, who always passes) manage leads; every role reads them."""


@dataclass(frozen=True)
class NewLead:
    last_name: str
    first_name: str | None = None
    company_name: str | None = None
    email: str | None = None
    phone: str | None = None
    source: str | None = None
    language: str = "en"
    owner_id: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    """Further editable fields (see domain.model.EDITABLE)."""


@dataclass(frozen=True)
class KanbanColumn:
    status: StatusDefinition
    count: int
    leads: list[Lead]
    next_cursor: str | None


async def create_lead(*, uow: LeadsUnitOfWork, actor: Principal, data: NewLead) -> Lead:
    """New leads land in the first open status. Without an explicit owner, the assignment rules
    choose one (a LeadAssigned follows the creation); with no matching rule, the creator owns it."""
    authorize(actor, *WRITERS)
    named = {"first_name": data.first_name, "company_name": data.company_name, "source": data.source}
    details = named | {"team": actor.team} | data.details
    details = await prepare(uow, actor, details, address=details.get("address"), language=data.language)
    first = (await uow.statuses.board()).first_open()
    lead = Lead.create(
        last_name=data.last_name,
        email=data.email,
        phone=data.phone,
        language=data.language,
        owner_id=data.owner_id or actor.user_id,
        created_by=actor.user_id,
        status=first.key,
        **details,
    )
    if data.owner_id is None:
        await assign_by_rules(uow=uow, lead=lead, team=lead.team, by=actor.user_id)
    await uow.leads.add(lead)
    return lead


async def get_lead(*, uow: LeadsUnitOfWork, actor: Principal, lead_id: UUID) -> Lead:
    authorize(actor, *READERS)
    return await uow.leads.get(lead_id)


async def update_lead(
    *,
    uow: LeadsUnitOfWork,
    actor: Principal,
    lead_id: UUID,
    changes: dict[str, Any],
    expected_version: int | None,
) -> Lead:
    authorize(actor, *WRITERS)
    lead = await _for_change(uow, lead_id, expected_version)
    values = await prepare(uow, actor, changes, address=lead.address, language=lead.language)
    if lead.update(values, by=actor.user_id):
        await uow.leads.update(lead)
    return lead


async def move_lead(
    *,
    uow: LeadsUnitOfWork,
    actor: Principal,
    lead_id: UUID,
    status: str,
    position: int | None,
    expected_version: int | None,
) -> Lead:
    """Kanban drag and drop: to any open status, at `position` in its column (0 = top)."""
    authorize(actor, *WRITERS)
    lead = await _for_change(uow, lead_id, expected_version)
    target = (await uow.statuses.board()).move_target(status)
    rank = None if position is None else await _rank_at(uow, target.key, position, lead.id)
    lead.move(target, rank=rank, by=actor.user_id)
    await uow.leads.update(lead)
    return lead


async def lose_lead(
    *,
    uow: LeadsUnitOfWork,
    actor: Principal,
    lead_id: UUID,
    reason: str,
    status: str | None,
    expected_version: int | None,
) -> Lead:
    authorize(actor, *WRITERS)
    lead = await _for_change(uow, lead_id, expected_version)
    target = (await uow.statuses.board()).loss_target(status)
    lead.lose(target, reason=reason, by=actor.user_id)
    await uow.leads.update(lead)
    return lead


async def reopen_lead(
    *, uow: LeadsUnitOfWork, actor: Principal, lead_id: UUID, expected_version: int | None
) -> Lead:
    """A lost lead goes back to the first open status."""
    authorize(actor, *WRITERS)
    lead = await _for_change(uow, lead_id, expected_version)
    lead.reopen((await uow.statuses.board()).first_open(), by=actor.user_id)
    await uow.leads.update(lead)
    return lead


async def search_leads(
    *,
    uow: LeadsUnitOfWork,
    actor: Principal,
    filters: LeadFilters,
    sort: LeadSort,
    cursor: str | None,
    limit: int,
) -> tuple[list[Lead], str | None]:
    """A page of leads and the cursor of the next one (None on the last page)."""
    authorize(actor, *READERS)
    after = LeadCursor.decode(cursor, sort=sort) if cursor else None
    found = await uow.leads.search(filters, sort=sort, after=after, limit=limit)
    return found, _next_cursor(found, sort=sort, limit=limit)


async def kanban(
    *, uow: LeadsUnitOfWork, actor: Principal, filters: LeadFilters, limit: int
) -> list[KanbanColumn]:
    """Every status in order, with how many leads it holds and the top of its column."""
    authorize(actor, *READERS)
    board = await uow.statuses.board()
    counts = await uow.leads.count_by_status(filters)
    columns = []
    for status in board.statuses:
        column = replace(filters, statuses=(status.key,))
        found = await uow.leads.search(column, sort=LeadSort.POSITION, after=None, limit=limit)
        cursor = _next_cursor(found, sort=LeadSort.POSITION, limit=limit)
        columns.append(KanbanColumn(status, counts.get(status.key, 0), found, cursor))
    return columns


async def _for_change(uow: LeadsUnitOfWork, lead_id: UUID, expected_version: int | None) -> Lead:
    """The lead, locked; a client's stale If-Match version is refused before anything changes."""
    lead = await uow.leads.get(lead_id, for_update=True)
    lead.check_version(expected_version)
    return lead


async def _rank_at(uow: LeadsUnitOfWork, status: str, position: int, lead_id: UUID) -> float:
    """A rank between the neighbours the lead lands between (the column is ordered by rank)."""
    start = max(position - 1, 0)
    ranks = await uow.leads.ranks_in_column(status, start=start, count=2, exclude=lead_id)
    if position == 0:
        return ranks[0] - 1.0 if ranks else 0.0
    if len(ranks) == 2:
        return (ranks[0] + ranks[1]) / 2
    if len(ranks) == 1:
        return ranks[0] + 1.0
    last = await uow.leads.ranks_in_column(status, start=0, count=1, exclude=lead_id, last=True)
    return last[0] + 1.0 if last else 0.0


def _next_cursor(found: list[Lead], *, sort: LeadSort, limit: int) -> str | None:
    if len(found) < limit or not found:
        return None
    last = found[-1]
    return LeadCursor(sort, getattr(last, sort.column), last.id).encode()
