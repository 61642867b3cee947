"""Domain events of the leads context (translated to integration events by the service layer)."""

from dataclasses import dataclass
from uuid import UUID


@dataclass(frozen=True)
class DealRequest:
    title: str
    amount_minor: int
    currency: str
    owner_id: str


@dataclass(frozen=True)
class LeadCreated:
    lead_id: UUID
    first_name: str | None
    last_name: str
    company_name: str | None
    email: str | None
    owner_id: str | None
    source: str | None


@dataclass(frozen=True)
class LeadConverted:
    lead_id: UUID
    account_id: UUID
    contact_id: UUID | None
    deal: DealRequest | None
    converted_by: str
