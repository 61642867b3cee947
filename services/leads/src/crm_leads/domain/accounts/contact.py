"""Contacts: people, with their addresses and numbers, linked to one or more accounts with a role."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from crm_leads.domain.accounts import events
from crm_leads.domain.accounts.lifecycle import Lifecycle
from crm_leads.domain.accounts.lifecycle_record import LifecycleRecord
from crm_leads.domain.accounts.values import AccountLink, apply_changes, email_domain_of, plain, to_e164
from crm_leads.domain.duplicates.merge import ensure_not_merged
from crm_shared.domain import DomainEvent
from crm_shared.errors import InvalidInput
from crm_shared.ids import new_id
from crm_shared.text_keys import address_key

if TYPE_CHECKING:
    from crm_leads.domain.accounts.account import Account
    from crm_leads.domain.model import Lead

EDITABLE = frozenset(
    {"first_name", "last_name", "emails", "phones", "job_title", "language", "do_not_email", "do_not_call",
     "accounts"}
)  # fmt: skip


@dataclass(eq=False, kw_only=True)
class Contact(LifecycleRecord):
    id: UUID
    last_name: str
    first_name: str | None = None
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    job_title: str | None = None
    language: str = "en"
    do_not_email: bool = False
    do_not_call: bool = False
    accounts: tuple[AccountLink, ...] = ()
    created_at: datetime
    updated_at: datetime | None = None
    merged_into: UUID | None = None
    """The contact this one was merged into; a merged contact is kept, read-only."""
    merged_at: datetime | None = None

    def __post_init__(self) -> None:
        self.updated_at = self.updated_at or self.created_at

    @property
    def email(self) -> str | None:
        """The primary address."""
        return self.emails[0] if self.emails else None

    @property
    def phone(self) -> str | None:
        return self.phones[0] if self.phones else None

    @property
    def account_id(self) -> UUID | None:
        """The primary account: the first linked."""
        return self.accounts[0].account_id if self.accounts else None

    @property
    def email_domain(self) -> str | None:
        return email_domain_of(self.email)

    @property
    def display_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p)

    @classmethod
    def create(
        cls, *, last_name: str, by: str | None = None, lenient_phones: bool = False, **fields: Any
    ) -> Contact:
        """`lenient_phones` keeps numbers that do not parse (conversion must not lose a lead's data)."""
        unknown = set(fields) - EDITABLE
        if unknown:
            raise TypeError(f"unknown contact fields: {sorted(unknown)}")
        values = _checked({"last_name": last_name, **fields}, lenient_phones=lenient_phones)
        contact = cls(id=new_id(), created_at=datetime.now(UTC), **values)
        contact.record(contact._added(by))
        return contact

    @classmethod
    def from_lead(cls, lead: Lead, account: Account | None) -> Contact:
        """Everything the lead knew of the person, opt-outs above all, carries over."""
        return cls.create(
            last_name=lead.last_name,
            first_name=lead.first_name,
            emails=[entry.address for entry in lead.emails],
            phones=[entry.number for entry in lead.phones],
            job_title=lead.job_title,
            language=lead.language,
            do_not_email=lead.do_not_email,
            do_not_call=lead.do_not_call,
            accounts=[AccountLink(account.id)] if account else [],
            lenient_phones=True,
        )

    def update(self, changes: Mapping[str, Any], *, by: str) -> dict[str, tuple[Any, Any]]:
        ensure_not_merged("contact", self)
        unknown = set(changes) - EDITABLE
        if unknown:
            raise InvalidInput(sorted(unknown)[0], "not an editable field of a contact")
        changed = apply_changes(self, _checked(changes))
        if changed:
            self.updated_at = datetime.now(UTC)
            self.record(events.ContactChanged(self.id, changed, by))
        return changed

    def _added(self, by: str | None) -> events.ContactAdded:
        return events.ContactAdded(
            contact_id=self.id,
            account_id=self.account_id,
            first_name=self.first_name,
            last_name=self.last_name,
            email=self.email,
            language=self.language,
            emails=self.emails,
            phones=self.phones,
            job_title=self.job_title,
            do_not_email=self.do_not_email,
            do_not_call=self.do_not_call,
            accounts=tuple(plain(link) for link in self.accounts),
            by=by,
        )

    def _lifecycle_changed(
        self, before: Lifecycle, after: Lifecycle, *, by: str, at: datetime, deal_id: UUID | None
    ) -> DomainEvent:
        return events.ContactLifecycleChanged(self.id, before, after, by, at, deal_id)


def _checked(values: Mapping[str, Any], *, lenient_phones: bool = False) -> dict[str, Any]:
    result = dict(values)
    if "last_name" in result and not str(result["last_name"]).strip():
        raise InvalidInput("last_name", "a contact needs a last name")
    if "emails" in result:
        result["emails"] = tuple(dict.fromkeys(address_key(e) for e in result["emails"] if e.strip()))
    if "phones" in result:
        phones = _phones_kept if lenient_phones else _phones_strict
        result["phones"] = tuple(dict.fromkeys(phones(result["phones"])))
    if "accounts" in result:
        result["accounts"] = _links(result["accounts"])
    return result


def _links(links: Iterable[AccountLink]) -> tuple[AccountLink, ...]:
    result = tuple(links)
    ids = [link.account_id for link in result]
    if len(ids) != len(set(ids)):
        raise InvalidInput("accounts", "an account is linked twice")
    return result


def _phones_strict(raw: Sequence[str]) -> list[str]:
    return [to_e164(number, field="phones") for number in raw]


def _phones_kept(raw: Sequence[str]) -> list[str]:
    """E.164 where the number parses, else as given."""
    kept = []
    for number in raw:
        try:
            kept.append(to_e164(number, field="phones"))
        except InvalidInput:
            kept.append(number)
    return kept
