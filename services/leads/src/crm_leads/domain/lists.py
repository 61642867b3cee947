"""Lead lists: filters, sort orders and keyset cursors (sort key value + id of the last row seen)."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from crm_shared.errors import InvalidInput
from crm_shared.pagination import decode_sorted, encode_sorted


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
        return encode_sorted(self.sort.value, self.value, self.id)

    @classmethod
    def decode(cls, token: str, *, sort: LeadSort) -> "LeadCursor":
        value, ident = decode_sorted(token, sort=sort.value)
        try:
            return cls(sort, _typed(sort, value), ident)
        except (ValueError, TypeError) as exc:
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
