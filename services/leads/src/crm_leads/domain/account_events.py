"""Domain events of accounts and contacts."""

from dataclasses import dataclass
from uuid import UUID


@dataclass(frozen=True)
class AccountOpened:
    account_id: UUID
    name: str
    email_domain: str | None
    owner_id: str | None


@dataclass(frozen=True)
class ContactAdded:
    contact_id: UUID
    account_id: UUID | None
    first_name: str | None
    last_name: str
    email: str | None
    language: str | None
