"""A blocked stderr never blocks the event loop: lines wait in a bounded queue, the overflow is dropped
and counted, and once the stream moves again every line not counted as dropped is there."""

import asyncio
import io
import json
import sys
import threading

import pytest
import structlog

from crm_shared.logging import configure_logging, flush_logs
from crm_shared.logs import writer
from crm_shared.settings import LogSettings

QUEUE_SIZE = 50
BURST = 500


class GatedStream(io.StringIO):
    """A stream whose writes wait until the gate opens, like a pipe nobody reads. A write from the
    event loop's own thread is recorded instead of waited for, so a regression fails, not hangs."""

    def __init__(self, loop_thread: int) -> None:
        super().__init__()
        self.gate = threading.Event()
        self.writer_waiting = threading.Event()
        self.loop_thread = loop_thread
        self.writes_from_loop = 0

    def write(self, text: str) -> int:
        if threading.get_ident() == self.loop_thread:
            self.writes_from_loop += 1
        else:
            self.writer_waiting.set()
            self.gate.wait(timeout=60)
        return super().write(text)


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch):
    """Opens the gate however the test ends, and sets logging back to defaults."""
    streams: list[GatedStream] = []

    def install() -> GatedStream:  # in the test itself: pytest sets its own stderr back between phases
        stream = GatedStream(threading.get_ident())
        streams.append(stream)
        monkeypatch.setattr(sys, "stderr", stream)
        options = LogSettings(queue_size=QUEUE_SIZE, repeat_interval_s=0)
        configure_logging(service="tests", log_format="json", options=options)
        return stream

    yield install
    for stream in streams:
        stream.gate.set()
    flush_logs(timeout_s=30)
    monkeypatch.undo()
    configure_logging(service="tests", log_format="console")


async def test_a_burst_of_errors_on_a_blocked_stream_leaves_the_loop_running(gate):
    gated = gate()
    log = structlog.get_logger()
    log.info("first.line")  # the writer thread takes it and blocks on the stream
    assert await asyncio.to_thread(gated.writer_waiting.wait, 30)

    ticks = 0
    stop = asyncio.Event()

    async def tick() -> None:
        nonlocal ticks
        while not stop.is_set():
            ticks += 1
            await asyncio.sleep(0)

    ticker = asyncio.create_task(tick())
    for n in range(BURST):
        try:
            raise ConnectionError(f"broker unreachable, attempt {n}")
        except ConnectionError:
            log.exception("kafka.send.failed", attempt=n)
        await asyncio.sleep(0)
    ticks_during_burst = ticks
    stop.set()
    await ticker

    assert gated.writes_from_loop == 0
    assert ticks_during_burst >= BURST  # the other task ran between every two log calls
    current = writer.current()
    assert current is not None
    assert current.dropped == BURST - QUEUE_SIZE  # the queue filled up, the rest was counted

    gated.gate.set()
    assert flush_logs(timeout_s=30)
    records = [json.loads(line) for line in gated.getvalue().splitlines()]
    burst = [r for r in records if r["event"] == "kafka.send.failed"]
    [dropped] = [r for r in records if r["event"] == "log.dropped"]
    assert [r["attempt"] for r in burst] == list(range(QUEUE_SIZE))  # in order, none lost
    assert len(burst) + dropped["count"] == BURST
    assert records[0]["event"] == "first.line"
