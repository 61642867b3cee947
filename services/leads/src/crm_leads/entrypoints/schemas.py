"""HTTP schemas of the leads API, separate from tables and domain classes."""

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator

from crm_leads.domain.model import Lead
from crm_leads.domain.values import (
    CompanySize,
    EmailEntry,
    PhoneEntry,
    PhoneKind,
    Tag,
)
from crm_leads.entrypoints.addresses import AddressIn
from crm_leads.entrypoints.admin_schemas import StatusPublic
from crm_leads.service_layer.use_cases import KanbanColumn, NewLead

Name = Field(min_length=1, max_length=255)
Short = Field(None, max_length=255)
ReferenceText = Field(None, max_length=128, description="From the admin-managed list of this field")
NOT_NULL = frozenset(
    {"last_name", "emails", "phones", "tags", "score", "key_account", "nurturing", "do_not_call",
     "do_not_email", "language"}
)  # fmt: skip
INLINE = "a new value is added to the list when a salesperson uses it"


class EmailIn(BaseModel):
    model_config = ConfigDict(extra="forbid", from_attributes=True)

    address: EmailStr
    primary: bool = Field(False, description="Exactly one email is primary; the first when none is chosen")


class PhoneIn(BaseModel):
    model_config = ConfigDict(extra="forbid", from_attributes=True)

    number: str = Field(
        max_length=40,
        description="International (+33...) or national in the address's country; kept in E.164",
    )
    kind: PhoneKind = PhoneKind.WORK
    primary: bool = False


class TagIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, from_attributes=True)

    name: str = Field(min_length=1, max_length=64)
    colour: str = Field("#9e9e9e", pattern=r"^#[0-9a-fA-F]{6}$", description="#rrggbb")


class LeadUpdate(BaseModel):
    """Only the fields sent change; `null` clears a field that may be empty."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    first_name: str | None = Short
    last_name: str | None = Field(None, min_length=1, max_length=255)
    company_name: str | None = Short
    job_title: str | None = Short
    function: str | None = Field(None, max_length=128, description=f"Reference list; {INLINE}")
    department: str | None = Field(None, max_length=128, description=f"Reference list; {INLINE}")
    industry_sector: str | None = Field(None, max_length=128, description=f"Reference list; {INLINE}")
    emails: list[EmailIn] | None = Field(None, max_length=10)
    phones: list[PhoneIn] | None = Field(None, max_length=10)
    address: AddressIn | None = None
    website: str | None = Field(None, max_length=2048, pattern=r"^(https?://)?[^\s/.]+\.[^\s]+$")
    source: str | None = Field(None, max_length=64, description="One of the admin-managed sources")
    category: str | None = Field(None, max_length=64)
    tags: list[TagIn] | None = Field(None, max_length=50)
    score: int | None = Field(None, ge=0, le=5, description="0 to 5 stars")
    company_size: CompanySize | None = None
    key_account: bool | None = None
    nurturing: bool | None = None
    do_not_call: bool | None = None
    do_not_email: bool | None = None
    language: Literal["fr", "en"] | None = None
    team: str | None = Field(None, max_length=128)
    description: str | None = Field(None, max_length=10_000)
    utm_source: str | None = Short
    utm_medium: str | None = Short
    utm_campaign: str | None = Short
    utm_term: str | None = Short
    utm_content: str | None = Short

    @field_validator(*NOT_NULL)
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        """Fields that always hold a value may be left out, not set to null."""
        if value is None:
            raise ValueError("cannot be null")
        return value

    @field_validator("website")
    @classmethod
    def _with_scheme(cls, value: str | None) -> str | None:
        return value if value is None or value.startswith(("http://", "https://")) else f"https://{value}"

    def changes(self) -> dict[str, Any]:
        """The fields sent, as the domain holds them."""
        values: dict[str, Any] = {}
        for name in self.model_fields_set & set(LeadUpdate.model_fields):
            values[name] = _domain_value(name, getattr(self, name))
        return values


class LeadCreate(LeadUpdate):
    last_name: str = Name
    email: EmailStr | None = Field(None, description="Shorthand for a single primary email")
    phone: str | None = Field(None, max_length=40, description="Shorthand for a single primary phone")
    owner_id: str | None = Field(None, max_length=128, description="Defaults to the creator")

    def new_lead(self) -> NewLead:
        """The create use case's input (from `POST /v1/leads` or an import row)."""
        return NewLead(
            last_name=self.last_name,
            email=self.email,
            phone=self.phone,
            owner_id=self.owner_id,
            language=self.language or "en",
            details={k: v for k, v in self.changes().items() if k not in {"last_name", "language"}},
        )


def _domain_value(name: str, value: Any) -> Any:
    if name == "emails":
        return [EmailEntry(e.address, e.primary) for e in value]
    if name == "phones":
        return [PhoneEntry(p.number, p.kind.value, p.primary) for p in value]
    if name == "tags":
        return [Tag(t.name, t.colour) for t in value]
    if name == "address" and value is not None:
        return value.domain()
    if name == "company_size" and value is not None:
        return value.value
    return value


class LeadMove(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: str = Field(min_length=1, max_length=32, description="An open status")
    position: int | None = Field(None, ge=0, description="Place in the column, 0 = top; kept if absent")


class LeadLose(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: str = Field(min_length=1, max_length=500)
    status: str | None = Field(None, max_length=32, description="A closed loss status; `lost` if absent")


class LeadPublic(BaseModel):
    id: UUID
    first_name: str | None
    last_name: str
    company_name: str | None
    job_title: str | None
    function: str | None
    department: str | None
    industry_sector: str | None
    email: str | None = Field(description="The primary email")
    emails: list[EmailIn]
    phone: str | None = Field(description="The primary phone, E.164")
    phones: list[PhoneIn]
    address: AddressIn | None
    website: str | None
    source: str | None
    category: str | None
    tags: list[TagIn]
    score: int
    company_size: str | None
    key_account: bool
    nurturing: bool
    do_not_call: bool
    do_not_email: bool
    language: str
    owner_id: str | None
    team: str | None
    description: str | None
    utm_source: str | None
    utm_medium: str | None
    utm_campaign: str | None
    utm_term: str | None
    utm_content: str | None
    status: str
    lost_reason: str | None
    lost_at: datetime | None
    created_at: datetime
    updated_at: datetime
    converted_at: datetime | None
    account_id: UUID | None
    contact_id: UUID | None
    merged_into: UUID | None = Field(None, description="Set once merged: the lead to read and change instead")
    merged_at: datetime | None = None
    version: int = Field(description="Send it back in If-Match to update")

    @classmethod
    def of(cls, lead: Lead) -> "LeadPublic":
        return cls.model_validate(lead, from_attributes=True)


class KanbanColumnPublic(BaseModel):
    status: StatusPublic
    count: int = Field(description="Leads in this status (with the filters applied)")
    items: list[LeadPublic] = Field(description="The top of the column, in kanban order")
    next_cursor: str | None = Field(description="For GET /v1/leads?status=<key>&sort=position")

    @classmethod
    def of(cls, column: KanbanColumn) -> "KanbanColumnPublic":
        return cls(
            status=StatusPublic.of(column.status),
            count=column.count,
            items=[LeadPublic.of(lead) for lead in column.leads],
            next_cursor=column.next_cursor,
        )
