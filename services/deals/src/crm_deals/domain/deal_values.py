"""The editable fields of a deal and their rules, checked the same way at creation and on every change."""

import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any
from uuid import UUID

from crm_shared.errors import InvalidInput
from crm_shared.text_keys import casefold_key

EDITABLE = frozenset(
    {
        "title",
        "description",
        "amount_minor",
        "currency",
        "best_case_minor",
        "worst_case_minor",
        "probability",
        "score",
        "expected_close_date",
        "owner_id",
        "team",
        "account_id",
        "contact_id",
        "contact_ids",
        "tags",
        "recontact_on",
        "needs_review",
    }
)
MAX_TAGS = 20
MAX_CONTACTS = 50
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_DATE_PREFIX = re.compile("^\\d{4}/\\d{2}/\\d{2}\\s*(?:[-\u2013\u2014:]\\s*)?")


def checked(values: Mapping[str, Any]) -> dict[str, Any]:
    """Normalised copies of `values`; the first field at fault raises InvalidInput naming it."""
    unknown = set(values) - EDITABLE
    if unknown:
        raise InvalidInput(sorted(unknown)[0], "not a changeable field of a deal")
    out = dict(values)
    if "title" in out:
        out["title"] = _text(out["title"], "title", 255, required=True)
    if "description" in out and out["description"] is not None:
        out["description"] = _text(out["description"], "description", 20_000, required=False) or None
    for name in ("amount_minor", "best_case_minor", "worst_case_minor"):
        if out.get(name) is not None and out[name] < 0:
            raise InvalidInput(name, "an amount cannot be negative")
    if out.get("amount_minor", 0) is None:
        raise InvalidInput("amount_minor", "a deal has an amount (0 when unknown)")
    if "currency" in out and not (isinstance(out["currency"], str) and _CURRENCY.match(out["currency"])):
        raise InvalidInput("currency", "an ISO 4217 code such as EUR")
    _range(out, "probability", 0, 100)
    _range(out, "score", 0, 5)
    if "owner_id" in out and not (isinstance(out["owner_id"], str) and out["owner_id"].strip()):
        raise InvalidInput("owner_id", "a deal has an owner")
    if "tags" in out:
        out["tags"] = tags(out["tags"] or ())
    if "contact_ids" in out:
        out["contact_ids"] = _unique_ids(out["contact_ids"] or (), "contact_ids")
    if "needs_review" in out and out["needs_review"] is not False:
        raise InvalidInput("needs_review", "a review flag is only cleared by hand (false)")
    return out


def check_consistency(
    *, best_case_minor: int | None, worst_case_minor: int | None, contact_id: UUID | None, contact_ids: Any
) -> None:
    if best_case_minor is not None and worst_case_minor is not None and worst_case_minor > best_case_minor:
        raise InvalidInput("worst_case_minor", "the worst case cannot exceed the best case")
    if contact_id is not None and contact_id in contact_ids:
        raise InvalidInput("contact_ids", "the primary contact is not also a secondary one")


def tags(values: Iterable[str]) -> tuple[str, ...]:
    """Each tag is its `casefold_key` ("Straße" and "STRASSE" are one tag, kept as "strasse"), so the
    tag filter matches whatever case a user types; duplicates dropped, order kept."""
    seen: dict[str, None] = {}
    for value in values:
        tag = casefold_key(str(value))
        if not tag or len(tag) > 50:
            raise InvalidInput("tags", "a tag has 1 to 50 characters")
        seen.setdefault(tag, None)
    if len(seen) > MAX_TAGS:
        raise InvalidInput("tags", f"at most {MAX_TAGS} tags")
    return tuple(seen)


def dated_title(title: str, day: date) -> str:
    """The title convention of some pipelines: `YYYY/MM/DD <title>`, the date replaced if present."""
    rest = _DATE_PREFIX.sub("", title, count=1).strip()
    return f"{day:%Y/%m/%d} {rest}".strip()[:255]


def has_date_prefix(title: str) -> bool:
    return bool(_DATE_PREFIX.match(title))


def _text(value: Any, name: str, limit: int, *, required: bool) -> str:
    text = str(value).strip()
    if required and not text:
        raise InvalidInput(name, "cannot be blank")
    if len(text) > limit:
        raise InvalidInput(name, f"at most {limit} characters")
    return text


def _range(values: Mapping[str, Any], name: str, low: int, high: int) -> None:
    value = values.get(name)
    if value is not None and not low <= value <= high:
        raise InvalidInput(name, f"between {low} and {high}")


def _unique_ids(values: Iterable[UUID], name: str) -> tuple[UUID, ...]:
    unique = tuple(dict.fromkeys(values))
    if len(unique) > MAX_CONTACTS:
        raise InvalidInput(name, f"at most {MAX_CONTACTS}")
    return unique
