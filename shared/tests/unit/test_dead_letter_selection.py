"""Which dead letters a `dlq` command acts on, and how its arguments are read."""

from datetime import UTC, datetime

import pytest

from crm_shared.cli.dlq import parse, selection_of
from crm_shared.cli.main import main as crm
from crm_shared.messaging.dead_letter_log import Status
from crm_shared.messaging.dead_letters import DeadLetter


def letter(
    *, event_id: str = "e1", type_: str = "crm.leads.lead_converted.v1", failed_at: str = ""
) -> DeadLetter:
    headers = {
        "ce_id": event_id,
        "ce_type": type_,
        "dlq_consumer": "crm-deals",
        "dlq_error": "refused: Deal amount is OUT of range",
        "dlq_failed_at": failed_at or "2026-03-02T10:00:00+00:00",
    }
    raw = tuple((k, v.encode()) for k, v in headers.items())
    return DeadLetter("crm.leads.events.dlq", 1, 7, b"k", b"{}", headers, raw)


def select(*argv: str) -> object:
    return selection_of(parse(["list", *argv]))


@pytest.mark.parametrize(
    ("argv", "chosen"),
    [
        ((), True),
        (("--event-id", "e1"), True),
        (("--event-id", "e2", "--event-id", "e1"), True),
        (("--event-id", "e2"), False),
        (("--letter", "crm.leads.events.dlq:1:7"), True),
        (("--type", "crm.leads.lead_converted.v1"), True),
        (("--type", "crm.quotes.quote_sent.v1"), False),
        (("--since", "2026-03-02"), True),
        (("--since", "2026-03-02T10:00:01"), False),
        (("--until", "2026-03-02T10:00:00Z"), False),  # until is exclusive
        (("--until", "2026-03-03", "--since", "2026-03-01T23:00:00-02:00"), True),
        (("--error", "out of range"), True),  # any case
        (("--error", "connection"), False),
        (("--event-id", "e1", "--error", "connection"), False),  # every criterion must hold
        (("--status", "pending"), True),
        (("--status", "replayed"), False),
    ],
)
def test_letters_are_selected_by_every_criterion_given(argv: tuple[str, ...], chosen: bool) -> None:
    assert select(*argv).matches(letter(), Status.PENDING) is chosen  # type: ignore[attr-defined]


def test_a_letter_without_a_failure_time_is_outside_any_time_range() -> None:
    undated = DeadLetter("t.dlq", 0, 0, None, None, {"dlq_consumer": "crm-deals"})
    assert undated.failed_at is None
    assert not select("--since", "2000-01-01").matches(undated, Status.PENDING)  # type: ignore[attr-defined]


def test_naive_times_are_utc() -> None:
    assert parse(["list", "--since", "2026-03-02T10:00"]).since == datetime(2026, 3, 2, 10, tzinfo=UTC)


def test_a_time_that_is_not_iso_8601_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        parse(["replay", "--since", "yesterday"])
    assert exit_.value.code == 2
    assert "not an ISO 8601 date or time: 'yesterday'" in capsys.readouterr().err


def test_crm_help_lists_the_dead_letter_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        crm(["--help"])
    out = capsys.readouterr().out
    assert "dlq" in out
    assert "crm dlq <service> list|show|replay|discard" in " ".join(out.split())


def test_undecodable_bytes_are_shown_as_base64() -> None:
    raw = DeadLetter("t.dlq", 0, 3, b"\xff", "é".encode("latin-1"), {}, (("x-origin", b"\xe9t\xe9"),))
    details = raw.details()
    assert details["key"] == {"base64": "/w=="}
    assert details["value"] == {"base64": "6Q=="}
    assert details["headers"] == {"x-origin": {"base64": "6XTp"}}
