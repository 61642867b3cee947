"""Lead lists: filters, sort orders and keyset cursors (sort key value + id of the last row seen)."""

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from crm_shared.errors import InvalidInput


class LeadSort(StrEnum):
    CREATED_DESC = "-created_at"
    CREATED = "created_at"
    UPDATED_DESC = "-updated_at"
    UPDATED = "updated_at"
    SCORE_DESC = "-score"
    SCORE = "score"
    NAME = "name"
    NAME_DESC = "-name"
    POSITION = "position"
    """Kanban order within a status."""

    @property
    def column(self) -> str:
        name = self.value.lstrip("-")
        return {"name": "last_name", "position": "rank"}.get(name, name)

    @property
    def descending(self) -> bool:
        return self.value.startswith("-")


CursorValue = datetime | int | float | str


@dataclass(frozen=True)
class LeadCursor:
    sort: LeadSort
    value: CursorValue
    id: UUID

    def encode(self) -> str:
        value = self.value.isoformat() if isinstance(self.value, datetime) else self.value
        raw = json.dumps([self.sort.value, value, str(self.id)], separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str, *, sort: LeadSort) -> "LeadCursor":
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            sort_value, value, ident = json.loads(raw)
            if sort_value != sort.value:
                raise InvalidInput("cursor", f"this cursor belongs to the sort {sort_value!r}")
            return cls(sort, _typed(sort, value), UUID(ident))
        except (ValueError, TypeError, binascii.Error) as exc:
            raise InvalidInput("cursor", "malformed cursor") from exc


def _typed(sort: LeadSort, value: object) -> CursorValue:
    if sort.column in ("created_at", "updated_at") and isinstance(value, str):
        return datetime.fromisoformat(value)
    if sort.column == "score" and isinstance(value, int):
        return value
    if sort.column == "rank" and isinstance(value, int | float):
        return float(value)
    if sort.column == "last_name" and isinstance(value, str):
        return value
    raise ValueError("cursor value does not fit its sort")


@dataclass(frozen=True, kw_only=True)
class LeadFilters:
    statuses: tuple[str, ...] = ()
    open_only: bool = False
    owner_id: str | None = None
    team: str | None = None
    source: str | None = None
    tags: tuple[str, ...] = ()
    """Every tag named must be on the lead."""
    score_min: int | None = None
    score_max: int | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    key_account: bool | None = None
    text: str | None = None
    """Matches names, company and emails (case-insensitive substring)."""
