"""Accounts and contacts: the organisations and people a converted lead becomes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from uuid import UUID

from crm_leads.domain import account_events as events
from crm_shared.domain import Aggregate
from crm_shared.ids import new_id

if TYPE_CHECKING:
    from crm_leads.domain.model import Lead


@dataclass(eq=False, kw_only=True)
class Account(Aggregate):
    id: UUID
    name: str
    email_domain: str | None = None
    owner_id: str | None = None
    created_at: datetime

    @classmethod
    def open_from(cls, lead: Lead) -> Account:
        account = cls(
            id=new_id(),
            name=lead.company_name or lead.display_name,
            email_domain=lead.email_domain,
            owner_id=lead.owner_id,
            created_at=datetime.now(UTC),
        )
        account.record(events.AccountOpened(account.id, account.name, account.email_domain, account.owner_id))
        return account


@dataclass(eq=False, kw_only=True)
class Contact(Aggregate):
    id: UUID
    last_name: str
    first_name: str | None = None
    email: str | None = None
    phone: str | None = None
    language: str = "en"
    account_id: UUID | None = None
    created_at: datetime

    @classmethod
    def from_lead(cls, lead: Lead, account: Account) -> Contact:
        contact = cls(
            id=new_id(),
            last_name=lead.last_name,
            first_name=lead.first_name,
            email=lead.email,
            phone=lead.phone,
            language=lead.language,
            account_id=account.id,
            created_at=datetime.now(UTC),
        )
        contact.record(
            events.ContactAdded(
                contact.id,
                account.id,
                contact.first_name,
                contact.last_name,
                contact.email,
                contact.language,
            )
        )
        return contact
