"""Optimistic concurrency over HTTP: the ETag is the aggregate's version; If-Match states the one read.

A missing `If-Match` (or `*`) sets no precondition; the update is still version-checked in the
database, so two concurrent writers never both win. A stale one is refused with 412.
"""

import re
from typing import Annotated, Any

from fastapi import Header, Response

from crm_shared.errors import InvalidInput

_ETAG = re.compile(r'^(?:W/)?"?(\d+)"?$')

IfMatch = Annotated[
    str | None,
    Header(description='The ETag read before (e.g. `"3"`); a stale one is refused with 412'),
]

PRECONDITION_RESPONSES: dict[int | str, dict[str, Any]] = {
    412: {"description": "If-Match names a version that is no longer current"}
}


def expected_version(if_match: str | None) -> int | None:
    """`"3"`, `W/"3"` or `3` -> 3; no header or `*` -> None (no precondition)."""
    if if_match is None or if_match.strip() == "*":
        return None
    found = _ETAG.match(if_match.strip())
    if found is None:
        raise InvalidInput("header.If-Match", 'expected an ETag given by this API, such as "3"')
    return int(found.group(1))


def set_etag(response: Response, version: int) -> None:
    response.headers["ETag"] = f'"{version}"'
