"""HTTP schemas of lead statuses, reference lists, the kanban board and the activity timeline."""

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from crm_leads.adapters.history.repository import HistoryRecord
from crm_leads.domain.references import ReferenceKind, ReferenceValue
from crm_leads.domain.statuses import StatusDefinition
from crm_leads.entrypoints.schemas import LeadPublic
from crm_leads.service_layer.use_cases import KanbanColumn

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


class HistoryEntryPublic(BaseModel):
    id: UUID
    subject_id: UUID
    subject_field: str = Field(description="Which id of the event named this record")
    event_type: str = Field(description="e.g. lead_updated, lead_status_changed, lead_assigned")
    actor: str | None = Field(description="The user who caused it")
    data: dict[str, Any] = Field(description="The event's fields; field changes as {field: [old, new]}")
    occurred_at: datetime
    correlation_id: str | None

    @classmethod
    def of(cls, record: HistoryRecord) -> "HistoryEntryPublic":
        return cls.model_validate(record, from_attributes=True)
