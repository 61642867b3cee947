"""Account and contact lists: the filters they take (newest first, keyset pages by id)."""

from collections.abc import Mapping
from dataclasses import dataclass
from uuid import UUID


@dataclass(frozen=True)
class Filters:
    """List filters; None means "any". `equal` are plain column equalities."""

    equal: Mapping[str, object]
    text: str | None = None
    tag: str | None = None
    account_id: UUID | None = None
    email: str | None = None
