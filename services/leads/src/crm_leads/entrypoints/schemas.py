"""HTTP schemas of the leads API, separate from tables and domain classes."""

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from crm_leads.domain.model import Lead, LeadStatus

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
