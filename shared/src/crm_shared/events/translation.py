"""Which domain events a service publishes, and as which integration events: one explicit table per service.

Each service declares its whole table in one place (`service_layer/integration_events.py`): every domain
event class is either published, with the function that builds its integration events, or internal
(never published). Translating any other event raises, so an event forgotten here fails the first test
that raises it instead of silently never leaving the service.
"""

from collections.abc import Callable, Iterable
from dataclasses import asdict, is_dataclass
from typing import Any, Self, TypeVar

from crm_shared.domain import DomainEvent
from crm_shared.events.base import IntegrationEvent

E = TypeVar("E", bound=DomainEvent)
Built = IntegrationEvent | Iterable[IntegrationEvent]
"""A build function returns one integration event, or several (possibly none: nothing to announce)."""


class UntranslatedEvent(TypeError):
    """A domain event the service cannot translate (neither published nor internal, or with a field its
    contract lacks): a programming error."""


class Translations:
    """The table of one service. `translate` is what `ServiceDefinition(translate=...)` takes."""

    def __init__(self, service: str) -> None:
        self.service = service
        self._published: dict[type[DomainEvent], Callable[[Any], Built]] = {}
        self._internal: set[type[DomainEvent]] = set()

    def publish(self, event_class: type[E], build: Callable[[E], Built]) -> Self:
        self._check_new(event_class)
        self._published[event_class] = build
        return self

    def internal(self, *event_classes: type[DomainEvent]) -> Self:
        """Events that stay inside the service (timeline, read models): never published."""
        for event_class in event_classes:
            self._check_new(event_class)
            self._internal.add(event_class)
        return self

    @property
    def published(self) -> frozenset[type[DomainEvent]]:
        return frozenset(self._published)

    @property
    def internal_events(self) -> frozenset[type[DomainEvent]]:
        return frozenset(self._internal)

    def unaccounted(self, event_classes: Iterable[type[DomainEvent]]) -> list[type[DomainEvent]]:
        """The classes among `event_classes` this table neither publishes nor declares internal."""
        known = self._published.keys() | self._internal
        return sorted((c for c in event_classes if c not in known), key=lambda c: c.__qualname__)

    def translate(self, event: object) -> tuple[IntegrationEvent, ...]:
        if isinstance(event, DomainEvent):
            build = self._published.get(type(event))
            if build is not None:
                built = build(event)
                return (built,) if isinstance(built, IntegrationEvent) else tuple(built)
            if type(event) in self._internal:
                return ()
        name = f"{type(event).__module__}.{type(event).__qualname__}"
        raise UntranslatedEvent(
            f"{self.service}: {name} is neither published nor internal: declare it in its integration_events"
        )

    def _check_new(self, event_class: type[DomainEvent]) -> None:
        if event_class in self._published or event_class in self._internal:
            raise ValueError(f"{self.service}: {event_class.__qualname__} is declared twice")


def field_for_field(
    published: type[IntegrationEvent], *, adjust: Callable[[dict[str, Any]], dict[str, Any]] | None = None
) -> Callable[[DomainEvent], IntegrationEvent]:
    """A build function for a domain event whose fields are all published under the same names, its
    values passed through `adjust` first when given. A domain field the contract lacks raises: renamed
    in the domain alone, it would otherwise vanish from the published event without a failing test."""

    def build(event: DomainEvent) -> IntegrationEvent:
        if not is_dataclass(event) or isinstance(event, type):
            raise TypeError(f"{type(event).__qualname__} is not a dataclass instance")
        values = asdict(event)
        if unknown := sorted(set(values) - set(published.model_fields)):
            raise UntranslatedEvent(f"{published.__name__} has no field {', '.join(unknown)}")
        return published.model_validate(adjust(values) if adjust else values)

    return build
