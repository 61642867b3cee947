"""HTTP schemas of the activity timeline."""

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field

from crm_leads.adapters.history.repository import HistoryRecord


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
