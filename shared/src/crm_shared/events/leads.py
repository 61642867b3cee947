"""Events published by the leads service on `crm.leads.events`."""

from datetime import date
from typing import Any, ClassVar
from uuid import UUID

from pydantic import BaseModel, EmailStr, Field

from crm_shared.events.base import IntegrationEvent


class LeadCreated(IntegrationEvent):
    event_type: ClassVar[str] = "crm.leads.lead_created.v1"
    subject_field: ClassVar[str] = "lead_id"

    lead_id: UUID
    first_name: str | None = None
    last_name: str
    company_name: str | None = None
    email: EmailStr | None = None
    owner_id: str | None = None
    source: str | None = None


class ConvertedDeal(BaseModel):
    """The deal the salesperson asked for when converting; deals creates it."""

    title: str
    amount_minor: int = Field(ge=0, description="Net of VAT and media purchases, in minor units")
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    owner_id: str
    pipeline_id: UUID | None = Field(
        None, description="Pipeline to open the deal in; default pipeline if absent"
    )
    stage_id: UUID | None = Field(None, description="Stage of that pipeline; its first stage if absent")
    expected_close_date: date | None = None


class LeadConverted(IntegrationEvent):
    event_type: ClassVar[str] = "crm.leads.lead_converted.v1"
    subject_field: ClassVar[str] = "lead_id"

    lead_id: UUID
    account_id: UUID
    contact_id: UUID | None = None
    deal: ConvertedDeal | None = None
    converted_by: str


class LeadStatusChanged(IntegrationEvent):
    """A lead moved between statuses (kanban move, conversion, loss or reopening)."""

    event_type: ClassVar[str] = "crm.leads.lead_status_changed.v1"
    subject_field: ClassVar[str] = "lead_id"

    lead_id: UUID
    from_status: str
    to_status: str
    changed_by: str
    lost_reason: str | None = None


class LeadAssigned(IntegrationEvent):
    """A lead changed owner: taken in charge, assigned in bulk or by an assignment rule."""

    event_type: ClassVar[str] = "crm.leads.lead_assigned.v1"
    subject_field: ClassVar[str] = "lead_id"

    lead_id: UUID
    from_owner: str | None = None
    to_owner: str
    team: str | None = None
    assigned_by: str
    rule: str | None = None


class LeadUpdated(IntegrationEvent):
    """Fields of a lead changed: `changed` maps each field to its [old, new] values."""

    event_type: ClassVar[str] = "crm.leads.lead_updated.v1"
    subject_field: ClassVar[str] = "lead_id"

    lead_id: UUID
    changed: dict[str, tuple[Any, Any]]
    updated_by: str


class LeadsMerged(IntegrationEvent):
    """Duplicate leads were merged into a survivor: references to `merged_ids` now mean `survivor_id`.

    The merged leads stay readable (marked merged into the survivor) but can no longer change.
    """

    event_type: ClassVar[str] = "crm.leads.leads_merged.v1"
    subject_field: ClassVar[str] = "survivor_id"

    survivor_id: UUID
    merged_ids: list[UUID] = Field(min_length=1)
    merged_by: str
