"""Repeated warnings and errors are written once per interval with the count of those held back; what
differs (another failure, another event) and info lines are never merged."""

import json
import logging

import structlog

from crm_shared.logs.throttle import RepeatThrottle, shape


def records(output: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in output.splitlines()]


def test_an_error_repeated_with_varying_numbers_is_written_once_with_its_count(capture_logs):
    written = capture_logs("json", repeat_interval_s=3600)
    log = structlog.get_logger()
    for port in range(100):
        log.error("kafka.unreachable", error=f"ConnectionError('127.0.0.1:{9000 + port}')")

    first, summary = records(written())
    assert first["event"] == "kafka.unreachable"
    assert summary["event"] == "log.repeated"
    assert summary["repeated_event"] == "kafka.unreachable"
    assert summary["count"] == 99


def test_library_errors_are_throttled_by_logger_and_message_shape(capture_logs):
    written = capture_logs("json", repeat_interval_s=3600)
    client = logging.getLogger("aiokafka.conn")
    for node in range(50):
        client.error("Unable connect to node with id %s: %s", node, "[Errno 111] Connection refused")
        client.error("Unable to update metadata from [%s]", node)

    out = records(written())
    assert [r["event"] for r in out[:2]] == [
        "Unable connect to node with id 0: [Errno 111] Connection refused",
        "Unable to update metadata from [0]",
    ]
    counts = {r["repeated_event"]: r["count"] for r in out[2:]}
    assert counts == {
        "Unable connect to node with id 0: [Errno 111] Connection refused": 49,
        "Unable to update metadata from [0]": 49,
    }


def test_different_failures_and_info_lines_are_not_merged(capture_logs):
    written = capture_logs("json", repeat_interval_s=3600)
    log = structlog.get_logger()
    for error in (TimeoutError("no answer"), ConnectionRefusedError("refused"), TimeoutError("no answer")):
        try:
            raise error
        except OSError:
            log.exception("outbox.relay.failed")
    for _ in range(3):
        log.info("http.request.handled", route="/v1/leads", status=200)

    events = [(r["event"], str(r.get("exception", "")).splitlines()[-1:]) for r in records(written())]
    assert events[:2] == [
        ("outbox.relay.failed", ["TimeoutError: no answer"]),
        ("outbox.relay.failed", ["ConnectionRefusedError: refused"]),
    ]
    assert [e for e, _ in events[2:]] == ["http.request.handled"] * 3 + ["log.repeated"]


def test_after_the_interval_the_next_repeat_is_written_with_the_count_held_back():
    now = [0.0]
    throttle = RepeatThrottle(interval_s=30, clock=lambda: now[0])
    key, sample = ("aiokafka", "Unable connect", "error", ""), {"event": "Unable connect"}

    assert throttle.admit(key, sample) == 0
    for second in range(1, 30):
        now[0] = second
        assert throttle.admit(key, sample) is None
    assert throttle.ended() == []  # the window is still open

    now[0] = 30
    assert throttle.admit(key, sample) == 29  # written again, saying how many were held back
    now[0] = 31
    assert throttle.admit(key, sample) is None
    now[0] = 61
    [held] = throttle.ended()  # the repeats stopped: their count is still reported, once
    assert (held.sample, held.count) == (sample, 1)
    assert throttle.ended() == []
    assert throttle.admit(key, sample) == 0


def test_a_zero_interval_writes_every_repeat():
    throttle = RepeatThrottle(interval_s=0)
    assert [throttle.admit(("k",), {}) for _ in range(3)] == [0, 0, 0]


def test_shape_blanks_what_varies_between_repeats():
    assert shape("Connection at 127.0.0.1:41789 closed (node 1)") == "Connection at #.#.#.#:# closed (node #)"
    assert shape("deal 0b6f7e1a-3c2d-4e5f-8a9b-0c1d2e3f4a5b") == shape(
        "deal 9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d"
    )
