"""Leads: a prospect's details and where it stands. A lead is converted once, then read-only."""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from crm_leads.domain import events
from crm_leads.domain.accounts.account import Account
from crm_leads.domain.accounts.contact import Contact
from crm_leads.domain.addresses import PostalAddress
from crm_leads.domain.duplicates.merge import ensure_not_merged
from crm_leads.domain.statuses import CLOSED_STATUSES, LeadStatus, StatusDefinition
from crm_leads.domain.values import (
    EmailEntry,
    PhoneEntry,
    Tag,
    e164,
    normalise_email,
    phone_region,
)
from crm_shared.domain import Aggregate
from crm_shared.errors import Conflict, InvalidInput
from crm_shared.ids import new_id
from crm_shared.text_keys import address_key, casefold_key

__all__ = ["CLOSED_STATUSES", "EDITABLE", "Lead", "LeadStatus"]

EDITABLE = frozenset(
    {
        "first_name", "last_name", "company_name", "job_title", "function", "department",
        "industry_sector", "emails", "phones", "address", "website", "source", "category", "tags",
        "score", "company_size", "key_account", "nurturing", "do_not_call", "do_not_email",
        "language", "team", "description", "utm_source", "utm_medium", "utm_campaign", "utm_term",
        "utm_content",
    }
)  # fmt: skip
"""Fields a PATCH may change; status, owner and links change through their own actions."""

MAX_SCORE = 5


@dataclass(eq=False, kw_only=True)
class Lead(Aggregate):
    id: UUID
    last_name: str
    first_name: str | None = None
    company_name: str | None = None
    job_title: str | None = None
    function: str | None = None
    department: str | None = None
    industry_sector: str | None = None
    emails: tuple[EmailEntry, ...] = ()
    phones: tuple[PhoneEntry, ...] = ()
    address: PostalAddress | None = None
    website: str | None = None
    source: str | None = None
    category: str | None = None
    tags: tuple[Tag, ...] = ()
    score: int = 0
    company_size: str | None = None
    key_account: bool = False
    nurturing: bool = False
    do_not_call: bool = False
    do_not_email: bool = False
    language: str = "en"
    owner_id: str | None = None
    team: str | None = None
    description: str | None = None
    utm_source: str | None = None
    utm_medium: str | None = None
    utm_campaign: str | None = None
    utm_term: str | None = None
    utm_content: str | None = None
    status: str = LeadStatus.TO_PROCESS
    rank: float = 0.0
    """Order within its kanban column (ascending)."""
    lost_reason: str | None = None
    lost_at: datetime | None = None
    created_at: datetime
    updated_at: datetime
    converted_at: datetime | None = None
    account_id: UUID | None = None
    contact_id: UUID | None = None
    merged_into: UUID | None = None
    """The lead this one was merged into; a merged lead is kept, read-only."""
    merged_at: datetime | None = None

    @classmethod
    def create(
        cls,
        *,
        last_name: str,
        first_name: str | None = None,
        company_name: str | None = None,
        email: str | None = None,
        phone: str | None = None,
        source: str | None = None,
        language: str = "en",
        owner_id: str | None = None,
        created_by: str | None = None,
        status: str = LeadStatus.TO_PROCESS,
        **details: Any,
    ) -> "Lead":
        """`details` are further editable fields (already normalised, see `values`)."""
        if unknown := set(details) - EDITABLE:
            raise TypeError(f"not lead fields: {sorted(unknown)}")
        if email and "emails" not in details:
            details["emails"] = (EmailEntry(normalise_email(email), True),)
        if phone and "phones" not in details:
            region = phone_region(details.get("address"), language)
            details["phones"] = (PhoneEntry(e164(phone, region=region), primary=True),)
        now = datetime.now(UTC)
        lead = cls(
            id=new_id(),
            last_name=last_name,
            first_name=first_name,
            company_name=company_name,
            source=source,
            language=language,
            owner_id=owner_id,
            status=status,
            rank=-now.timestamp(),  # newest on top of its column
            created_at=now,
            updated_at=now,
            **details,
        )
        _check_score(lead.score)
        lead.record(
            events.LeadCreated(
                lead_id=lead.id,
                first_name=lead.first_name,
                last_name=lead.last_name,
                company_name=lead.company_name,
                email=lead.email,
                owner_id=lead.owner_id,
                source=lead.source,
                created_by=created_by,
            )
        )
        return lead

    @property
    def email(self) -> str | None:
        """The primary email (emails are kept primary first)."""
        return self.emails[0].address if self.emails else None

    @email.setter
    def email(self, address: str | None) -> None:
        """Replace the primary email (None removes it)."""
        others = tuple(e for e in self.emails[1:] if address is None or e.address != address_key(address))
        self.emails = ((EmailEntry(address_key(address), True),) if address else ()) + others

    @property
    def phone(self) -> str | None:
        return self.phones[0].number if self.phones else None

    @phone.setter
    def phone(self, number: str | None) -> None:
        """Replace the primary phone, normalised to E.164 (None removes it)."""
        others = self.phones[1:]
        if number is None:
            self.phones = others
            return
        normal = e164(number, region=phone_region(self.address, self.language))
        kept = tuple(p for p in others if p.number != normal)
        self.phones = (PhoneEntry(normal, primary=True), *kept)

    @property
    def display_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p)

    @property
    def email_domain(self) -> str | None:
        return address_key(self.email.rsplit("@", 1)[1]) if self.email and "@" in self.email else None

    @property
    def is_converted(self) -> bool:
        return self.status == LeadStatus.CONVERTED or self.converted_at is not None

    @property
    def is_lost(self) -> bool:
        return self.lost_at is not None or self.status == LeadStatus.LOST

    @property
    def search_text(self) -> str:
        """What free-text search matches: names, company and every email, by `casefold_key` (ADR 0006)."""
        parts = (self.first_name, self.last_name, self.company_name, *(e.address for e in self.emails))
        return casefold_key(" ".join(p for p in parts if p))

    def update(self, changes: dict[str, Any], *, by: str) -> dict[str, tuple[Any, Any]]:
        """Apply field changes; record LeadUpdated with each field's old and new value."""
        self._ensure_editable()
        if unknown := set(changes) - EDITABLE:
            raise TypeError(f"not editable lead fields: {sorted(unknown)}")
        if "score" in changes:
            _check_score(changes["score"])
        if "last_name" in changes and not changes["last_name"]:
            raise InvalidInput("last_name", "a lead needs a last name")
        changed = {k: (getattr(self, k), v) for k, v in changes.items() if getattr(self, k) != v}
        if changed:
            for name, (_, new) in changed.items():
                setattr(self, name, new)
            self.updated_at = datetime.now(UTC)
            self.record(events.LeadUpdated(lead_id=self.id, changed=_recorded(changed), updated_by=by))
        return changed

    def move(self, target: StatusDefinition, *, rank: float | None, by: str) -> None:
        """Kanban move: any open status to any open status, optionally at a place in the column."""
        self._ensure_editable()
        if self.is_lost:
            raise Conflict(f"lead {self.id} is lost; reopen it first", code="lead_lost")
        if not target.is_open:
            raise Conflict(f"{target.key!r} is closed: use the convert or lose action", code="closed_status")
        if rank is not None:
            self.rank = rank
        if target.key != self.status:
            self._change_status(target.key, by=by)
        self.updated_at = datetime.now(UTC)

    def lose(self, target: StatusDefinition, *, reason: str, by: str) -> None:
        self._ensure_editable()
        if self.is_lost:
            raise Conflict(f"lead {self.id} is already lost", code="lead_lost")
        if target.is_open or target.key == LeadStatus.CONVERTED:
            raise InvalidInput("status", f"{target.key!r} is not a loss status")
        if not reason.strip():
            raise InvalidInput("reason", "say why the lead is lost")
        self.lost_reason, self.lost_at = reason.strip(), datetime.now(UTC)
        self._change_status(target.key, by=by, lost_reason=self.lost_reason)
        self.updated_at = self.lost_at

    def reopen(self, target: StatusDefinition, *, by: str) -> None:
        """A lost lead goes back to an open status (the first one, by the service's choice)."""
        self._ensure_editable()
        if not self.is_lost:
            raise Conflict(f"lead {self.id} is not lost", code="lead_not_lost")
        if not target.is_open:
            raise Conflict(f"{target.key!r} is closed", code="closed_status")
        self.lost_reason = self.lost_at = None
        self._change_status(target.key, by=by)
        self.updated_at = datetime.now(UTC)

    def convert(
        self,
        *,
        account: Account,
        contact: Contact | None,
        deal: events.DealRequest | None,
        by: str,
    ) -> None:
        ensure_not_merged("lead", self)
        if self.is_converted:
            raise Conflict(f"lead {self.id} is already converted", code="already_converted")
        if self.is_lost:
            raise Conflict(f"lead {self.id} is lost; reopen it before converting", code="lead_lost")
        previous = self.status
        self.status = LeadStatus.CONVERTED
        self.converted_at = self.updated_at = datetime.now(UTC)
        self.account_id = account.id
        self.contact_id = contact.id if contact else None
        self.record(
            events.LeadConverted(
                lead_id=self.id,
                account_id=account.id,
                contact_id=self.contact_id,
                deal=deal,
                converted_by=by,
            )
        )
        self.record(events.LeadStatusChanged(self.id, previous, LeadStatus.CONVERTED, by))

    def _change_status(self, key: str, *, by: str, lost_reason: str | None = None) -> None:
        previous, self.status = self.status, key
        self.record(events.LeadStatusChanged(self.id, previous, key, by, lost_reason))

    def _ensure_editable(self) -> None:
        ensure_not_merged("lead", self)
        if self.is_converted:
            raise Conflict(f"lead {self.id} is converted and read-only", code="lead_converted")


def _recorded(changed: dict[str, tuple[Any, Any]]) -> dict[str, tuple[Any, Any]]:
    """Changes as the lead's events carry them: its address in the shape leads publish (`street`...)."""
    return {name: (_as_recorded(old), _as_recorded(new)) for name, (old, new) in changed.items()}


def _as_recorded(value: Any) -> Any:
    return value.street_fields() if isinstance(value, PostalAddress) else value


def _check_score(score: int) -> None:
    if not 0 <= score <= MAX_SCORE:
        raise InvalidInput("score", f"a score is 0 to {MAX_SCORE} stars")
