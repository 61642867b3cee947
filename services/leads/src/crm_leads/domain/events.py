"""Domain events of the leads context (translated to integration events by the service layer)."""

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from crm_shared.domain import DomainEvent


@dataclass(frozen=True)
class DealRequest:
    title: str
    amount_minor: int
    currency: str
    owner_id: str
    pipeline_id: UUID | None = None
    stage_id: UUID | None = None
    expected_close_date: date | None = None


@dataclass(frozen=True)
class LeadCreated(DomainEvent):
    lead_id: UUID
    first_name: str | None
    last_name: str
    company_name: str | None
    email: str | None
    owner_id: str | None
    source: str | None
    created_by: str | None = None


@dataclass(frozen=True)
class LeadUpdated(DomainEvent):
    """`changed` maps each changed field to its (old, new) values."""

    lead_id: UUID
    changed: dict[str, tuple[Any, Any]]
    updated_by: str


@dataclass(frozen=True)
class LeadStatusChanged(DomainEvent):
    lead_id: UUID
    from_status: str
    to_status: str
    changed_by: str
    lost_reason: str | None = None


@dataclass(frozen=True)
class LeadConverted(DomainEvent):
    lead_id: UUID
    account_id: UUID
    contact_id: UUID | None
    deal: DealRequest | None
    converted_by: str
