"""Domain events of accounts and contacts. Values are plain (str, int, bool, dict, tuple) so the
activity timeline can store them as JSON."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from crm_leads.domain.accounts.lifecycle import Lifecycle
from crm_shared.domain import DomainEvent


@dataclass(frozen=True)
class AccountOpened(DomainEvent):
    account_id: UUID
    name: str
    email_domain: str | None
    owner_id: str | None
    type: str = "prospect"
    reference_number: int | None = None
    website: str | None = None
    csm_id: str | None = None
    team: str | None = None
    language: str = "en"
    key_account: bool = False
    tags: tuple[str, ...] = ()
    addresses: tuple[dict[str, Any], ...] = ()
    by: str | None = None


@dataclass(frozen=True)
class AccountChanged(DomainEvent):
    """`changed` maps each changed field to its (old, new) values."""

    account_id: UUID
    changed: dict[str, tuple[Any, Any]]
    by: str


@dataclass(frozen=True)
class ContactAdded(DomainEvent):
    contact_id: UUID
    account_id: UUID | None
    first_name: str | None
    last_name: str
    email: str | None
    language: str | None
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    job_title: str | None = None
    do_not_email: bool = False
    do_not_call: bool = False
    accounts: tuple[dict[str, Any], ...] = ()
    by: str | None = None


@dataclass(frozen=True)
class ContactChanged(DomainEvent):
    contact_id: UUID
    changed: dict[str, tuple[Any, Any]]
    by: str


@dataclass(frozen=True)
class AccountLifecycleChanged(DomainEvent):
    account_id: UUID
    before: Lifecycle
    after: Lifecycle
    by: str
    changed_at: datetime
    deal_id: UUID | None = None


@dataclass(frozen=True)
class ContactLifecycleChanged(DomainEvent):
    contact_id: UUID
    before: Lifecycle
    after: Lifecycle
    by: str
    changed_at: datetime
    deal_id: UUID | None = None
