"""`crm-<name> dlq`: letters selected by id, type, failure time and error; each replayed or discarded
once, unless asked again; clean JSON on stdout.

The letters are written to the dead-letter topic as a consumer writes them, with failure times in 2001
and a marker of this test in their error, so the selection sees none of the other tests' letters.
"""

import asyncio
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest

from crm_shared.cli.dlq import dead_letters, parse
from crm_shared.events import Envelope, EventContext
from crm_shared.events.envelope import encode_headers
from crm_shared.events.leads import LeadCreated
from crm_shared.testing.service import RunningService
from tests.reliability.helpers import (
    DEALS_GROUP,
    LEADS_TOPIC,
    Services,
    count_rows,
    lead_converted,
    send_record,
)

pytestmark = pytest.mark.reliability

Run = Any  # the `dlq` runner of one test: argv -> printed JSON objects


@pytest.fixture
def marker() -> str:
    return f"marker-{uuid.uuid4().hex[:12]}"


async def write_letter(
    bootstrap: str,
    envelope: Envelope,
    value: bytes,
    *,
    error: str,
    failed_at: str,
    consumer: str = DEALS_GROUP,
) -> None:
    dlq = {
        "dlq_consumer": consumer,
        "dlq_error": error,
        "dlq_attempts": "4",
        "dlq_original_topic": LEADS_TOPIC,
        "dlq_original_partition": "0",
        "dlq_original_offset": "0",
        "dlq_failed_at": failed_at,
    }
    headers = encode_headers(envelope.to_headers() | dlq)
    await send_record(
        bootstrap, f"{LEADS_TOPIC}.dlq", key=envelope.subject.encode(), value=value, headers=headers
    )


def runner(deals: RunningService, capsys: pytest.CaptureFixture[str]) -> Run:
    async def run(*argv: str) -> list[dict[str, Any]]:
        capsys.readouterr()
        status = await dead_letters(deals.runtime.definition, parse(list(argv)))
        assert status == 0
        return [json.loads(line) for line in capsys.readouterr().out.splitlines()]

    return run


async def test_dead_letters_are_selected_replayed_once_and_discarded(
    services: Services, kafka_bootstrap: str, capsys: pytest.CaptureFixture[str], marker: str
):
    deals = await services.deals()
    run = runner(deals, capsys)
    refused, refused_envelope = lead_converted()  # failed while the database was away (before the fix)
    too_big, too_big_envelope = lead_converted()
    _, poison_envelope = lead_converted()  # its letter's value will not be a LeadConverted
    created = LeadCreated(lead_id=uuid.uuid4(), last_name="Ignored")  # a type deals does not handle
    created_envelope = Envelope.for_event(created, EventContext("dlq"))
    others, others_envelope = lead_converted()
    letters = [
        (refused_envelope, refused.model_dump_json(), "ConnectionRefusedError", "2001-01-01T10:00:00+00:00"),
        (
            too_big_envelope,
            too_big.model_dump_json(),
            "value out of int64 range",
            "2001-01-02T10:00:00+00:00",
        ),
        (poison_envelope, '{"not": "a lead"}', "payload does not match", "2001-01-03T10:00:00+00:00"),
        (created_envelope, created.model_dump_json(), "handler bug", "2001-01-04T10:00:00+00:00"),
    ]
    for envelope, value, error, failed_at in letters:
        await write_letter(
            kafka_bootstrap, envelope, value.encode(), error=f"{marker}: {error}", failed_at=failed_at
        )
    await write_letter(  # another consumer's letter on the same topic: never this service's business
        kafka_bootstrap,
        others_envelope,
        others.model_dump_json().encode(),
        error=marker,
        failed_at="2001-01-01",
        consumer="crm-notifier",
    )
    ids = [str(e.id) for e, *_ in letters]

    listed = await run("list", "--error", marker)
    assert sorted(entry["event_id"] for entry in listed) == sorted(ids)
    assert {entry["status"] for entry in listed} == {"pending"}
    by_type = await run("list", "--error", marker, "--type", LeadCreated.event_type)
    assert [e["event_id"] for e in by_type] == [ids[3]]
    in_range = await run("list", "--error", marker, "--since", "2001-01-02", "--until", "2001-01-04")
    assert sorted(e["event_id"] for e in in_range) == sorted(ids[1:3])
    assert [e["event_id"] for e in await run("list", "--error", f"{marker}: VALUE OUT OF")] == [ids[1]]
    [shown] = await run("show", "--event-id", ids[0])
    assert json.loads(shown["value"]) == json.loads(refused.model_dump_json())

    # One by id, then every pending one: the first is not replayed a second time.
    first = await run("replay", "--event-id", ids[0])
    assert [(r["event_id"], r["outcome"]) for r in first] == [(ids[0], "applied")]
    replayed = {r["event_id"]: r["outcome"] for r in await run("replay", "--error", marker)}
    assert replayed == {ids[1]: "applied", ids[2]: "dead_lettered", ids[3]: "ignored"}
    assert await run("replay", "--error", marker) == []
    assert await count_rows(deals.runtime, "deals", lead_id=refused.lead_id) == 1
    assert await count_rows(deals.runtime, "deals", lead_id=too_big.lead_id) == 1

    # The poison event failed again: its new letter is not replayed by default, only when asked.
    poison_letters = await run("list", "--event-id", ids[2])
    assert [e["status"] for e in poison_letters] == ["replayed", "failed_again"]
    assert poison_letters[1]["replay_of"] == poison_letters[0]["letter"]
    assert await run("replay", "--event-id", ids[2]) == []
    again = await run("replay", "--event-id", ids[2], "--again")
    assert [r["outcome"] for r in again] == ["dead_lettered", "dead_lettered"]

    # Discarded letters are left alone by every later replay, unless asked again.
    discarded = await run("discard", "--event-id", ids[2])
    assert len(discarded) == 2  # the two letters the last replay wrote
    assert await run("replay", "--event-id", ids[2]) == []
    assert len(await run("list", "--event-id", ids[2], "--status", "discarded")) == 2
    everything = {r["event_id"]: r["outcome"] for r in await run("replay", "--error", marker, "--again")}
    assert everything == {
        ids[0]: "duplicate",
        ids[1]: "duplicate",
        ids[2]: "dead_lettered",
        ids[3]: "ignored",
    }
    assert await count_rows(deals.runtime, "deals", lead_id=refused.lead_id) == 1  # once, however often
    assert await count_rows(deals.runtime, "deals", lead_id=others.lead_id) == 0


async def test_crm_dlq_prints_json_lines_on_stdout_and_logs_on_stderr(
    services: Services, kafka_bootstrap: str, marker: str
):
    deals = await services.deals()
    event, envelope = lead_converted()
    value = event.model_dump_json().encode()
    await write_letter(kafka_bootstrap, envelope, value, error=marker, failed_at="2001-01-01T00:00:00Z")
    env = os.environ | {
        "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
        "CRM_DEALS_DATABASE_URL": deals.runtime.settings.database_url,
        "CRM_LOG_LEVEL": "DEBUG",  # plenty of log lines, none of which may reach stdout
        "CRM_LOG_FORMAT": "json",
    }
    crm = str(Path(sys.executable).parent / "crm")  # `crm dlq deals ...` delegates to crm-deals
    result = await asyncio.to_thread(
        subprocess.run,
        [crm, "dlq", "deals", "replay", "--error", marker],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    [line] = result.stdout.splitlines()  # the replay's log lines did not land here
    assert json.loads(line) | {"letter": None} == {
        "letter": None,
        "event_id": str(envelope.id),
        "type": envelope.type,
        "outcome": "applied",
    }
    assert "consumer.event.applied" in result.stderr
    assert await count_rows(deals.runtime, "deals", lead_id=event.lead_id) == 1
