"""Dead letters: a record a consumer cannot apply goes to `<topic>.dlq`, so the partition moves on.

The record keeps its key, value and headers (as raw bytes, even undecodable ones); `dlq_*` headers
say which consumer gave up, why, after how many attempts, when, and where the record came from. A
record that failed again when replayed also names the dead letter it was replayed from
(`dlq_replay_of`). The service CLI lists, shows, replays and discards them.
"""

import base64
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaProducer

MAX_ERROR_LENGTH = 2000


@dataclass(frozen=True)
class DeadLetter:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: dict[str, str]
    raw_headers: tuple[tuple[str, bytes], ...] = ()

    @property
    def letter_id(self) -> str:
        """Where the letter is: `<dlq topic>:<partition>:<offset>`, unique and stable."""
        return f"{self.topic}:{self.partition}:{self.offset}"

    @property
    def consumer(self) -> str:
        return self.headers.get("dlq_consumer", "")

    @property
    def event_id(self) -> str | None:
        return self.headers.get("ce_id")

    @property
    def event_type(self) -> str | None:
        return self.headers.get("ce_type")

    @property
    def error(self) -> str:
        return self.headers.get("dlq_error", "")

    @property
    def replay_of(self) -> str | None:
        return self.headers.get("dlq_replay_of")

    @property
    def failed_at(self) -> datetime | None:
        try:
            moment = datetime.fromisoformat(self.headers["dlq_failed_at"])
        except (KeyError, ValueError):
            return None
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

    def summary(self) -> dict[str, Any]:
        return {
            "letter": self.letter_id,
            "event_id": self.event_id,
            "type": self.event_type,
            "consumer": self.consumer,
            "attempts": self.headers.get("dlq_attempts"),
            "error": self.error,
            "failed_at": self.headers.get("dlq_failed_at"),
            "replay_of": self.replay_of,
            "original": f"{self.headers.get('dlq_original_topic')}"
            f"[{self.headers.get('dlq_original_partition')}]@{self.headers.get('dlq_original_offset')}",
        }

    def details(self) -> dict[str, Any]:
        """Everything about the letter, its payload included (for `dlq show`, never for a log)."""
        return self.summary() | {
            "key": _text(self.key),
            "value": _text(self.value),
            "headers": {key: _text(value) for key, value in self.raw_headers},
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
    replay_of = getattr(record, "replay_of", None)
    if replay_of:
        headers.append(("dlq_replay_of", replay_of.encode()))
    await producer.send_and_wait(
        dead_letter_topic(record.topic), value=record.value, key=record.key, headers=headers
    )


def as_dead_letter(record: Any) -> DeadLetter:
    """A dead letter as read back; a header that is not UTF-8 (maybe why it is here) stays readable."""
    raw = tuple((key, value or b"") for key, value in record.headers or ())
    return DeadLetter(
        topic=record.topic,
        partition=record.partition,
        offset=record.offset,
        key=record.key,
        value=record.value,
        headers={key: value.decode(errors="replace") for key, value in raw},
        raw_headers=raw,
    )


def _text(data: bytes | None) -> str | dict[str, str] | None:
    """UTF-8 text when it is, else base64 (so `dlq show` prints bytes nothing could decode)."""
    if data is None:
        return None
    try:
        return data.decode()
    except UnicodeDecodeError:
        return {"base64": base64.b64encode(data).decode()}
