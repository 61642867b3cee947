"""What counts as a breaking change of an event's JSON Schema: what `crm schemas` refuses (publish a
`.v2` beside the `.v1` instead) and what it lets through."""

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from pydantic import Field, create_model

from crm_shared.events.schemas import incompatibilities

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "shared/src/crm_shared/events/schemas"


def schema(fields: dict[str, Any], deal: dict[str, Any] | None = None) -> dict[str, Any]:
    """The JSON Schema pydantic generates for an event with these fields (and a nested `Deal`)."""
    if deal is not None:
        fields = fields | {"deal": (create_model("Deal", **deal) | None, None)}
    return create_model("Event", **fields).model_json_schema()


BASE: dict[str, Any] = {
    "lead_id": (uuid.UUID, ...),
    "name": (str, ...),
    "note": (str | None, None),
}
DEAL: dict[str, Any] = {"title": (str, ...), "amount_minor": (int, Field(ge=0))}


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"note": None}, ["note: removed"]),
        ({"name": (int, ...)}, ["name: type changed"]),
        ({"lead_id": (str, ...)}, ["lead_id: type changed"]),
        ({"note": (str | None, ...)}, ["note: newly required"]),
        ({"note": (str, None)}, ["note: type changed"]),
    ],
    ids=["removed", "retyped", "format-dropped", "optional-made-required", "nullable-made-not-null"],
)
def test_breaking_changes_are_reported(change: dict[str, Any], expected: list[str]):
    new = {k: v for k, v in (BASE | change).items() if v is not None}
    assert incompatibilities(schema(BASE), schema(new)) == expected


@pytest.mark.parametrize(
    "change",
    [
        {"source": (str | None, None)},
        {"name": (str, Field(description="The lead's family name"))},
        {"name": (str, Field(title="Family name", examples=["Lovelace"]))},
    ],
    ids=["optional-field-added", "description-changed", "title-and-examples-changed"],
)
def test_compatible_changes_are_not_reported(change: dict[str, Any]):
    assert incompatibilities(schema(BASE), schema(BASE | change)) == []


def test_nested_definitions_are_compared_too():
    old = schema(BASE, DEAL)
    assert incompatibilities(old, schema(BASE, DEAL | {"amount_minor": (str, ...)})) == [
        "Deal.amount_minor: type changed"
    ]
    assert incompatibilities(old, schema(BASE, DEAL | {"currency": (str, ...)})) == [
        "Deal.currency: newly required"
    ]
    assert incompatibilities(old, schema(BASE, {"title": (str, ...)})) == ["Deal.amount_minor: removed"]
    assert incompatibilities(old, schema(BASE, DEAL | {"currency": (str | None, None)})) == []


def test_each_checked_in_schema_is_compatible_with_itself():
    for path in SCHEMA_DIR.glob("crm.*.json"):
        loaded = json.loads(path.read_text())
        Draft202012Validator.check_schema(loaded)
        assert incompatibilities(loaded, loaded) == [], path.name
