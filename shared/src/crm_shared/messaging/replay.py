"""Reading, selecting, replaying and discarding the dead letters of one service's consumer.

Replay runs the record through the same consumer again (same inbox, so an event applied meanwhile is a
duplicate, not a second effect). A record that fails again is dead-lettered again, naming the letter
it was replayed from: nothing is lost either way. Every replayed or discarded letter is recorded
(`DeadLetterLog`) and left alone by later runs unless `again` is asked; a letter a replay wrote
(`failed_again`) is not replayed by default either, so a poison record does not go round and round.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition

from crm_shared.messaging.consumer import EventConsumer, IncomingRecord, TransientFault
from crm_shared.messaging.dead_letter_log import Action, DeadLetterLog, Status
from crm_shared.messaging.dead_letters import DeadLetter, as_dead_letter, dead_letter_topic
from crm_shared.messaging.kafka import client_settings
from crm_shared.settings import KafkaSettings

UNHANDLED = frozenset({Status.PENDING, Status.FAILED_AGAIN})
"""Letters nobody replayed nor discarded (a replay's own failure included): what `discard` acts on."""


@dataclass(frozen=True)
class Selection:
    """Which letters: every criterion given must hold (all letters of the consumer when none is)."""

    event_ids: frozenset[str] = frozenset()
    letters: frozenset[str] = frozenset()
    types: frozenset[str] = frozenset()
    since: datetime | None = None
    until: datetime | None = None
    error: str | None = None
    statuses: frozenset[Status] = frozenset()

    @property
    def narrowed(self) -> bool:
        return bool(self.event_ids or self.letters or self.types or self.since or self.until or self.error)

    def matches(self, letter: DeadLetter, status: Status) -> bool:
        failed_at = letter.failed_at
        return (
            (not self.event_ids or letter.event_id in self.event_ids)
            and (not self.letters or letter.letter_id in self.letters)
            and (not self.types or letter.event_type in self.types)
            and (self.since is None or (failed_at is not None and failed_at >= self.since))
            and (self.until is None or (failed_at is not None and failed_at < self.until))
            and (not self.error or self.error.casefold() in letter.error.casefold())
            and (not self.statuses or status in self.statuses)
        )


async def select_letters(runtime: Any, selection: Selection) -> list[tuple[DeadLetter, Status]]:
    letters = await read_dead_letters(runtime.settings.kafka, runtime.consumer)
    statuses = await DeadLetterLog(runtime.engine).statuses(letters)
    chosen = [(letter, statuses[letter.letter_id]) for letter in letters]
    return [(letter, status) for letter, status in chosen if selection.matches(letter, status)]


async def replay_dead_letters(
    runtime: Any, selection: Selection, *, again: bool = False
) -> list[dict[str, Any]]:
    """Replay the selected pending letters (all of them with `again`), in topic order."""
    consumer: EventConsumer = runtime.consumer
    log = DeadLetterLog(runtime.engine)
    results = []
    for letter, status in await select_letters(runtime, selection):
        if status is not Status.PENDING and not again:
            continue
        entry = {"letter": letter.letter_id, "event_id": letter.event_id, "type": letter.event_type}
        try:
            outcome = await consumer.process(_original(letter))
        except TransientFault as fault:  # left pending: the next replay tries it again
            results.append(entry | {"outcome": "retry_later", "error": str(fault)})
            continue
        await log.record(letter, Action.REPLAYED, outcome.value)
        results.append(entry | {"outcome": outcome.value})
    return results


async def discard_dead_letters(runtime: Any, selection: Selection) -> list[dict[str, Any]]:
    """Mark the selected unhandled letters discarded: no replay picks them up any more."""
    log = DeadLetterLog(runtime.engine)
    results = []
    for letter, status in await select_letters(runtime, selection):
        if status in UNHANDLED:
            await log.record(letter, Action.DISCARDED)
            results.append({"letter": letter.letter_id, "event_id": letter.event_id, "outcome": "discarded"})
    return results


def _original(letter: DeadLetter) -> IncomingRecord:
    """The record as it was first consumed: its own headers, without the dead letter's."""
    headers = letter.headers
    return IncomingRecord(
        topic=headers.get("dlq_original_topic", letter.topic.removesuffix(".dlq")),
        partition=int(headers.get("dlq_original_partition", -1)),
        offset=int(headers.get("dlq_original_offset", -1)),
        key=letter.key,
        value=letter.value,
        headers=tuple((k, v) for k, v in letter.raw_headers if not k.startswith("dlq_")),
        replay_of=letter.letter_id,
    )


async def read_dead_letters(settings: KafkaSettings, consumer: EventConsumer) -> list[DeadLetter]:
    """Every dead letter this consumer wrote, oldest first per partition, read without joining a group."""
    reader = AIOKafkaConsumer(**client_settings(settings), enable_auto_commit=False)
    await reader.start()
    try:
        # A consumer with no subscription knows no topics until it is asked to fetch metadata.
        cluster = await reader._client.fetch_all_metadata()
        partitions = [
            TopicPartition(dead_letter_topic(topic), p)
            for topic in consumer.topics
            for p in sorted(cluster.partitions_for_topic(dead_letter_topic(topic)) or ())
        ]
        records = await _read_to_end(reader, partitions) if partitions else []
    finally:
        await reader.stop()
    letters = (as_dead_letter(r) for r in records)
    return [letter for letter in letters if letter.consumer == consumer.name]


async def _read_to_end(reader: AIOKafkaConsumer, partitions: Sequence[TopicPartition]) -> list[Any]:
    reader.assign(list(partitions))
    await reader.seek_to_beginning(*partitions)
    end = await reader.end_offsets(list(partitions))
    records: list[Any] = []
    while any([await reader.position(p) < last for p, last in end.items()]):
        batch = await reader.getmany(*partitions, timeout_ms=1000)
        records.extend(r for rs in batch.values() for r in rs)
    return sorted(records, key=lambda r: (r.topic, r.partition, r.offset))
