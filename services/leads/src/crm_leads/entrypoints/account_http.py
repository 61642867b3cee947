"""ETag / If-Match on accounts and contacts: the ETag is the record's version."""

import re
from typing import Annotated, Any

from fastapi import Header, Response

from crm_shared.errors import InvalidInput

_TAG = re.compile(r'^(?:W/)?"?(\d+)"?$')

IfMatch = Annotated[
    str | None,
    Header(description='The ETag read before (e.g. `"3"`); a stale one is refused with 412'),
]

PRECONDITION: dict[int | str, dict[str, Any]] = {
    412: {"description": "If-Match names a version that is no longer current"}
}


def expected_version(if_match: str | None) -> int | None:
    if if_match is None or if_match.strip() == "*":
        return None
    found = _TAG.match(if_match.strip())
    if found is None:
        raise InvalidInput("header.If-Match", 'expected an ETag such as "3"')
    return int(found.group(1))


def tag(response: Response, version: int) -> None:
    response.headers["ETag"] = f'"{version}"'
