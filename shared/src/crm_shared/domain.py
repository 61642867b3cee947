"""Base of aggregates and of domain events: aggregates record domain events on legal transitions; the unit
of work drains them."""

from dataclasses import dataclass, field

from crm_shared.errors import PreconditionFailed


class DomainEvent:
    """Base of a service's domain events (frozen dataclasses). Its service layer declares each one either
    published, with the integration events it becomes, or internal (see `crm_shared.events.translation`).
    """

    __slots__ = ()


@dataclass(eq=False, kw_only=True)
class Aggregate:
    version: int = 1
    _events: list[object] = field(default_factory=list, init=False, repr=False)

    def record(self, event: DomainEvent) -> None:
        self._events.append(event)

    def pull_events(self) -> list[object]:
        events, self._events = self._events, []
        return events

    def check_version(self, expected: int | None) -> None:
        """If-Match: the client changes the version it read, or nothing happens (412)."""
        if expected is not None and expected != self.version:
            kind = type(self).__name__.lower()
            raise PreconditionFailed(f"this {kind} is at version {self.version}, not {expected}")
