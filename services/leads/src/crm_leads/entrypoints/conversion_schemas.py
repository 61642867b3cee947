"""HTTP schemas of lead conversion."""

from pydantic import BaseModel, ConfigDict, Field

from crm_leads.entrypoints.account_schemas import AccountPublic, ContactPublic
from crm_leads.entrypoints.schemas import LeadPublic, Name


class DealData(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: str = Name
    amount_minor: int = Field(
        ge=0, le=10**13, description="Amount net of VAT and media purchases, in minor units (cents)"
    )
    currency: str = Field("EUR", pattern=r"^[A-Z]{3}$", description="ISO 4217 code")
    owner_id: str | None = Field(None, max_length=128, description="Defaults to the converting user")


class LeadConvert(BaseModel):
    model_config = ConfigDict(extra="forbid")

    deal: DealData | None = None
    create_contact: bool = True


class ConversionPublic(BaseModel):
    lead: LeadPublic
    account: AccountPublic
    contact: ContactPublic | None
