"""Integration events: the public contract between services and with other internal systems.

A payload class names its CloudEvents type (`crm.<context>.<name>.v<N>`) and the field holding the id of
the aggregate it is about; that id becomes the Kafka key, so one record's events stay in order.
Consumers ignore unknown fields (`extra="ignore"`), and a payload evolves only by adding optional fields.
"""

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

_REGISTRY: dict[str, type["IntegrationEvent"]] = {}


class IntegrationEvent(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    event_type: ClassVar[str]
    subject_field: ClassVar[str]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        event_type = cls.__dict__.get("event_type")
        if event_type is None:
            return
        if event_type in _REGISTRY:
            raise TypeError(f"event type {event_type} is defined twice")
        _REGISTRY[event_type] = cls

    @property
    def aggregate_id(self) -> str:
        return str(getattr(self, self.subject_field))

    @classmethod
    def context(cls) -> str:
        return context_of(cls.event_type)


def context_of(event_type: str) -> str:
    """`crm.deals.deal_won.v1` -> `deals`."""
    parts = event_type.split(".")
    if len(parts) != 4 or parts[0] != "crm":
        raise ValueError(f"malformed event type {event_type!r}")
    return parts[1]


def topic_of(event_type: str) -> str:
    return f"crm.{context_of(event_type)}.events"


def source_of(event_type: str) -> str:
    return f"/crm/{context_of(event_type)}"


def event_class(event_type: str) -> type[IntegrationEvent] | None:
    return _REGISTRY.get(event_type)


def registered_events() -> dict[str, type[IntegrationEvent]]:
    return dict(sorted(_REGISTRY.items()))
