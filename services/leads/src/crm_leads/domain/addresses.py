"""Postal addresses: one value object for every record of the service.

An account keeps one address of each kind (billing, delivery, default), each with a first line and a
country. A lead has one address, untyped, with a single line that it calls its street: it is stored
and published as `{street, postal_code, city, region, country}` (`street_fields`), as it always was.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

STREET_FIELDS = ("street", "postal_code", "city", "region", "country")


class AddressKind(StrEnum):
    BILLING = "billing"
    DELIVERY = "delivery"
    DEFAULT = "default"


@dataclass(frozen=True)
class PostalAddress:
    kind: AddressKind | None = None
    line1: str | None = None
    country: str | None = None
    """ISO 3166-1 alpha-2, upper case."""
    line2: str | None = None
    postal_code: str | None = None
    city: str | None = None
    region: str | None = None

    @property
    def street(self) -> str | None:
        """The first line, as a lead names it."""
        return self.line1

    @classmethod
    def of(cls, values: Mapping[str, Any]) -> PostalAddress:
        """From plain values: a typed address (`kind`, `line1`...) or a lead's (`street`...)."""
        fields = dict(values)
        if "street" in fields:
            fields["line1"] = fields.pop("street")
        if fields.get("kind") is not None:
            fields["kind"] = AddressKind(fields["kind"])
        if fields.get("country"):
            fields["country"] = fields["country"].upper()
        return cls(**fields)

    def street_fields(self) -> dict[str, str | None]:
        """A lead's address as it is stored and published."""
        return {name: getattr(self, name) for name in STREET_FIELDS}
