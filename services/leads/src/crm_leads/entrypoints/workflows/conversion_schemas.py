"""HTTP schemas of lead conversion."""

from datetime import date, datetime
from typing import Literal, Self
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

from crm_leads.domain.events import DealRequest
from crm_leads.domain.workflows.conversion import ConversionRecord
from crm_leads.entrypoints.accounts.schemas import AccountPublic, ContactPublic
from crm_leads.entrypoints.schemas import LeadPublic, Name


class DealData(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: str = Name
    amount_minor: int = Field(
        ge=0, le=10**13, description="Amount net of VAT and media purchases, in minor units (cents)"
    )
    currency: str = Field("EUR", pattern=r"^[A-Z]{3}$", description="ISO 4217 code")
    owner_id: str | None = Field(None, max_length=128, description="Defaults to the converting user")
    pipeline_id: UUID | None = Field(None, description="Pipeline of the deal; the default one if absent")
    stage_id: UUID | None = Field(None, description="Stage in that pipeline; its first stage if absent")
    expected_close_date: date | None = None

    def request(self, default_owner: str) -> DealRequest:
        return DealRequest(**self.model_dump() | {"owner_id": self.owner_id or default_owner})


class AccountInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: UUID | None = Field(None, description="Link this existing account instead of opening one")
    confirm_new: bool = Field(
        False,
        description="Open a new account even though existing accounts share its name or email domain "
        "(without it such a conversion is answered 409 with the candidates)",
    )


class ContactInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mode: Literal["new", "existing", "none"] = Field(
        "new", description="new: a contact from the lead; existing: link `id`; none: no contact"
    )
    id: UUID | None = Field(None, description="The existing contact (mode `existing` only)")

    @model_validator(mode="after")
    def id_only_when_existing(self) -> Self:
        if (self.mode == "existing") != (self.id is not None):
            raise ValueError("`id` is given exactly when mode is `existing`")
        return self


class LeadConvert(BaseModel):
    model_config = ConfigDict(extra="forbid")

    account: AccountInput = Field(default_factory=AccountInput)
    contact: ContactInput = Field(default_factory=ContactInput)
    deal: DealData | None = Field(None, description="The deal to open from the lead, if any")


class DealPublic(BaseModel):
    title: str
    amount_minor: int
    currency: str
    owner_id: str
    pipeline_id: UUID | None
    stage_id: UUID | None
    expected_close_date: date | None


class ConversionRecordPublic(BaseModel):
    """What a lead became; the deal is created by the deals service from LeadConverted."""

    lead_id: UUID
    account_id: UUID
    account_created: bool
    contact_id: UUID | None
    contact_created: bool
    deal: DealPublic | None
    converted_by: str
    converted_at: datetime

    @classmethod
    def of(cls, record: ConversionRecord) -> "ConversionRecordPublic":
        return cls.model_validate(record, from_attributes=True)


class ConversionPublic(BaseModel):
    lead: LeadPublic
    account: AccountPublic
    contact: ContactPublic | None
    conversion: ConversionRecordPublic
