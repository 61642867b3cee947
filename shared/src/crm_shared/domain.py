"""Base of aggregates: they record domain events on legal transitions; the unit of work drains them."""

from dataclasses import dataclass, field


@dataclass(eq=False, kw_only=True)
class Aggregate:
    version: int = 1
    _events: list[object] = field(default_factory=list, init=False, repr=False)

    def record(self, event: object) -> None:
        self._events.append(event)

    def pull_events(self) -> list[object]:
        events, self._events = self._events, []
        return events
