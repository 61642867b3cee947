"""How an import creates, updates and finds each kind of record: through the same use cases as the
HTTP API, so the same rules, permissions and events apply."""

from collections.abc import Sequence
from typing import Any, Protocol
from uuid import UUID

from crm_leads.domain.accounts.values import AccountLink
from crm_leads.domain.addresses import PostalAddress
from crm_leads.domain.transfer.rows import ImportKind
from crm_leads.service_layer import use_cases
from crm_leads.service_layer.accounts import use_cases as accounts
from crm_leads.service_layer.unit_of_work import LeadsUnitOfWork
from crm_shared.auth import Principal


class KindWriter(Protocol):
    async def create(
        self, uow: LeadsUnitOfWork, actor: Principal, data: Any, links: Sequence[AccountLink]
    ) -> UUID: ...

    async def update(
        self,
        uow: LeadsUnitOfWork,
        actor: Principal,
        ident: UUID,
        changes: dict[str, Any],
        links: Sequence[AccountLink],
    ) -> None: ...

    async def with_email(self, uow: LeadsUnitOfWork, value: str) -> list[UUID]:
        """Live records of this kind that the `email` key names (at most two: one, or several)."""
        ...


class Leads:
    async def create(
        self, uow: LeadsUnitOfWork, actor: Principal, data: Any, links: Sequence[AccountLink]
    ) -> UUID:
        return (await use_cases.create_lead(uow=uow, actor=actor, data=data)).id

    async def update(
        self,
        uow: LeadsUnitOfWork,
        actor: Principal,
        ident: UUID,
        changes: dict[str, Any],
        links: Sequence[AccountLink],
    ) -> None:
        await use_cases.update_lead(
            uow=uow, actor=actor, lead_id=ident, changes=changes, expected_version=None
        )

    async def with_email(self, uow: LeadsUnitOfWork, value: str) -> list[UUID]:
        return await uow.transfers.leads_with_email(value)


class Contacts:
    async def create(
        self, uow: LeadsUnitOfWork, actor: Principal, data: Any, links: Sequence[AccountLink]
    ) -> UUID:
        values = dict(data) | {"accounts": tuple(links)}
        return (await accounts.create_contact(uow=uow, actor=actor, data=values)).id

    async def update(
        self,
        uow: LeadsUnitOfWork,
        actor: Principal,
        ident: UUID,
        changes: dict[str, Any],
        links: Sequence[AccountLink],
    ) -> None:
        """The file's account links are added to the contact's, which are kept."""
        values = dict(changes)
        if links:
            current = (await uow.contacts.get(ident)).accounts
            known = {link.account_id for link in current}
            values["accounts"] = (*current, *(link for link in links if link.account_id not in known))
        await accounts.update_contact(
            uow=uow, actor=actor, contact_id=ident, changes=values, expected_version=None
        )

    async def with_email(self, uow: LeadsUnitOfWork, value: str) -> list[UUID]:
        return await uow.transfers.contacts_with_email(value)


class Accounts:
    async def create(
        self, uow: LeadsUnitOfWork, actor: Principal, data: Any, links: Sequence[AccountLink]
    ) -> UUID:
        return (await accounts.create_account(uow=uow, actor=actor, data=data)).id

    async def update(
        self,
        uow: LeadsUnitOfWork,
        actor: Principal,
        ident: UUID,
        changes: dict[str, Any],
        links: Sequence[AccountLink],
    ) -> None:
        """An address in the file replaces the account's address of that kind; others are kept."""
        values = dict(changes)
        if values.get("addresses"):
            values["addresses"] = _merged((await uow.accounts.get(ident)).addresses, values["addresses"])
        await accounts.update_account(
            uow=uow, actor=actor, account_id=ident, changes=values, expected_version=None
        )

    async def with_email(self, uow: LeadsUnitOfWork, value: str) -> list[UUID]:
        return await uow.transfers.accounts_with_domain(value)


def _merged(current: Sequence[PostalAddress], new: Sequence[PostalAddress]) -> tuple[PostalAddress, ...]:
    replaced = {a.kind for a in new}
    return (*(a for a in current if a.kind not in replaced), *new)


WRITERS: dict[ImportKind, KindWriter] = {
    ImportKind.LEADS: Leads(),
    ImportKind.CONTACTS: Contacts(),
    ImportKind.ACCOUNTS: Accounts(),
}
