"""Merging records: the survivor keeps its values except where the user picked another record's.

The choice is field by field. A field left unchosen keeps the survivor's value, or takes the first
non-empty value among the merged records when the survivor has none, so a merge never loses data
that only a duplicate held; collections named in `combine` (emails, phones, tags, account links...)
take the union instead, the survivor's items first; `restrictive` flags (do not call, do not email)
hold when any record holds them, so a merge never contacts someone who refused it. The result lists
each change as (old, new), for the history. Merged records stay readable, marked with their survivor,
and can no longer change.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from crm_shared.domain import DomainEvent
from crm_shared.errors import CrmError, InvalidInput

Values = Mapping[str, Any]
Key = Callable[[Any], object]
"""What makes two items of a collection the same (e.g. an email entry's address)."""


class Merged(Protocol):
    id: UUID
    merged_into: UUID | None
    merged_at: datetime | None


class MergedRecord(CrmError):
    """A change to a record that was merged into another: 410, naming where it lives on."""

    def __init__(self, kind: str, ident: UUID, survivor: UUID) -> None:
        super().__init__(
            f"{kind} {ident} was merged into {survivor}; change that one instead",
            410,
            "Gone",
            "merged",
            {"merged_into": str(survivor)},
        )


@dataclass(frozen=True)
class LeadsMerged(DomainEvent):
    survivor_id: UUID
    merged_ids: tuple[UUID, ...]
    merged_by: str


@dataclass(frozen=True)
class ContactsMerged(DomainEvent):
    survivor_id: UUID
    merged_ids: tuple[UUID, ...]
    merged_by: str


@dataclass(frozen=True)
class AccountsMerged(DomainEvent):
    survivor_id: UUID
    merged_ids: tuple[UUID, ...]
    merged_by: str


def ensure_not_merged(kind: str, record: Merged) -> None:
    if record.merged_into is not None:
        raise MergedRecord(kind, record.id, record.merged_into)


def mark_merged(kind: str, record: Merged, *, into: UUID, at: datetime) -> None:
    ensure_not_merged(kind, record)
    record.merged_into, record.merged_at = into, at


def merged_changes(
    *,
    survivor_id: UUID,
    records: Mapping[UUID, Values],
    mergeable: Sequence[str],
    choices: Mapping[str, UUID],
    combine: Mapping[str, Key] | None = None,
    restrictive: Sequence[str] = (),
) -> dict[str, tuple[Any, Any]]:
    """The survivor's field changes: {field: (old, new)} for every value that changes."""
    if survivor_id not in records:
        raise InvalidInput("survivor_id", "the survivor must be one of the merged records")
    if len(records) < 2:
        raise InvalidInput("ids", "a merge needs at least two records")
    for field, source in choices.items():
        if field not in mergeable:
            raise InvalidInput(f"choices.{field}", "this field cannot be chosen in a merge")
        if source not in records:
            raise InvalidInput(f"choices.{field}", "the chosen record is not part of the merge")
    survivor = records[survivor_id]
    others = [values for ident, values in records.items() if ident != survivor_id]
    changes: dict[str, tuple[Any, Any]] = {}
    for field in mergeable:
        current = survivor.get(field)
        if field in choices:
            new = records[choices[field]].get(field)
        elif field in restrictive:
            new = any(v.get(field) for v in records.values())
        elif combine and field in combine:
            new = combined([current, *(v.get(field) for v in others)], key=combine[field])
        elif _empty(current):
            new = next((v.get(field) for v in others if not _empty(v.get(field))), current)
        else:
            new = current
        if new != current:
            changes[field] = (current, new)
    return changes


def combined(collections: Sequence[Sequence[Any] | None], *, key: Key) -> tuple[Any, ...]:
    """Every item once (the first seen wins), in order."""
    seen: dict[object, Any] = {}
    for collection in collections:
        for item in collection or ():
            seen.setdefault(key(item), item)
    return tuple(seen.values())


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str | tuple | list) and len(value) == 0)
