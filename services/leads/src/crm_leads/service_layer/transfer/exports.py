"""Export use cases: one page of records at a time, read through the list use cases (so the same
permissions apply), with the records' external ids."""

from dataclasses import dataclass
from typing import Generic, TypeVar
from uuid import UUID

from crm_leads.domain.accounts.account import Account
from crm_leads.domain.accounts.contact import Contact
from crm_leads.domain.accounts.lists import Filters
from crm_leads.domain.lists import LeadFilters, LeadSort
from crm_leads.domain.model import Lead
from crm_leads.service_layer import use_cases
from crm_leads.service_layer.accounts import use_cases as accounts
from crm_leads.service_layer.unit_of_work import LeadsUnitOfWork
from crm_shared.auth import Principal
from crm_shared.pagination import MAX_PAGE_SIZE, decode_cursor, encode_cursor

R = TypeVar("R", Lead, Contact, Account)
PAGE_SIZE = MAX_PAGE_SIZE


@dataclass(frozen=True)
class ExportPage(Generic[R]):
    records: list[R]
    external_ids: dict[UUID, str]
    next_cursor: str | None


async def export_leads(
    *, uow: LeadsUnitOfWork, actor: Principal, filters: LeadFilters, cursor: str | None
) -> ExportPage[Lead]:
    found, next_cursor = await use_cases.search_leads(
        uow=uow, actor=actor, filters=filters, sort=LeadSort.CREATED_DESC, cursor=cursor, limit=PAGE_SIZE
    )
    return await _page(uow, "leads", found, next_cursor)


async def export_contacts(
    *, uow: LeadsUnitOfWork, actor: Principal, filters: Filters, cursor: str | None
) -> ExportPage[Contact]:
    found = await accounts.list_contacts(
        uow=uow, actor=actor, filters=filters, after=decode_cursor(cursor), limit=PAGE_SIZE
    )
    return await _page(uow, "contacts", found, _next(found))


async def export_accounts(
    *, uow: LeadsUnitOfWork, actor: Principal, filters: Filters, cursor: str | None
) -> ExportPage[Account]:
    found = await accounts.list_accounts(
        uow=uow, actor=actor, filters=filters, after=decode_cursor(cursor), limit=PAGE_SIZE
    )
    return await _page(uow, "accounts", found, _next(found))


async def _page(uow: LeadsUnitOfWork, kind: str, found: list[R], next_cursor: str | None) -> ExportPage[R]:
    keys = await uow.transfers.external_ids(kind, [r.id for r in found])
    return ExportPage(found, keys, next_cursor)


def _next(found: list[Contact] | list[Account]) -> str | None:
    return encode_cursor(found[-1].id) if len(found) == PAGE_SIZE else None
