"""Leads, accounts and contacts. A lead is converted once; conversion opens an account and a contact."""

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from uuid import UUID

from crm_leads.domain import events
from crm_leads.domain.accounts import Account, Contact
from crm_shared.domain import Aggregate
from crm_shared.errors import Conflict
from crm_shared.ids import new_id


class LeadStatus(StrEnum):
    TO_PROCESS = "to_process"
    MARKETING_QUALIFICATION = "marketing_qualification"
    SALES_QUALIFICATION = "sales_qualification"
    NURTURING = "nurturing"
    CONVERTED = "converted"
    LOST = "lost"


CLOSED_STATUSES = frozenset({LeadStatus.CONVERTED, LeadStatus.LOST})


@dataclass(eq=False, kw_only=True)
class Lead(Aggregate):
    id: UUID
    last_name: str
    first_name: str | None = None
    company_name: str | None = None
    email: str | None = None
    phone: str | None = None
    source: str | None = None
    language: str = "en"
    owner_id: str | None = None
    status: LeadStatus = LeadStatus.TO_PROCESS
    created_at: datetime
    updated_at: datetime
    converted_at: datetime | None = None
    account_id: UUID | None = None
    contact_id: UUID | None = None

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
    ) -> "Lead":
        now = datetime.now(UTC)
        lead = cls(
            id=new_id(),
            last_name=last_name,
            first_name=first_name,
            company_name=company_name,
            email=email,
            phone=phone,
            source=source,
            language=language,
            owner_id=owner_id,
            created_at=now,
            updated_at=now,
        )
        lead.record(
            events.LeadCreated(
                lead_id=lead.id,
                first_name=lead.first_name,
                last_name=lead.last_name,
                company_name=lead.company_name,
                email=lead.email,
                owner_id=lead.owner_id,
                source=lead.source,
            )
        )
        return lead

    @property
    def display_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p)

    @property
    def email_domain(self) -> str | None:
        return self.email.rsplit("@", 1)[1].lower() if self.email and "@" in self.email else None

    def convert(
        self,
        *,
        account: Account,
        contact: Contact | None,
        deal: events.DealRequest | None,
        by: str,
    ) -> None:
        if self.status is LeadStatus.CONVERTED:
            raise Conflict(f"lead {self.id} is already converted", code="already_converted")
        if self.status is LeadStatus.LOST:
            raise Conflict(f"lead {self.id} is lost; reopen it before converting", code="lead_lost")
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
