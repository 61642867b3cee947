"""SQL of lead lists: filters on indexed columns and keyset pagination for every sort order."""

from typing import Any

from sqlalchemy import ColumnElement, Select, func, literal, select, tuple_

from crm_leads.adapters.search_keys import escape_like
from crm_leads.adapters.tables import lead_statuses, leads
from crm_leads.domain.lists import LeadCursor, LeadFilters, LeadSort
from crm_shared.text_keys import casefold_key


def conditions(filters: LeadFilters) -> list[ColumnElement[bool]]:
    c = leads.c
    where: list[ColumnElement[bool]] = [c.merged_into.is_(None)]  # merged leads live on in their survivor
    equal = {"owner_id": filters.owner_id, "team": filters.team, "source": filters.source}
    where += [c[name] == value for name, value in equal.items() if value is not None]
    if filters.statuses:
        where.append(c.status.in_(filters.statuses))
    if filters.open_only:
        where.append(c.status.in_(select(lead_statuses.c.key).where(lead_statuses.c.is_open)))
    # jsonb containment, served by the GIN index on tags.
    where += [
        c.tags.contains(func.jsonb_build_array(func.jsonb_build_object("name", t))) for t in filters.tags
    ]
    if filters.score_min is not None:
        where.append(c.score >= filters.score_min)
    if filters.score_max is not None:
        where.append(c.score <= filters.score_max)
    if filters.created_from is not None:
        where.append(c.created_at >= filters.created_from)
    if filters.created_to is not None:
        where.append(c.created_at < filters.created_to)
    if filters.key_account is not None:
        where.append(c.key_account.is_(filters.key_account))
    if filters.text:
        # Substring of the casefolded search_text (ADR 0006), served by its trigram index.
        pattern = literal(f"%{escape_like(casefold_key(filters.text))}%")
        where.append(c.search_text.like(pattern, escape="\\"))
    return where


def page_query(filters: LeadFilters, *, sort: LeadSort, after: LeadCursor | None, limit: int) -> Select[Any]:
    key, ident = leads.c[sort.column], leads.c.id
    query = select(leads).where(*conditions(filters))
    if after is not None:
        # Row comparison keeps the order total: (key, id) strictly past the last row seen.
        position = tuple_(key, ident)
        boundary = tuple_(literal(after.value, key.type), literal(after.id, ident.type))
        query = query.where(position < boundary if sort.descending else position > boundary)
    if sort.descending:
        return query.order_by(key.desc(), ident.desc()).limit(limit)
    return query.order_by(key.asc(), ident.asc()).limit(limit)


def count_by_status(filters: LeadFilters) -> Select[Any]:
    return select(leads.c.status, func.count()).where(*conditions(filters)).group_by(leads.c.status)
