"""Keyset (cursor) pagination, never a deep OFFSET: over time-ordered UUIDv7 ids (newest first), or
over a sort key plus the id (`encode_sorted` / `decode_sorted`, for lists with several sorts)."""

import base64
import binascii
import json
import uuid
from collections.abc import Callable, Sequence
from datetime import date
from typing import Generic, Protocol, TypeVar

from pydantic import BaseModel

from crm_shared.errors import InvalidInput

T = TypeVar("T")
MAX_PAGE_SIZE = 200


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


class _HasId(Protocol):
    @property
    def id(self) -> uuid.UUID: ...


X = TypeVar("X", bound=_HasId)


def page_of(items: Sequence[X], *, limit: int, public: Callable[[X], T]) -> Page[T]:
    """A full page points at the next one through its last id; a short page is the last."""
    next_cursor = encode_cursor(items[-1].id) if items and len(items) == limit else None
    return Page[T](items=[public(item) for item in items], next_cursor=next_cursor)


def encode_cursor(last_id: uuid.UUID) -> str:
    return base64.urlsafe_b64encode(last_id.bytes).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> uuid.UUID | None:
    if not cursor:
        return None
    try:
        return uuid.UUID(bytes=base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error) as exc:
        raise InvalidInput("cursor", "malformed cursor") from exc


def encode_sorted(sort: str, value: object, last_id: uuid.UUID) -> str:
    """A cursor after the row with sort-key `value` and id `last_id`, bound to the sort `sort`."""
    plain = value.isoformat() if isinstance(value, date) else value
    raw = json.dumps([sort, plain, str(last_id)], separators=(",", ":"), ensure_ascii=False)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_sorted(cursor: str, *, sort: str) -> tuple[object, uuid.UUID]:
    """(the sort-key value as JSON gave it, the id); a cursor of another sort or a damaged one is
    refused, naming `cursor`. The caller types the value for its sort."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        cursor_sort, value, ident = json.loads(raw)
        last_id = uuid.UUID(ident)
    except (ValueError, TypeError, AttributeError, binascii.Error) as exc:
        raise InvalidInput("cursor", "malformed cursor") from exc
    if cursor_sort != sort:
        raise InvalidInput("cursor", f"this cursor continues the sort {cursor_sort!r}, not {sort!r}")
    return value, last_id
