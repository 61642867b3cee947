"""HTTP schemas of lead statuses and reference lists."""

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from crm_leads.domain.references import ReferenceKind, ReferenceValue
from crm_leads.domain.statuses import StatusDefinition

Label = Field(min_length=1, max_length=64)


class StatusPublic(BaseModel):
    key: str
    label_en: str
    label_fr: str
    position: int
    is_open: bool = Field(description="Open statuses are kanban columns leads move freely between")
    reserved: bool = Field(description="converted and lost: reached only by the convert and lose actions")

    @classmethod
    def of(cls, status: StatusDefinition) -> "StatusPublic":
        return cls.model_validate(status, from_attributes=True)


class StatusCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    key: str = Field(pattern=r"^[a-z][a-z0-9_]{1,31}$")
    label_en: str = Label
    label_fr: str = Label
    is_open: bool = Field(True, description="Closed statuses other than converted are kinds of loss")
    position: int = Field(0, ge=0, description="Place in the list; later statuses move down")


class StatusUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    label_en: str | None = Field(None, min_length=1, max_length=64)
    label_fr: str | None = Field(None, min_length=1, max_length=64)


class StatusOrder(BaseModel):
    model_config = ConfigDict(extra="forbid")

    keys: list[str] = Field(min_length=1, max_length=100, description="Every status key, in the new order")


class ReferencePublic(BaseModel):
    id: UUID
    kind: ReferenceKind
    value: str
    label_en: str | None
    label_fr: str | None
    active: bool
    created_by: str | None
    created_at: datetime

    @classmethod
    def of(cls, reference: ReferenceValue) -> "ReferencePublic":
        return cls.model_validate(reference, from_attributes=True)


class ReferenceCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    kind: ReferenceKind
    value: str = Field(min_length=1, max_length=128)
    label_en: str | None = Field(None, max_length=128)
    label_fr: str | None = Field(None, max_length=128)


class ReferenceUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    label_en: str | None = Field(None, max_length=128)
    label_fr: str | None = Field(None, max_length=128)
    active: bool | None = Field(None, description="Retired values stay on leads but cannot be chosen")
