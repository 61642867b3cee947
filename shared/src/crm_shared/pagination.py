"""Keyset (cursor) pagination over time-ordered UUIDv7 ids: newest first, never a deep OFFSET."""

import base64
import binascii
import uuid
from collections.abc import Callable, Sequence
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
