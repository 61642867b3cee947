"""The translation table: published events build their integration events, internal ones build none, and
anything else is refused as a programming error."""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar
from uuid import UUID, uuid4

import pytest

from crm_shared.domain import DomainEvent
from crm_shared.events import IntegrationEvent, Translations, UntranslatedEvent, field_for_field


# No `event_type`: these payloads stay out of the catalogue of published types.
class ThingPublished(IntegrationEvent):
    subject_field: ClassVar[str] = "thing_id"

    thing_id: UUID
    name: str


class ThingAudited(IntegrationEvent):
    subject_field: ClassVar[str] = "thing_id"

    thing_id: UUID


@dataclass(frozen=True)
class ThingCreated(DomainEvent):
    thing_id: UUID
    name: str


@dataclass(frozen=True)
class ThingRenamed(DomainEvent):
    thing_id: UUID
    name: str
    announce: bool = True


@dataclass(frozen=True)
class ThingViewed(DomainEvent):
    thing_id: UUID


@dataclass(frozen=True)
class ThingForgotten(DomainEvent):
    thing_id: UUID


def renamed(event: ThingRenamed) -> Iterator[IntegrationEvent]:
    if event.announce:
        yield ThingPublished(thing_id=event.thing_id, name=event.name)
        yield ThingAudited(thing_id=event.thing_id)


def table() -> Translations:
    return (
        Translations("tests")
        .publish(ThingCreated, field_for_field(ThingPublished))
        .publish(ThingRenamed, renamed)
        .internal(ThingViewed)
    )


def test_a_published_event_builds_its_integration_events_field_for_field():
    thing = uuid4()
    assert table().translate(ThingCreated(thing, "Anvil")) == (ThingPublished(thing_id=thing, name="Anvil"),)


def test_a_build_function_may_publish_several_events_or_none():
    thing = uuid4()
    published = table().translate(ThingRenamed(thing, "Hammer"))
    assert [type(e) for e in published] == [ThingPublished, ThingAudited]
    assert table().translate(ThingRenamed(thing, "Hammer", announce=False)) == ()


def test_an_internal_event_is_never_published():
    assert table().translate(ThingViewed(uuid4())) == ()


@pytest.mark.parametrize("event", [ThingForgotten(uuid4()), object(), {"thing_id": "x"}])
def test_an_event_neither_published_nor_internal_is_refused(event: object):
    with pytest.raises(UntranslatedEvent, match=r"tests: .* is neither published nor internal"):
        table().translate(event)


def test_a_subclass_is_not_taken_for_its_declared_parent():
    @dataclass(frozen=True)
    class ThingCreatedTwice(ThingCreated):
        pass

    with pytest.raises(UntranslatedEvent):
        table().translate(ThingCreatedTwice(uuid4(), "Anvil"))


def test_an_event_is_declared_once():
    with pytest.raises(ValueError, match="ThingCreated is declared twice"):
        table().publish(ThingCreated, field_for_field(ThingPublished))
    with pytest.raises(ValueError, match="ThingViewed is declared twice"):
        table().internal(ThingViewed)


def test_unaccounted_lists_the_classes_the_table_does_not_declare():
    declared = table()
    assert declared.published == {ThingCreated, ThingRenamed}
    assert declared.internal_events == {ThingViewed}
    classes = [ThingViewed, ThingForgotten, ThingCreated, ThingRenamed]
    assert declared.unaccounted(classes) == [ThingForgotten]


def test_field_for_field_refuses_a_domain_field_the_contract_lacks():
    @dataclass(frozen=True)
    class ThingCreatedWithTitle(DomainEvent):
        thing_id: UUID
        title: str  # renamed in the domain, not in the contract

    build = field_for_field(ThingPublished)
    with pytest.raises(UntranslatedEvent, match="ThingPublished has no field title"):
        build(ThingCreatedWithTitle(uuid4(), "Anvil"))


def test_field_for_field_adjusts_values_before_validating():
    upper = field_for_field(ThingPublished, adjust=lambda values: values | {"name": values["name"].upper()})
    thing = uuid4()
    assert upper(ThingCreated(thing, "anvil")) == ThingPublished(thing_id=thing, name="ANVIL")
