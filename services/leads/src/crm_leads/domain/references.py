"""Admin-managed reference lists that lead fields take their values from.

Functions, departments and industry sectors are "creatable inline": a salesperson who types a new
value while editing a lead adds it to the list. Sources are chosen from the list only.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from uuid import UUID

from crm_shared.errors import InvalidInput
from crm_shared.ids import new_id
from crm_shared.text_keys import casefold_key


class ReferenceKind(StrEnum):
    FUNCTION = "function"
    DEPARTMENT = "department"
    INDUSTRY_SECTOR = "industry_sector"
    SOURCE = "source"


INLINE_KINDS = frozenset({ReferenceKind.FUNCTION, ReferenceKind.DEPARTMENT, ReferenceKind.INDUSTRY_SECTOR})
"""The lead field of each kind has the kind's name."""


def normalized(value: str) -> str:
    """Values match whatever their case, composition and spacing (`casefold_key`, ADR 0006)."""
    return casefold_key(value)


@dataclass(kw_only=True)
class ReferenceValue:
    id: UUID
    kind: str
    value: str
    label_en: str | None = None
    label_fr: str | None = None
    active: bool = True
    created_by: str | None = None
    created_at: datetime

    @classmethod
    def new(
        cls,
        kind: ReferenceKind,
        value: str,
        *,
        by: str,
        label_en: str | None = None,
        label_fr: str | None = None,
    ) -> "ReferenceValue":
        clean = " ".join(value.split())
        if not clean:
            raise InvalidInput("value", "a reference value cannot be blank")
        return cls(
            id=new_id(),
            kind=kind,
            value=clean,
            label_en=label_en,
            label_fr=label_fr,
            created_by=by,
            created_at=datetime.now(UTC),
        )

    @property
    def normalized(self) -> str:
        return normalized(self.value)
