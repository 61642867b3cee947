"""HTTP schemas of the leads API, separate from tables and domain classes."""

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from crm_leads.domain.model import Account, Contact, Lead, LeadStatus

Name = Field(min_length=1, max_length=255)


class LeadCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    last_name: str = Name
    first_name: str | None = Field(None, max_length=255)
    company_name: str | None = Field(None, max_length=255)
    email: EmailStr | None = None
    phone: str | None = Field(None, max_length=32, pattern=r"^\+?[0-9 ().-]{4,31}$")
    source: str | None = Field(None, max_length=64)
    language: Literal["fr", "en"] = "en"
    owner_id: str | None = Field(None, max_length=128)


class LeadPublic(BaseModel):
    id: UUID
    first_name: str | None
    last_name: str
    company_name: str | None
    email: str | None
    phone: str | None
    source: str | None
    language: str
    owner_id: str | None
    status: LeadStatus
    created_at: datetime
    updated_at: datetime
    converted_at: datetime | None
    account_id: UUID | None
    contact_id: UUID | None
    version: int

    @classmethod
    def of(cls, lead: Lead) -> "LeadPublic":
        return cls.model_validate(lead, from_attributes=True)


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


class AccountPublic(BaseModel):
    id: UUID
    name: str
    email_domain: str | None
    owner_id: str | None

    @classmethod
    def of(cls, account: Account) -> "AccountPublic":
        return cls.model_validate(account, from_attributes=True)


class ContactPublic(BaseModel):
    id: UUID
    first_name: str | None
    last_name: str
    email: str | None
    account_id: UUID | None

    @classmethod
    def of(cls, contact: Contact) -> "ContactPublic":
        return cls.model_validate(contact, from_attributes=True)


class ConversionPublic(BaseModel):
    lead: LeadPublic
    account: AccountPublic
    contact: ContactPublic | None
