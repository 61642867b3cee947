"""Value objects and normalisation shared by accounts and contacts: links, domains, phone numbers,
addresses checked, and plain values for events."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, is_dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

import phonenumbers

from crm_leads.domain.addresses import PostalAddress
from crm_shared.errors import InvalidInput
from crm_shared.text_keys import address_key

DEFAULT_PHONE_REGION = "FR"


class AccountType(StrEnum):
    PROSPECT = "prospect"
    CUSTOMER = "customer"
    SUPPLIER = "supplier"
    PARTNER = "partner"


@dataclass(frozen=True)
class AccountLink:
    """A contact works for an account, in a role (e.g. "buyer", "CTO")."""

    account_id: UUID
    role: str | None = None


def check_addresses(addresses: Iterable[PostalAddress]) -> tuple[PostalAddress, ...]:
    """An account's addresses: each typed, with a first line and a country; one of each kind at most."""
    result = tuple(addresses)
    if any(a.kind is None or not a.line1 or not a.country for a in result):
        raise InvalidInput("addresses", "an account's address has a kind, a first line and a country")
    kinds = [a.kind for a in result]
    if len(kinds) != len(set(kinds)):
        raise InvalidInput("addresses", "at most one address of each kind (billing, delivery, default)")
    return result


def email_domain_of(email: str | None) -> str | None:
    return address_key(email.rsplit("@", 1)[1]) if email and "@" in email else None


def domain_of_website(website: str | None) -> str | None:
    if not website:
        return None
    host = urlsplit(website if "//" in website else f"//{website}").hostname
    return address_key(host).removeprefix("www.") if host else None


def to_e164(raw: str, *, field: str, region: str = DEFAULT_PHONE_REGION) -> str:
    """A phone number in E.164 (`+33123456789`); national numbers are read in `region`."""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidInput(field, f"not a phone number: {raw!r}") from exc
    if not phonenumbers.is_possible_number(number):
        raise InvalidInput(field, f"not a possible phone number: {raw!r}")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def plain(value: Any) -> Any:
    """A JSON-ready copy of a field value, for events and the timeline."""
    if is_dataclass(value) and not isinstance(value, type):
        value = asdict(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value) if isinstance(value, StrEnum | UUID) else value


def apply_changes(target: object, changes: Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Set the fields that differ; returns {field: (old, new)} in plain values."""
    changed = {}
    for name, new in changes.items():
        old = getattr(target, name)
        if old != new:
            setattr(target, name, new)
            changed[name] = (plain(old), plain(new))
    return changed
