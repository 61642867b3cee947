"""Events published by the leads service on `crm.leads.events`."""

from datetime import date
from typing import Any, ClassVar, Literal
from uuid import UUID

from pydantic import BaseModel, EmailStr, Field

from crm_shared.events.base import IntegrationEvent
from crm_shared.events.changes import Change, Changes


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
    """Fields of a lead changed: `changed` maps each field to its [old, new] values.

    Superseded by v2 (typed changes); still published beside it until its subscribers move."""

    event_type: ClassVar[str] = "crm.leads.lead_updated.v1"
    subject_field: ClassVar[str] = "lead_id"

    lead_id: UUID
    changed: dict[str, tuple[Any, Any]]
    updated_by: str


class LeadEmail(BaseModel):
    address: str
    primary: bool = False


class LeadPhone(BaseModel):
    number: str = Field(description="E.164")
    kind: Literal["work", "mobile", "home", "fax", "other"] = "work"
    primary: bool = False


class LeadAddress(BaseModel):
    street: str | None = None
    postal_code: str | None = None
    city: str | None = None
    region: str | None = None
    country: str | None = Field(None, description="ISO 3166-1 alpha-2 code")


class LeadTag(BaseModel):
    name: str
    colour: str = Field(description="#rrggbb")


class LeadChanges(Changes):
    """The fields of a lead that can change; those absent did not. Lists are whole (every entry)."""

    first_name: Change[str] | None = None
    last_name: Change[str] | None = None
    company_name: Change[str] | None = None
    job_title: Change[str] | None = None
    function: Change[str] | None = None
    department: Change[str] | None = None
    industry_sector: Change[str] | None = None
    email: Change[str] | None = Field(None, description="The primary address, when a web form filled it")
    phone: Change[str] | None = Field(None, description="The primary number, when a web form filled it")
    emails: Change[list[LeadEmail]] | None = Field(None, description="Every address, the primary first")
    phones: Change[list[LeadPhone]] | None = Field(None, description="Every number, the primary first")
    address: Change[LeadAddress] | None = None
    website: Change[str] | None = None
    source: Change[str] | None = None
    category: Change[str] | None = None
    tags: Change[list[LeadTag]] | None = None
    score: Change[int] | None = Field(None, description="0 to 5 stars")
    company_size: Change[str] | None = None
    key_account: Change[bool] | None = None
    nurturing: Change[bool] | None = None
    do_not_call: Change[bool] | None = None
    do_not_email: Change[bool] | None = None
    language: Change[str] | None = None
    team: Change[str] | None = None
    description: Change[str] | None = None
    utm_source: Change[str] | None = None
    utm_medium: Change[str] | None = None
    utm_campaign: Change[str] | None = None
    utm_term: Change[str] | None = None
    utm_content: Change[str] | None = None


class LeadUpdatedV2(IntegrationEvent):
    """Fields of a lead changed, each with its typed before and after values (published beside v1)."""

    event_type: ClassVar[str] = "crm.leads.lead_updated.v2"
    subject_field: ClassVar[str] = "lead_id"

    lead_id: UUID
    changes: LeadChanges
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
