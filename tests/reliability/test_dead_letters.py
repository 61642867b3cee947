"""A record that can never be applied goes to the dead-letter topic, and the partition moves on."""

import base64
import json
import uuid

import pytest

from crm_shared.cli.dlq import dead_letters, parse
from crm_shared.events.envelope import encode_headers
from crm_shared.messaging.replay import Selection, replay_dead_letters
from tests.reliability.helpers import (
    DEALS_GROUP,
    LEADS_TOPIC,
    Seen,
    Services,
    TopicTail,
    count_rows,
    lead_converted,
    send_event,
    send_record,
    wait_consumed,
)

pytestmark = pytest.mark.reliability

MAX_ATTEMPTS = 3
TOO_BIG = 10**20  # a valid payload, but beyond the BIGINT column: the insert fails on every attempt


def letters_of(dlq: list[Seen], partition: int, offset: int) -> list[Seen]:
    return [
        s
        for s in dlq
        if s.headers.get("dlq_original_topic") == LEADS_TOPIC
        and s.headers.get("dlq_original_partition") == str(partition)
        and s.headers.get("dlq_original_offset") == str(offset)
    ]


def assert_dead_letter(letter: Seen, *, attempts: int, key: bytes, value: bytes) -> None:
    assert letter.headers["dlq_consumer"] == DEALS_GROUP
    assert letter.headers["dlq_error"].strip()
    assert letter.headers["dlq_attempts"] == str(attempts)
    assert (letter.key, letter.value) == (key, value)


async def test_poison_and_failing_records_are_dead_lettered_and_the_partition_moves_on(
    services: Services, kafka_bootstrap: str, capsys: pytest.CaptureFixture[str]
):
    deals = await services.deals(consumer_max_attempts=MAX_ATTEMPTS, consumer_retry_base_s=0.05)
    failing, failing_envelope = lead_converted(amount_minor=TOO_BIG)
    valid, valid_envelope = lead_converted()
    key = str(uuid.uuid4()).encode()
    poison_value = b"\x00{not json"
    async with TopicTail(kafka_bootstrap, f"{LEADS_TOPIC}.dlq") as dlq:
        poison_at = await send_record(kafka_bootstrap, LEADS_TOPIC, key=key, value=poison_value, headers=[])
        failing_at = await send_event(kafka_bootstrap, failing, failing_envelope, key=key)
        valid_at = await send_event(kafka_bootstrap, valid, valid_envelope, key=key)
        partition = poison_at[0]
        assert failing_at[0] == valid_at[0] == partition
        await wait_consumed(kafka_bootstrap, LEADS_TOPIC, *valid_at)
        letters = await dlq.drain()

        assert await count_rows(deals.runtime, "deals", lead_id=valid.lead_id) == 1
        assert await count_rows(deals.runtime, "deals", lead_id=failing.lead_id) == 0
        [poison] = letters_of(letters, *poison_at)
        assert_dead_letter(poison, attempts=1, key=key, value=poison_value)
        [dead] = letters_of(letters, *failing_at)
        assert_dead_letter(dead, attempts=MAX_ATTEMPTS, key=key, value=failing.model_dump_json().encode())
        assert dead.id == str(failing_envelope.id)
        assert "out of int64 range" in dead.headers["dlq_error"], dead.headers["dlq_error"]
        assert letters_of(letters, *valid_at) == []

        # Replay runs the real handler again: it fails again and is dead-lettered again, nothing applied.
        selection = Selection(event_ids=frozenset({str(failing_envelope.id)}))
        outcomes = await replay_dead_letters(deals.runtime, selection)
        assert [(o["event_id"], o["outcome"]) for o in outcomes] == [
            (str(failing_envelope.id), "dead_lettered")
        ]
        again = letters_of(await dlq.drain(), *failing_at)
    assert len(again) == 2
    assert_dead_letter(again[1], attempts=MAX_ATTEMPTS, key=key, value=failing.model_dump_json().encode())
    assert again[1].headers["dlq_replay_of"] == outcomes[0]["letter"]  # which letter it was replayed from
    assert await count_rows(deals.runtime, "deals", lead_id=failing.lead_id) == 0
    assert await count_rows(deals.runtime, "inbox", event_id=failing_envelope.id) == 0

    # The operator's view: `crm-deals dlq list` shows both letters of the failing event.
    capsys.readouterr()
    await dead_letters(deals.runtime.definition, parse(["list", "--event-id", str(failing_envelope.id)]))
    mine = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(mine) == 2
    assert {entry["consumer"] for entry in mine} == {DEALS_GROUP}
    assert all(entry["attempts"] == str(MAX_ATTEMPTS) for entry in mine)
    assert [entry["status"] for entry in mine] == ["replayed", "failed_again"]


async def test_a_header_that_is_not_utf8_dead_letters_the_record_with_its_reason_and_the_partition_moves_on(
    services: Services, kafka_bootstrap: str, capsys: pytest.CaptureFixture[str]
):
    deals = await services.deals()
    undecodable, undecodable_envelope = lead_converted()
    with_null, with_null_envelope = lead_converted()
    valid, valid_envelope = lead_converted()
    key = str(uuid.uuid4()).encode()
    latin1 = "Société Générale".encode("latin-1")
    async with TopicTail(kafka_bootstrap, f"{LEADS_TOPIC}.dlq") as dlq:
        bad_at = await send_record(
            kafka_bootstrap,
            LEADS_TOPIC,
            key=key,
            value=undecodable.model_dump_json().encode(),
            headers=[*encode_headers(undecodable_envelope.to_headers()), ("x-origin", latin1)],
        )
        null_at = await send_record(  # a header without a value is no reason to refuse an event
            kafka_bootstrap,
            LEADS_TOPIC,
            key=key,
            value=with_null.model_dump_json().encode(),
            headers=[*encode_headers(with_null_envelope.to_headers()), ("x-note", None)],  # type: ignore[list-item]
        )
        valid_at = await send_event(kafka_bootstrap, valid, valid_envelope, key=key)
        assert bad_at[0] == null_at[0] == valid_at[0]
        await wait_consumed(kafka_bootstrap, LEADS_TOPIC, *valid_at)
        letters = await dlq.drain()

    [letter] = letters_of(letters, *bad_at)
    assert "not UTF-8" in letter.headers["dlq_error"], letter.headers["dlq_error"]
    assert letter.headers["dlq_attempts"] == "1"
    assert letters_of(letters, *null_at) == letters_of(letters, *valid_at) == []
    assert await count_rows(deals.runtime, "deals", lead_id=undecodable.lead_id) == 0
    assert await count_rows(deals.runtime, "deals", lead_id=with_null.lead_id) == 1
    assert await count_rows(deals.runtime, "deals", lead_id=valid.lead_id) == 1

    # The letter keeps the bytes as they came: `dlq show` prints what is not text as base64.
    capsys.readouterr()
    await dead_letters(deals.runtime.definition, parse(["show", "--event-id", str(undecodable_envelope.id)]))
    [shown] = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert shown["headers"]["x-origin"] == {"base64": base64.b64encode(latin1).decode()}
    assert shown["value"] == undecodable.model_dump_json()
