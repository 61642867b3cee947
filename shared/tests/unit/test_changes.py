"""Typed changes: producers build them from a domain event's (before, after) pairs and cannot publish a
field the contract lacks; consumers read typed values and ignore fields they do not know yet."""

import json
from dataclasses import dataclass
from datetime import date
from uuid import UUID, uuid4

import pytest
from pydantic import BaseModel, ValidationError

from crm_shared.events import Change, Changes, UnpublishedChange


class Address(BaseModel):
    city: str
    country: str


@dataclass(frozen=True)
class DomainAddress:
    city: str
    country: str


class ThingChanges(Changes):
    name: Change[str] | None = None
    due_on: Change[date] | None = None
    owner_ids: Change[list[UUID]] | None = None
    address: Change[Address] | None = None


def test_pairs_become_typed_changes_whatever_their_python_shape():
    owner = uuid4()
    changes = ThingChanges.of(
        {
            "due_on": (None, date(2026, 3, 31)),
            "owner_ids": ((), (owner,)),
            "address": (DomainAddress("Lyon", "FR"), None),
        }
    )
    assert changes.due_on == Change(before=None, after=date(2026, 3, 31))
    assert changes.owner_ids == Change(before=[], after=[owner])
    assert changes.address == Change(before=Address(city="Lyon", country="FR"), after=None)
    assert changes.name is None
    assert changes.changed_fields() == {"due_on", "owner_ids", "address"}


def test_a_field_the_contract_lacks_is_refused_to_the_producer():
    with pytest.raises(UnpublishedChange, match="ThingChanges has no field nickname, titel"):
        ThingChanges.of({"name": ("a", "b"), "titel": ("a", "b"), "nickname": (None, "b")})


def test_a_value_of_the_wrong_type_is_refused_to_the_producer():
    with pytest.raises(ValidationError, match="due_on"):
        ThingChanges.of({"due_on": (None, "next tuesday")})


def test_published_json_holds_only_the_fields_that_changed():
    payload = ThingChanges.of({"name": ("Anvil", None), "due_on": (date(2026, 1, 2), None)})
    assert json.loads(payload.model_dump_json()) == {
        "name": {"before": "Anvil", "after": None},
        "due_on": {"before": "2026-01-02", "after": None},
    }


def test_a_consumer_reads_typed_values_and_ignores_fields_it_does_not_know():
    read = ThingChanges.model_validate_json(
        '{"due_on": {"before": null, "after": "2026-03-31"}, "colour": {"before": 1, "after": 2}}'
    )
    assert read.due_on is not None
    assert read.due_on.after == date(2026, 3, 31)
    assert read.changed_fields() == {"due_on"}


def test_a_change_states_both_sides():
    with pytest.raises(ValidationError, match="before"):
        Change[str].model_validate({"after": "b"})
