"""Repositories of accounts and contacts (a contact's account links live in their own table)."""

from typing import Any
from uuid import UUID

from sqlalchemy import Row, Select, delete, or_, select

from crm_leads.adapters.accounts.tables import account_reference_seq, accounts, contact_accounts, contacts
from crm_leads.adapters.search_keys import account_keys, contact_search_text, escape_like
from crm_leads.domain.accounts.account import Account
from crm_leads.domain.accounts.contact import Contact
from crm_leads.domain.accounts.lifecycle import CustomerState, ProspectState
from crm_leads.domain.accounts.lists import Filters
from crm_leads.domain.accounts.values import AccountLink, AccountType, plain
from crm_leads.domain.addresses import PostalAddress
from crm_shared.db.repository import TableRepository
from crm_shared.text_keys import address_key, casefold_key


def _lifecycle(values: dict[str, Any]) -> dict[str, Any]:
    def maybe(kind: type[ProspectState] | type[CustomerState], value: str | None) -> Any:
        return kind(value) if value else None

    return values | {
        "prospect_state": ProspectState(values["prospect_state"]),
        "customer_state": CustomerState(values["customer_state"]),
        "prospect_override": maybe(ProspectState, values["prospect_override"]),
        "customer_override": maybe(CustomerState, values["customer_override"]),
    }


def _search(text: str) -> str:
    """A substring of the casefolded `search_text` (ADR 0006), served by its trigram index."""
    return f"%{escape_like(casefold_key(text))}%"


class AccountRepository(TableRepository[Account]):
    table, kind = accounts, Account

    def from_row(self, row: Row[Any]) -> Account:
        values = _lifecycle(row._asdict())
        for derived in ("search_text", "name_key"):
            values.pop(derived)
        return Account(
            **values
            | {
                "type": AccountType(values["type"]),
                "tags": tuple(values["tags"]),
                "addresses": tuple(PostalAddress.of(a) for a in values["addresses"]),
            }
        )

    def _row(self, aggregate: Account) -> dict[str, Any]:
        row = super()._row(aggregate)
        row["tags"] = list(aggregate.tags)
        row["addresses"] = [plain(a) for a in aggregate.addresses]
        return row | account_keys(aggregate.name)

    async def add(self, aggregate: Account) -> None:
        if aggregate.reference_number is None:
            number = (await self._connection.execute(select(account_reference_seq.next_value()))).scalar_one()
            aggregate.assign_reference(number)
        await super().add(aggregate)

    async def search(self, filters: Filters, *, after: UUID | None, limit: int) -> list[Account]:
        query = select(accounts).where(accounts.c.merged_into.is_(None))
        if filters.text:
            query = query.where(accounts.c.search_text.like(_search(filters.text), escape="\\"))
        if filters.tag:
            query = query.where(accounts.c.tags.contains([filters.tag]))
        return await self.page(query, after=after, limit=limit, equal=filters.equal)

    async def existing(self, ids: set[UUID]) -> set[UUID]:
        rows = await self._connection.execute(select(accounts.c.id).where(accounts.c.id.in_(ids)))
        return {row.id for row in rows}


class ContactRepository(TableRepository[Contact]):
    table, kind = contacts, Contact

    def from_row(self, row: Row[Any]) -> Contact:
        values = _lifecycle(row._asdict())
        email, others = values.pop("email"), values.pop("other_emails")
        phone, other_phones = values.pop("phone"), values.pop("other_phones")
        for column in ("email_domain", "account_id", "search_text"):
            values.pop(column)
        return Contact(
            **values,
            emails=tuple([email, *others] if email else others),
            phones=tuple([phone, *other_phones] if phone else other_phones),
        )

    def _row(self, aggregate: Contact) -> dict[str, Any]:
        row = super()._row(aggregate)
        return row | {
            "email": aggregate.email,
            "other_emails": list(aggregate.emails[1:]),
            "email_domain": aggregate.email_domain,
            "phone": aggregate.phone,
            "other_phones": list(aggregate.phones[1:]),
            "account_id": aggregate.account_id,
            "search_text": contact_search_text(aggregate.first_name, aggregate.last_name, aggregate.emails),
        }

    async def add(self, aggregate: Contact) -> None:
        await super().add(aggregate)
        await self._write_links(aggregate)

    async def update(self, aggregate: Contact) -> None:
        await super().update(aggregate)
        await self._connection.execute(
            delete(contact_accounts).where(contact_accounts.c.contact_id == aggregate.id)
        )
        await self._write_links(aggregate)

    async def find(self, query: Select[Any]) -> list[Contact]:
        found = await super().find(query)
        links = await self._links_of([c.id for c in found])
        for contact in found:
            contact.accounts = tuple(links.get(contact.id, ()))
        return found

    async def get(self, ident: UUID, *, for_update: bool = False) -> Contact:
        contact = await super().get(ident, for_update=for_update)
        contact.accounts = tuple((await self._links_of([ident])).get(ident, ()))
        return contact

    async def search(self, filters: Filters, *, after: UUID | None, limit: int) -> list[Contact]:
        query = select(contacts).where(contacts.c.merged_into.is_(None))
        if filters.text:
            query = query.where(contacts.c.search_text.like(_search(filters.text), escape="\\"))
        if filters.email:
            email = address_key(filters.email)
            query = query.where(or_(contacts.c.email == email, contacts.c.other_emails.contains([email])))
        if filters.account_id:
            linked = select(contact_accounts.c.contact_id).where(
                contact_accounts.c.account_id == filters.account_id
            )
            query = query.where(contacts.c.id.in_(linked))
        return await self.page(query, after=after, limit=limit, equal=filters.equal)

    async def with_domain(
        self, domain: str, *, exclude: UUID, after: UUID | None, limit: int
    ) -> list[Contact]:
        query = select(contacts).where(contacts.c.id != exclude, contacts.c.merged_into.is_(None))
        return await self.page(query, after=after, limit=limit, equal={"email_domain": domain})

    async def _write_links(self, contact: Contact) -> None:
        rows = [
            {"contact_id": contact.id, "account_id": link.account_id, "role": link.role, "position": i}
            for i, link in enumerate(contact.accounts)
        ]
        if rows:
            await self._connection.execute(contact_accounts.insert(), rows)

    async def _links_of(self, ids: list[UUID]) -> dict[UUID, list[AccountLink]]:
        if not ids:
            return {}
        query = (
            select(contact_accounts)
            .where(contact_accounts.c.contact_id.in_(ids))
            .order_by(contact_accounts.c.contact_id, contact_accounts.c.position)
        )
        links: dict[UUID, list[AccountLink]] = {}
        for row in await self._connection.execute(query):
            links.setdefault(row.contact_id, []).append(AccountLink(row.account_id, row.role))
        return links
