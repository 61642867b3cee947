"""Events published by the leads service on `crm.leads.events`."""

from typing import ClassVar
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


class LeadConverted(IntegrationEvent):
    event_type: ClassVar[str] = "crm.leads.lead_converted.v1"
    subject_field: ClassVar[str] = "lead_id"

    lead_id: UUID
    account_id: UUID
    contact_id: UUID | None = None
    deal: ConvertedDeal | None = None
    converted_by: str


class AccountCreated(IntegrationEvent):
    event_type: ClassVar[str] = "crm.leads.account_created.v1"
    subject_field: ClassVar[str] = "account_id"

    account_id: UUID
    name: str
    email_domain: str | None = None
    owner_id: str | None = None
    csm_id: str | None = None


class ContactCreated(IntegrationEvent):
    event_type: ClassVar[str] = "crm.leads.contact_created.v1"
    subject_field: ClassVar[str] = "contact_id"

    contact_id: UUID
    account_id: UUID | None = None
    first_name: str | None = None
    last_name: str
    email: EmailStr | None = None
    language: str | None = None
