"""In-memory stand-ins of the account, contact and deal-fact repositories (see `fake_repositories`)."""

from typing import Any
from uuid import UUID

from crm_leads.domain.accounts.account import Account
from crm_leads.domain.accounts.contact import Contact
from crm_leads.domain.accounts.lifecycle import DealFact, DealRecord
from crm_shared.text_keys import address_key, casefold_key
from services.leads.tests.unit.fake_repositories import (
    FakeDatabase,
    FakeTable,
    live,
    newest_first,
    stored_copy,
)


class FakeAccounts(FakeTable[Account]):
    name = "accounts"

    async def add(self, aggregate: Account) -> None:
        if aggregate.reference_number is None:
            aggregate.assign_reference(self.db.next_account_number)
            self.db.next_account_number += 1
        await super().add(aggregate)

    async def search(self, filters: Any, *, after: UUID | None, limit: int) -> list[Account]:
        found = [a for a in live(self.rows.values()) if _equal(a, filters.equal)]
        found = [a for a in found if not filters.text or casefold_key(filters.text) in casefold_key(a.name)]
        found = [a for a in found if not filters.tag or filters.tag in a.tags]
        return [stored_copy(a) for a in newest_first(found, after=after, limit=limit)]

    async def existing(self, ids: set[UUID]) -> set[UUID]:
        return ids & set(self.rows)


class FakeContacts(FakeTable[Contact]):
    name = "contacts"

    async def search(self, filters: Any, *, after: UUID | None, limit: int) -> list[Contact]:
        found = [c for c in live(self.rows.values()) if _equal(c, filters.equal)]
        if filters.account_id:
            found = [c for c in found if filters.account_id in {link.account_id for link in c.accounts}]
        if filters.email:
            found = [c for c in found if address_key(filters.email) in c.emails]
        return [stored_copy(c) for c in newest_first(found, after=after, limit=limit)]

    async def with_domain(
        self, domain: str, *, exclude: UUID, after: UUID | None, limit: int
    ) -> list[Contact]:
        found = [c for c in live(self.rows.values()) if c.email_domain == domain and c.id != exclude]
        return [stored_copy(c) for c in newest_first(found, after=after, limit=limit)]


def _equal(record: object, equal: dict[str, object]) -> bool:
    return all(value is None or getattr(record, name) == value for name, value in equal.items())


class FakeDealFacts:
    def __init__(self, db: FakeDatabase) -> None:
        self.db = db

    async def get(self, deal_id: UUID) -> DealRecord | None:
        return self.db.deal_facts.get(deal_id)

    async def save(self, record: DealRecord) -> None:
        self.db.deal_facts[record.deal_id] = record

    async def of_contact(self, contact_id: UUID) -> list[DealFact]:
        return [d.fact for d in self.db.deal_facts.values() if d.contact_id == contact_id]

    async def of_account(self, account_id: UUID) -> list[DealFact]:
        return [d.fact for d in self.db.deal_facts.values() if d.account_id == account_id]
