"""Use cases of accounts and contacts. Each runs in one unit of work that the boundary commits."""

from collections.abc import Iterable, Mapping
from typing import Any
from uuid import UUID

from crm_leads.domain.accounts.account import Account
from crm_leads.domain.accounts.contact import Contact
from crm_leads.domain.accounts.lists import Filters
from crm_leads.domain.accounts.values import AccountLink
from crm_leads.domain.duplicates.matching import FREE_MAIL_DOMAINS
from crm_leads.service_layer.unit_of_work import LeadsUnitOfWork
from crm_shared.auth import Principal, Role, authorize
from crm_shared.errors import InvalidInput

READERS = (Role.SALES, Role.CSM, Role.SUPPORT)
WRITERS = (Role.SALES, Role.CSM)


async def create_account(*, uow: LeadsUnitOfWork, actor: Principal, data: Mapping[str, Any]) -> Account:
    authorize(actor, *WRITERS)
    fields = dict(data)
    fields.setdefault("owner_id", None)
    fields["owner_id"] = fields["owner_id"] or actor.user_id
    account = Account.create(by=actor.user_id, **fields)
    await uow.accounts.add(account)
    return account


async def get_account(*, uow: LeadsUnitOfWork, actor: Principal, account_id: UUID) -> Account:
    authorize(actor, *READERS)
    return await uow.accounts.get(account_id)


async def list_accounts(
    *, uow: LeadsUnitOfWork, actor: Principal, filters: Filters, after: UUID | None, limit: int
) -> list[Account]:
    authorize(actor, *READERS)
    return await uow.accounts.search(filters, after=after, limit=limit)


async def update_account(
    *,
    uow: LeadsUnitOfWork,
    actor: Principal,
    account_id: UUID,
    changes: Mapping[str, Any],
    expected_version: int | None,
) -> Account:
    authorize(actor, *WRITERS)
    account = await uow.accounts.get(account_id, for_update=True)
    account.check_version(expected_version)
    if account.update(changes, by=actor.user_id):
        await uow.accounts.update(account)
    return account


async def create_contact(*, uow: LeadsUnitOfWork, actor: Principal, data: Mapping[str, Any]) -> Contact:
    authorize(actor, *WRITERS)
    await _check_accounts(uow, data.get("accounts", ()))
    contact = Contact.create(by=actor.user_id, **data)
    await uow.contacts.add(contact)
    return contact


async def get_contact(*, uow: LeadsUnitOfWork, actor: Principal, contact_id: UUID) -> Contact:
    authorize(actor, *READERS)
    return await uow.contacts.get(contact_id)


async def list_contacts(
    *, uow: LeadsUnitOfWork, actor: Principal, filters: Filters, after: UUID | None, limit: int
) -> list[Contact]:
    authorize(actor, *READERS)
    return await uow.contacts.search(filters, after=after, limit=limit)


async def update_contact(
    *,
    uow: LeadsUnitOfWork,
    actor: Principal,
    contact_id: UUID,
    changes: Mapping[str, Any],
    expected_version: int | None,
) -> Contact:
    authorize(actor, *WRITERS)
    contact = await uow.contacts.get(contact_id, for_update=True)
    contact.check_version(expected_version)
    await _check_accounts(uow, changes.get("accounts", ()))
    if contact.update(changes, by=actor.user_id):
        await uow.contacts.update(contact)
    return contact


async def related_contacts(
    *, uow: LeadsUnitOfWork, actor: Principal, contact_id: UUID, after: UUID | None, limit: int
) -> list[Contact]:
    """Contacts whose primary address shares this contact's domain (none for webmail domains)."""
    authorize(actor, *READERS)
    contact = await uow.contacts.get(contact_id)
    domain = contact.email_domain
    if domain is None or domain in FREE_MAIL_DOMAINS:
        return []
    return await uow.contacts.with_domain(domain, exclude=contact.id, after=after, limit=limit)


async def _check_accounts(uow: LeadsUnitOfWork, links: Iterable[AccountLink]) -> None:
    wanted = {link.account_id for link in links}
    missing = wanted - await uow.accounts.existing(wanted) if wanted else set()
    if missing:
        raise InvalidInput("accounts", f"unknown account(s): {', '.join(sorted(map(str, missing)))}")
