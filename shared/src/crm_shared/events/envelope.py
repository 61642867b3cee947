"""CloudEvents 1.0 envelope in Kafka binary mode: attributes travel as `ce_*` headers, the value is JSON."""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from uuid import UUID

from crm_shared.events.base import IntegrationEvent, source_of
from crm_shared.ids import new_id

SPEC_VERSION = "1.0"
CONTENT_TYPE = "application/json"


class EnvelopeError(ValueError):
    """The record's headers are not a CloudEvent we can read."""


@dataclass(frozen=True)
class EventContext:
    """Why an event is being written: the request or event that caused it, for tracing across services."""

    correlation_id: str
    causation_id: str | None = None
    traceparent: str | None = None


@dataclass(frozen=True)
class Envelope:
    type: str
    source: str
    subject: str
    id: UUID = field(default_factory=new_id)
    time: datetime = field(default_factory=lambda: datetime.now(UTC))
    correlation_id: str | None = None
    causation_id: str | None = None
    traceparent: str | None = None

    @classmethod
    def for_event(cls, event: IntegrationEvent, context: EventContext) -> "Envelope":
        return cls(
            type=event.event_type,
            source=source_of(event.event_type),
            subject=event.aggregate_id,
            correlation_id=context.correlation_id,
            causation_id=context.causation_id,
            traceparent=context.traceparent,
        )

    def to_headers(self) -> dict[str, str]:
        headers = {
            "ce_specversion": SPEC_VERSION,
            "ce_id": str(self.id),
            "ce_source": self.source,
            "ce_type": self.type,
            "ce_time": self.time.isoformat(),
            "ce_subject": self.subject,
            "content-type": CONTENT_TYPE,
        }
        optional = {
            "correlation_id": self.correlation_id,
            "causation_id": self.causation_id,
            "traceparent": self.traceparent,
        }
        headers.update({k: v for k, v in optional.items() if v})
        return headers

    @classmethod
    def from_headers(cls, raw: dict[str, str]) -> "Envelope":
        if raw.get("ce_specversion") != SPEC_VERSION:
            raise EnvelopeError(f"unsupported ce_specversion {raw.get('ce_specversion')!r}")
        missing = [k for k in ("ce_id", "ce_source", "ce_type", "ce_time") if not raw.get(k)]
        if missing:
            raise EnvelopeError(f"missing CloudEvents headers: {', '.join(missing)}")
        try:
            event_id = UUID(raw["ce_id"])
            time = datetime.fromisoformat(raw["ce_time"])
        except ValueError as exc:
            raise EnvelopeError(f"malformed CloudEvents header: {exc}") from exc
        return cls(
            type=raw["ce_type"],
            source=raw["ce_source"],
            subject=raw.get("ce_subject", ""),
            id=event_id,
            time=time,
            correlation_id=raw.get("correlation_id"),
            causation_id=raw.get("causation_id"),
            traceparent=raw.get("traceparent"),
        )


def decode_headers(
    headers: list[tuple[str, bytes]] | tuple[tuple[str, bytes], ...],
) -> dict[str, str]:
    """Kafka headers are bytes; a header that is not UTF-8 makes the record undecodable."""
    try:
        return {key: value.decode() for key, value in headers}
    except UnicodeDecodeError as exc:
        raise EnvelopeError(f"header is not UTF-8: {exc}") from exc


def encode_headers(headers: dict[str, str]) -> list[tuple[str, bytes]]:
    return [(key, value.encode()) for key, value in headers.items()]
