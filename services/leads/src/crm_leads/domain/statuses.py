"""Lead statuses: an admin-configured, ordered list; each status is open or closed.

Open statuses are the kanban columns a lead moves freely between. Two closed statuses are reserved:
"converted" (reached only by converting) and "lost" (reached only by losing, with a reason). Other
closed statuses an admin adds are further kinds of loss, reached by the lose action too.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from crm_shared.errors import Conflict, InvalidInput, NotFound
from crm_shared.text_keys import NameTaken, casefold_key


class LeadStatus(StrEnum):
    """The default statuses (seeded); admins may add more."""

    TO_PROCESS = "to_process"
    MARKETING_QUALIFICATION = "marketing_qualification"
    SALES_QUALIFICATION = "sales_qualification"
    NURTURING = "nurturing"
    CONVERTED = "converted"
    LOST = "lost"


RESERVED = frozenset({LeadStatus.CONVERTED, LeadStatus.LOST})
CLOSED_STATUSES = RESERVED


def status_key(value: str) -> str:
    """The enum member for a default status (so `is` comparisons keep working), else the key itself."""
    try:
        return LeadStatus(value)
    except ValueError:
        return value


@dataclass(kw_only=True)
class StatusDefinition:
    key: str
    label_en: str
    label_fr: str
    position: int
    is_open: bool

    @property
    def reserved(self) -> bool:
        return self.key in RESERVED

    def label(self, language: str) -> str:
        return self.label_fr if language == "fr" else self.label_en


class StatusBoard:
    """The ordered statuses, and which moves between them are legal."""

    def __init__(self, statuses: Iterable[StatusDefinition]) -> None:
        self.statuses = sorted(statuses, key=lambda s: (s.position, s.key))
        self._by_key = {s.key: s for s in self.statuses}

    def get(self, key: str) -> StatusDefinition:
        try:
            return self._by_key[key]
        except KeyError:
            raise NotFound("lead status", key) from None

    def first_open(self) -> StatusDefinition:
        for status in self.statuses:
            if status.is_open:
                return status
        raise Conflict("no open lead status is configured", code="no_open_status")

    @property
    def open_keys(self) -> list[str]:
        return [s.key for s in self.statuses if s.is_open]

    def move_target(self, key: str) -> StatusDefinition:
        """A kanban move may only land on an open status."""
        target = self.get(key)
        if not target.is_open:
            raise Conflict(f"status {key!r} is closed: use the convert or lose action", code="closed_status")
        return target

    def loss_target(self, key: str | None) -> StatusDefinition:
        target = self.get(key or LeadStatus.LOST)
        if target.is_open or target.key == LeadStatus.CONVERTED:
            raise InvalidInput("status", f"{target.key!r} is not a loss status")
        return target

    def check_new(self, status: StatusDefinition) -> None:
        if status.key in self._by_key:
            raise NameTaken("key", f"status {status.key!r} exists", "status_exists")
        self.check_labels(status)

    def check_labels(self, status: StatusDefinition) -> None:
        """No two columns read alike: labels are unique per language by `casefold_key` (ADR 0006)."""
        for field in ("label_en", "label_fr"):
            key = casefold_key(getattr(status, field))
            others = (s for s in self.statuses if s.key != status.key)
            clash = next((s for s in others if casefold_key(getattr(s, field)) == key), None)
            if clash is not None:
                detail = f"status {clash.key!r} is already labelled {getattr(clash, field)!r}"
                raise NameTaken(field, detail, "status_label_taken")

    def check_removable(self, key: str, *, leads_in_it: int) -> None:
        status = self.get(key)
        if status.reserved:
            raise Conflict(f"status {key!r} is reserved", code="reserved_status")
        if leads_in_it:
            raise Conflict(f"{leads_in_it} lead(s) are in status {key!r}", code="status_in_use")
        if status.is_open and len(self.open_keys) == 1:
            raise Conflict("at least one open status must remain", code="last_open_status")

    def reordered(self, keys: Sequence[str]) -> list[StatusDefinition]:
        """New positions from a full list of keys; every status must appear exactly once."""
        if sorted(keys) != sorted(self._by_key):
            raise InvalidInput("keys", "list every status exactly once")
        for position, key in enumerate(keys):
            self._by_key[key].position = position
        return [self._by_key[key] for key in keys]


def default_statuses() -> list[StatusDefinition]:
    labels = (
        (LeadStatus.TO_PROCESS, "To process", "À traiter", True),
        (LeadStatus.MARKETING_QUALIFICATION, "Marketing qualification", "Qualification marketing", True),
        (LeadStatus.SALES_QUALIFICATION, "Sales qualification", "Qualification commerciale", True),
        (LeadStatus.NURTURING, "Nurturing", "Maturation", True),
        (LeadStatus.CONVERTED, "Converted", "Converti", False),
        (LeadStatus.LOST, "Lost", "Perdu", False),
    )
    return [
        StatusDefinition(key=key, label_en=en, label_fr=fr, position=i, is_open=is_open)
        for i, (key, en, fr, is_open) in enumerate(labels)
    ]
