"""SQL of case lists: filters as WHERE clauses over the cases table (paged by the repository)."""

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, not_, or_, select

from crm_cases.adapters.tables import cases
from crm_cases.domain.case_query import CaseFilter
from crm_cases.domain.case_values import FINISHED
from crm_cases.domain.sla import DUE_SOON
from crm_shared.text_keys import address_key


def case_query(f: CaseFilter, *, now: datetime) -> Select[Any]:
    c = cases.c
    equal = {
        c.priority: f.priority,
        c.assignee_id: f.assignee_id,
        c.team: f.team,
        c.account_id: f.account_id,
        c.requester_email: address_key(f.requester_email) if f.requester_email else None,
    }
    where: list[ColumnElement[bool]] = [
        column == value for column, value in equal.items() if value is not None
    ]
    if f.statuses:
        where.append(c.status.in_([s.value for s in f.statuses]))
    if f.contact_id is not None:
        where.append(c.contact_ids.contains([f.contact_id]))
    if f.tags:
        where.append(c.tags.contains(list(f.tags)))
    if f.text:
        where.append(_text(f.text))
    if f.sla is not None:
        breached = _pending_before(now)
        where.append(
            breached if f.sla == "breached" else and_(_pending_before(now + DUE_SOON), not_(breached))
        )
    return select(cases).where(*where)


def _text(text: str) -> ColumnElement[bool]:
    escaped = text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return or_(cases.c.subject.ilike(f"%{escaped}%", escape="\\"), func.upper(cases.c.number) == text.upper())


def _pending_before(moment: datetime) -> ColumnElement[bool]:
    """A due time not yet met falls before `moment` (first response unanswered, or case unresolved)."""
    c = cases.c
    # IS NOT NULL keeps the result TRUE or FALSE, never NULL, so that NOT(breached) stays meaningful.
    return or_(
        and_(
            c.first_responded_at.is_(None),
            c.first_response_due_at.is_not(None),
            c.first_response_due_at < moment,
        ),
        and_(
            c.status.not_in([s.value for s in FINISHED]),
            c.resolution_due_at.is_not(None),
            c.resolution_due_at < moment,
        ),
    )
