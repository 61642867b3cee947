"""Activity timeline: every domain event of the service, filed under each record it is about.

The projection is generic so that events of any module (assignment, conversion, merges, lifecycle)
appear without this module knowing them: an event is about the records named by its id attributes,
and was caused by the user in its actor attribute.
"""

import re
from dataclasses import dataclass, is_dataclass
from typing import Any
from uuid import UUID

SUBJECT_FIELDS = ("lead_id", "account_id", "contact_id", "survivor_id")
"""Attributes naming the one record an event is about (in this order of precedence for the type)."""
SUBJECT_LISTS = ("lead_ids", "account_ids", "contact_ids", "merged_ids")
ACTOR_FIELDS = (
    "by", "changed_by", "updated_by", "created_by", "converted_by", "assigned_by", "merged_by",
    "set_by", "deleted_by", "actor",
)  # fmt: skip


@dataclass(frozen=True)
class HistoryEntry:
    subject_id: UUID
    subject_field: str
    """Which attribute named the record (lead_id, account_id, merged_ids...)."""
    event_type: str
    actor: str | None
    data: dict[str, Any]


def event_type_name(event: object) -> str:
    """`LeadStatusChanged` -> `lead_status_changed`."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", type(event).__name__).lower()


def subjects_of(event: object) -> list[tuple[str, UUID]]:
    found: list[tuple[str, UUID]] = []
    for name in SUBJECT_FIELDS:
        value = getattr(event, name, None)
        if isinstance(value, UUID):
            found.append((name, value))
    for name in SUBJECT_LISTS:
        values = getattr(event, name, None) or ()
        found.extend((name, v) for v in values if isinstance(v, UUID))
    unique: dict[UUID, str] = {}
    for name, ident in found:
        unique.setdefault(ident, name)
    return [(name, ident) for ident, name in unique.items()]


def actor_of(event: object) -> str | None:
    for name in ACTOR_FIELDS:
        value = getattr(event, name, None)
        if isinstance(value, str):
            return value
    return None


def entries_of(event: object, data: dict[str, Any]) -> list[HistoryEntry]:
    """One entry per record the event is about; events about no record are not kept."""
    if not is_dataclass(event):
        return []
    kind, actor = event_type_name(event), actor_of(event)
    return [HistoryEntry(ident, name, kind, actor, data) for name, ident in subjects_of(event)]
