"""Value objects of a lead's fields: emails, phones (E.164), tags, company sizes (its postal address is
the one every record has, see `addresses`)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

import phonenumbers

from crm_leads.domain.addresses import PostalAddress
from crm_shared.errors import InvalidInput
from crm_shared.text_keys import address_key, casefold_key

COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
LANGUAGE_REGIONS = {"fr": "FR"}


class CompanySize(StrEnum):
    XS = "1-10"
    S = "11-50"
    M = "51-200"
    L = "201-500"
    XL = "501-1000"
    XXL = "1001-5000"
    HUGE = "5001+"


class PhoneKind(StrEnum):
    WORK = "work"
    MOBILE = "mobile"
    HOME = "home"
    FAX = "fax"
    OTHER = "other"


@dataclass(frozen=True)
class EmailEntry:
    address: str
    primary: bool = False


@dataclass(frozen=True)
class PhoneEntry:
    number: str
    kind: str = PhoneKind.WORK
    primary: bool = False


@dataclass(frozen=True)
class Tag:
    name: str
    colour: str = "#9e9e9e"


E = TypeVar("E", EmailEntry, PhoneEntry)


def normalise_email(address: str) -> str:
    """The address's `address_key` (NFC, lower-cased): duplicates then match exactly (ADR 0006)."""
    return address_key(address)


def emails(entries: Sequence[EmailEntry]) -> tuple[EmailEntry, ...]:
    """Deduplicated addresses with exactly one primary (the first when none is chosen)."""
    result = [EmailEntry(normalise_email(e.address), e.primary) for e in entries]
    seen = [e.address for e in result]
    if len(set(seen)) != len(seen):
        raise InvalidInput("emails", "an email address appears twice")
    return _one_primary(result, "emails")


def phones(entries: Sequence[PhoneEntry], *, region: str | None) -> tuple[PhoneEntry, ...]:
    result = [
        PhoneEntry(e164(p.number, region=region, field=f"phones.{i}.number"), p.kind, p.primary)
        for i, p in enumerate(entries)
    ]
    numbers = [p.number for p in result]
    if len(set(numbers)) != len(numbers):
        raise InvalidInput("phones", "a phone number appears twice")
    return _one_primary(result, "phones")


def e164(raw: str, *, region: str | None, field: str = "phone") -> str:
    """A number in E.164; national formats are read in `region` (the address's country)."""
    try:
        parsed = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidInput(field, f"not a phone number: {exc}") from exc
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidInput(field, f"{raw!r} is not a valid phone number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def phone_region(address: PostalAddress | None, language: str) -> str | None:
    if address and address.country:
        return address.country.upper()
    return LANGUAGE_REGIONS.get(language)


def tags(entries: Sequence[Tag]) -> tuple[Tag, ...]:
    result: dict[str, Tag] = {}
    for i, tag in enumerate(entries):
        name = tag.name.strip()
        if not name:
            raise InvalidInput(f"tags.{i}.name", "a tag needs a name")
        if not COLOUR.match(tag.colour):
            raise InvalidInput(f"tags.{i}.colour", "a colour is #rrggbb")
        result.setdefault(casefold_key(name), Tag(name, tag.colour.lower()))
    return tuple(result.values())


def _one_primary(entries: list[E], field: str) -> tuple[E, ...]:
    primaries = [e for e in entries if e.primary]
    if len(primaries) > 1:
        raise InvalidInput(field, "only one entry can be primary")
    if entries and not primaries:
        first = entries[0]
        entries[0] = type(first)(**{**first.__dict__, "primary": True})
    # The primary comes first, so `lead.email` / `lead.phone` read entries[0].
    return tuple(sorted(entries, key=lambda e: not e.primary))
