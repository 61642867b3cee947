"""The activity timeline: the projection of domain events, and its queries."""

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from uuid import UUID

from pydantic_core import to_jsonable_python

from crm_leads.adapters.history.repository import HistoryRecord
from crm_leads.domain.history.timeline import HistoryEntry, entries_of
from crm_shared.auth import Principal, Role, authorize

if TYPE_CHECKING:  # the unit of work imports this module for its projection
    from crm_leads.service_layer.unit_of_work import LeadsUnitOfWork

READERS = (Role.SALES, Role.CSM, Role.SUPPORT)


def history_entries(domain_events: Iterable[object]) -> list[HistoryEntry]:
    return [entry for event in domain_events for entry in entries_of(event, event_data(event))]


def event_data(event: object) -> dict[str, Any]:
    """The event's fields as JSON (ids and dates as strings, nested values as objects)."""
    data = to_jsonable_python(event, fallback=str)
    return data if isinstance(data, dict) else {"value": data}


async def subject_history(
    *, uow: "LeadsUnitOfWork", actor: Principal, subject_id: UUID, after: UUID | None, limit: int
) -> list[HistoryRecord]:
    authorize(actor, *READERS)
    return await uow.history.page(subject_id, after=after, limit=limit)


async def lead_history(
    *, uow: "LeadsUnitOfWork", actor: Principal, lead_id: UUID, after: UUID | None, limit: int
) -> list[HistoryRecord]:
    authorize(actor, *READERS)
    await uow.leads.get(lead_id)  # 404 for an unknown lead rather than an empty timeline
    return await uow.history.page(lead_id, after=after, limit=limit)
