"""Dead letters: a record a consumer cannot apply goes to `<topic>.dlq`, so the partition moves on.

The record keeps its key, value and headers; `dlq_*` headers say which consumer gave up, why, after
how many attempts, and where the record came from. The service CLI lists and replays them.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaProducer

from crm_shared.events.envelope import decode_headers

MAX_ERROR_LENGTH = 2000


@dataclass(frozen=True)
class DeadLetter:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: dict[str, str]

    @property
    def consumer(self) -> str:
        return self.headers.get("dlq_consumer", "")

    @property
    def event_id(self) -> str | None:
        return self.headers.get("ce_id")

    def summary(self) -> dict[str, Any]:
        return {
            "dlq_offset": f"{self.partition}:{self.offset}",
            "event_id": self.event_id,
            "type": self.headers.get("ce_type"),
            "consumer": self.consumer,
            "attempts": self.headers.get("dlq_attempts"),
            "error": self.headers.get("dlq_error"),
            "original": f"{self.headers.get('dlq_original_topic')}"
            f"[{self.headers.get('dlq_original_partition')}]@{self.headers.get('dlq_original_offset')}",
        }


def dead_letter_topic(topic: str) -> str:
    return f"{topic}.dlq"


async def publish_dead_letter(
    producer: AIOKafkaProducer, record: Any, *, consumer: str, error: str, attempts: int
) -> None:
    """Send the record to its dead-letter topic and wait for the broker's acknowledgement."""
    headers = [(k, v) for k, v in (record.headers or ()) if not k.startswith("dlq_")]
    headers += [
        ("dlq_consumer", consumer.encode()),
        ("dlq_error", error[:MAX_ERROR_LENGTH].encode()),
        ("dlq_attempts", str(attempts).encode()),
        ("dlq_original_topic", record.topic.encode()),
        ("dlq_original_partition", str(record.partition).encode()),
        ("dlq_original_offset", str(record.offset).encode()),
        ("dlq_failed_at", datetime.now(UTC).isoformat().encode()),
    ]
    await producer.send_and_wait(
        dead_letter_topic(record.topic), value=record.value, key=record.key, headers=headers
    )


def as_dead_letter(record: Any) -> DeadLetter:
    try:
        headers = decode_headers(record.headers or ())
    except ValueError:
        headers = {}
    return DeadLetter(
        topic=record.topic,
        partition=record.partition,
        offset=record.offset,
        key=record.key,
        value=record.value,
        headers=headers,
    )
