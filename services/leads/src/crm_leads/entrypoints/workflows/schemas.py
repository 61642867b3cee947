"""HTTP schemas of assignment rules, bulk assignment and web-to-lead forms."""

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from crm_leads.domain.workflows.assignment import AssignmentRule, RuleKind
from crm_leads.domain.workflows.intake import IntakeForm

UserId = Annotated[str, StringConstraints(min_length=1, max_length=128)]
FieldName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]{1,64}$")]


class BulkAssign(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lead_ids: list[UUID] = Field(min_length=1, max_length=500, description="All or nothing")
    owner_id: UserId
    team: str | None = Field(None, max_length=128, description="Team of the new owner, for the event")


class BulkAssigned(BaseModel):
    assigned: list[UUID]


class RuleCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=255)
    kind: RuleKind = Field(
        description="round_robin: rotates within `team`; by_source: leads whose source is `source`"
    )
    members: list[UserId] = Field(
        min_length=1, max_length=200, description="Users the rule rotates through (one = fixed owner)"
    )
    team: str | None = Field(None, max_length=128)
    source: str | None = Field(None, max_length=64)
    priority: int = Field(100, ge=0, le=10_000, description="Lower first, among rules of one kind")


class RuleUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    members: list[UserId] | None = Field(None, min_length=1, max_length=200)
    active: bool | None = None
    priority: int | None = Field(None, ge=0, le=10_000)


class RulePublic(BaseModel):
    id: UUID
    name: str
    kind: RuleKind
    team: str | None
    source: str | None
    members: list[str]
    position: int = Field(description="Index of the member whose turn is next")
    priority: int
    active: bool
    created_at: datetime
    version: int

    @classmethod
    def of(cls, rule: AssignmentRule) -> "RulePublic":
        return cls.model_validate(rule, from_attributes=True)


class FormCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    form_key: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{2,63}$", description="Public key in the URL")
    name: str = Field(min_length=1, max_length=255)
    team: str | None = Field(None, max_length=128, description="Team whose rules assign the leads")
    source: str | None = Field(None, max_length=64, description="Source given to the leads")
    field_mapping: dict[FieldName, FieldName] = Field(
        description="Form field -> lead field (names, company, job title, email, phone, language, "
        "description, UTM fields); must provide last_name and email"
    )
    consent_fields: list[FieldName] = Field(default_factory=list, max_length=20)
    honeypot_field: FieldName = Field("website_url", description="Hidden field: filled means a bot")
    allowed_origins: list[Annotated[str, StringConstraints(max_length=255)]] = Field(
        default_factory=list, max_length=50, description="If any, the Origin header must be one of them"
    )
    active: bool = True


class FormUpdate(BaseModel):
    """Settings to change; `team` and `source` may be cleared with null, the others may not."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("active", "allowed_origins")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("cannot be null")
        return value

    active: bool | None = None
    team: str | None = Field(None, max_length=128)
    source: str | None = Field(None, max_length=64)
    allowed_origins: list[Annotated[str, StringConstraints(max_length=255)]] | None = None


class FormPublic(BaseModel):
    id: UUID
    form_key: str
    name: str
    team: str | None
    source: str | None
    field_mapping: dict[str, str]
    consent_fields: list[str]
    honeypot_field: str
    allowed_origins: list[str]
    active: bool
    created_at: datetime
    version: int

    @classmethod
    def of(cls, form: IntakeForm) -> "FormPublic":
        return cls.model_validate(form, from_attributes=True)


class SubmissionAccepted(BaseModel):
    status: Literal["accepted"] = "accepted"


class SubmissionPublic(BaseModel):
    """A form submission that reached a lead (the client address is kept, but not served)."""

    id: UUID
    form_id: UUID
    outcome: Literal["created", "updated"]
    fields: dict[str, str] = Field(description="Lead field -> submitted value")
    consents: dict[str, bool]
    received_at: datetime
