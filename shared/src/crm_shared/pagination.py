"""Keyset (cursor) pagination over time-ordered UUIDv7 ids: newest first, never a deep OFFSET."""

import base64
import binascii
import uuid
from typing import Generic, TypeVar

from pydantic import BaseModel

from crm_shared.errors import InvalidInput

T = TypeVar("T")
MAX_PAGE_SIZE = 200


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


def encode_cursor(last_id: uuid.UUID) -> str:
    return base64.urlsafe_b64encode(last_id.bytes).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> uuid.UUID | None:
    if not cursor:
        return None
    try:
        return uuid.UUID(bytes=base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error) as exc:
        raise InvalidInput("cursor", "malformed cursor") from exc
