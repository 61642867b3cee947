"""Accounts: the organisations a converted lead becomes (contacts live in `contact`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from crm_leads.domain.accounts import events
from crm_leads.domain.accounts.lifecycle import Lifecycle
from crm_leads.domain.accounts.lifecycle_record import LifecycleRecord
from crm_leads.domain.accounts.values import (
    AccountType,
    apply_changes,
    check_addresses,
    domain_of_website,
    plain,
)
from crm_leads.domain.addresses import PostalAddress
from crm_leads.domain.duplicates.merge import ensure_not_merged
from crm_shared.domain import DomainEvent
from crm_shared.errors import InvalidInput
from crm_shared.ids import new_id
from crm_shared.text_keys import address_key

if TYPE_CHECKING:
    from crm_leads.domain.model import Lead

EDITABLE = frozenset(
    {"name", "type", "website", "email_domain", "owner_id", "csm_id", "team", "language", "key_account",
     "tags", "addresses"}
)  # fmt: skip


@dataclass(eq=False, kw_only=True)
class Account(LifecycleRecord):
    id: UUID
    name: str
    type: AccountType = AccountType.PROSPECT
    reference_number: int | None = None
    website: str | None = None
    email_domain: str | None = None
    owner_id: str | None = None
    csm_id: str | None = None
    team: str | None = None
    language: str = "en"
    key_account: bool = False
    tags: tuple[str, ...] = ()
    addresses: tuple[PostalAddress, ...] = ()
    created_at: datetime
    updated_at: datetime | None = None
    merged_into: UUID | None = None
    """The account this one was merged into; a merged account is kept, read-only."""
    merged_at: datetime | None = None

    def __post_init__(self) -> None:
        self.updated_at = self.updated_at or self.created_at

    @classmethod
    def create(cls, *, name: str, by: str | None = None, **fields: Any) -> Account:
        unknown = set(fields) - EDITABLE
        if unknown:
            raise TypeError(f"unknown account fields: {sorted(unknown)}")
        now = datetime.now(UTC)
        account = cls(id=new_id(), name=_name(name), created_at=now, **fields)
        account.addresses = check_addresses(account.addresses)
        account.tags = _tags(account.tags)
        account.email_domain = (
            address_key(account.email_domain or domain_of_website(account.website) or "") or None
        )
        account.record(account._opened(by))
        return account

    @classmethod
    def open_from(cls, lead: Lead) -> Account:
        return cls.create(
            name=lead.company_name or lead.display_name,
            email_domain=lead.email_domain,
            owner_id=lead.owner_id,
            language=lead.language,
        )

    def assign_reference(self, number: int) -> None:
        """The store numbers a new account; the opening event then carries the number."""
        self.reference_number = number
        self._events = [
            replace(e, reference_number=number) if isinstance(e, events.AccountOpened) else e
            for e in self._events
        ]

    def update(self, changes: Mapping[str, Any], *, by: str) -> dict[str, tuple[Any, Any]]:
        ensure_not_merged("account", self)
        unknown = set(changes) - EDITABLE
        if unknown:
            raise InvalidInput(sorted(unknown)[0], "not an editable field of an account")
        values = dict(changes)
        if "name" in values:
            values["name"] = _name(values["name"])
        if "addresses" in values:
            values["addresses"] = check_addresses(values["addresses"])
        if "tags" in values:
            values["tags"] = _tags(values["tags"])
        changed = apply_changes(self, values)
        if changed:
            self.updated_at = datetime.now(UTC)
            self.record(events.AccountChanged(self.id, changed, by))
        return changed

    def _opened(self, by: str | None) -> events.AccountOpened:
        return events.AccountOpened(
            account_id=self.id,
            name=self.name,
            email_domain=self.email_domain,
            owner_id=self.owner_id,
            type=self.type.value,
            reference_number=self.reference_number,
            website=self.website,
            csm_id=self.csm_id,
            team=self.team,
            language=self.language,
            key_account=self.key_account,
            tags=self.tags,
            addresses=tuple(plain(a) for a in self.addresses),
            by=by,
        )

    def _lifecycle_changed(
        self, before: Lifecycle, after: Lifecycle, *, by: str, at: datetime, deal_id: UUID | None
    ) -> DomainEvent:
        return events.AccountLifecycleChanged(self.id, before, after, by, at, deal_id)


def _name(name: str) -> str:
    if not name.strip():
        raise InvalidInput("name", "an account needs a name")
    return name.strip()


def _tags(tags: Iterable[str]) -> tuple[str, ...]:
    """Trimmed, without blanks or repeats, in the order given."""
    return tuple(dict.fromkeys(t.strip() for t in tags if t.strip()))
