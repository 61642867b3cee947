"""HTTP schemas of duplicate checks and merges."""

from typing import Self
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

from crm_leads.entrypoints.accounts.schemas import AccountPublic, ContactPublic
from crm_leads.entrypoints.schemas import LeadPublic
from crm_leads.service_layer.duplicates.checks import Checked, Duplicate
from crm_leads.service_layer.duplicates.merges import MergeRequest

MAX_MERGED = 20


class DuplicatePublic(BaseModel):
    id: UUID
    label: str = Field(description="Name (and company) of the look-alike record")
    score: float = Field(description="0 to 100: the strongest weighted field")
    reasons: dict[str, float] = Field(description="Each matching field and its own score, e.g. {email: 100}")

    @classmethod
    def of(cls, found: Duplicate) -> "DuplicatePublic":
        reasons = {field.value: score for field, score in found.reasons.items()}
        return cls(id=found.id, label=found.label, score=found.score, reasons=reasons)


class DuplicateWarnings(BaseModel):
    duplicates: list[DuplicatePublic] = Field(
        description="Existing records this one may duplicate: a warning, the record is created anyway"
    )


class LeadCreatedPublic(LeadPublic, DuplicateWarnings):
    @classmethod
    def checked(cls, checked: Checked) -> "LeadCreatedPublic":
        warnings = [DuplicatePublic.of(d) for d in checked.duplicates]
        return cls(**LeadPublic.of(checked.record).model_dump(), duplicates=warnings)


class ContactCreatedPublic(ContactPublic, DuplicateWarnings):
    @classmethod
    def checked(cls, checked: Checked) -> "ContactCreatedPublic":
        warnings = [DuplicatePublic.of(d) for d in checked.duplicates]
        return cls(**ContactPublic.of(checked.record).model_dump(), duplicates=warnings)


class AccountCreatedPublic(AccountPublic, DuplicateWarnings):
    @classmethod
    def checked(cls, checked: Checked) -> "AccountCreatedPublic":
        warnings = [DuplicatePublic.of(d) for d in checked.duplicates]
        return cls(**AccountPublic.of(checked.record).model_dump(), duplicates=warnings)


class MergeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    survivor_id: UUID = Field(description="The record that stays and takes the chosen values")
    merged_ids: list[UUID] = Field(
        min_length=1, max_length=MAX_MERGED, description="Records merged into the survivor"
    )
    choices: dict[str, UUID] = Field(
        default_factory=dict,
        description="Field name -> id of the record whose value the survivor takes. Unchosen fields keep "
        "the survivor's value (or the first non-empty one); emails, phones, tags, links are combined.",
    )

    @model_validator(mode="after")
    def _distinct(self) -> Self:
        if self.survivor_id in self.merged_ids:
            raise ValueError("the survivor cannot be merged into itself")
        if len(set(self.merged_ids)) != len(self.merged_ids):
            raise ValueError("a record is named twice in merged_ids")
        return self

    def request(self) -> MergeRequest:
        return MergeRequest(self.survivor_id, tuple(self.merged_ids), dict(self.choices))
