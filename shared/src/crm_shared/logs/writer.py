"""Writes rendered log lines on a background thread, so that a slow or blocked stderr (a full pipe, a
stalled terminal or collector) never blocks the event loop that logged them.

The queue is bounded: when it is full a line is dropped and counted, and the count is written as soon as
the writer catches up. Each line goes to the `sys.stderr` of the moment it was logged (test runners swap
it), or to the current one if that stream has been closed since.
"""

import atexit
import contextlib
import queue
import sys
import threading
from collections.abc import Callable
from typing import TextIO

Notice = Callable[[int], str]
"""Renders the line reporting how many lines were dropped."""
Housekeeping = Callable[[bool], list[str]]
"""Lines the writer adds on its own from time to time (counts of repeats held back); called with True
on a flush, to report everything pending."""


class _Flush:
    def __init__(self) -> None:
        self.done = threading.Event()


class BackgroundWriter:
    def __init__(
        self, capacity: int, notice: Notice, housekeeping: Housekeeping, every_s: float = 1.0
    ) -> None:
        self.capacity = capacity
        self._queue: queue.Queue[tuple[TextIO, str] | _Flush | None] = queue.Queue(capacity)
        self._notice = notice
        self._housekeeping = housekeeping
        self._every_s = every_s
        self._lock = threading.Lock()
        self.dropped = 0
        self._reported = 0
        self._thread = threading.Thread(target=self._run, name="crm-log-writer", daemon=True)
        self._thread.start()

    def retarget(self, notice: Notice, housekeeping: Housekeeping) -> None:
        """Logging was configured again: report with the new renderer and throttle."""
        self._notice, self._housekeeping = notice, housekeeping

    def submit(self, line: str) -> None:
        """Never blocks: a line that finds the queue full is dropped and counted."""
        try:
            self._queue.put_nowait((sys.stderr, line))
        except queue.Full:
            with self._lock:
                self.dropped += 1

    def flush(self, timeout_s: float = 5.0) -> bool:
        """Waits until what was submitted before is written (and pending counts reported)."""
        if not self._thread.is_alive():
            return False
        marker = _Flush()
        try:
            self._queue.put(marker, timeout=timeout_s)
        except queue.Full:
            return False
        return marker.done.wait(timeout_s)

    def close(self, timeout_s: float = 5.0) -> None:
        self.flush(timeout_s)
        try:
            self._queue.put(None, timeout=timeout_s)
        except queue.Full:
            return
        self._thread.join(timeout_s)

    def _run(self) -> None:
        pending: set[TextIO] = set()  # streams written to since their last flush
        while True:
            item: tuple[TextIO, str] | _Flush | bool | None
            try:
                item = self._queue.get(timeout=self._every_s)
            except queue.Empty:
                item = False
            try:
                if not self._handle(item, pending):
                    return
            except Exception as failure:  # the writer must outlive a bad renderer or stream
                _write(sys.stderr, f"log writer: {type(failure).__name__}", pending)

    def _handle(self, item: tuple[TextIO, str] | _Flush | bool | None, pending: set[TextIO]) -> bool:
        """Writes one item (False: none came in a while, time for housekeeping); False to stop."""
        if item is None:
            _flush(pending)
            return False
        if item is False:
            self._write_extras(self._housekeeping(False), pending)
        elif isinstance(item, _Flush):
            try:
                self._write_extras(self._housekeeping(True), pending)
            finally:
                item.done.set()
        elif isinstance(item, tuple):
            _write(*item, pending)
            if self._queue.empty():  # caught up: report drops, then let the lines out
                self._write_extras([], pending)
        return True

    def _write_extras(self, lines: list[str], pending: set[TextIO]) -> None:
        with self._lock:
            dropped, self._reported = self.dropped - self._reported, self.dropped
        if dropped:
            lines = [self._notice(dropped), *lines]
        for line in lines:
            _write(sys.stderr, line, pending)
        _flush(pending)


def _write(stream: TextIO, line: str, pending: set[TextIO]) -> None:
    for target in (stream, sys.stderr):
        try:
            target.write(line + "\n")
        except (ValueError, OSError):  # closed since (a finished test's capture): try the current one
            continue
        pending.add(target)
        return


def _flush(pending: set[TextIO]) -> None:
    for stream in pending:
        with contextlib.suppress(ValueError, OSError):
            stream.flush()
    pending.clear()


_writer: BackgroundWriter | None = None


def install(writer: BackgroundWriter) -> None:
    """Makes `writer` the process's writer, closing the previous one after it has written its lines."""
    global _writer  # one writer thread per process
    previous, _writer = _writer, writer
    if previous is not None:
        previous.close()


def current() -> BackgroundWriter | None:
    return _writer


def flush_logs(timeout_s: float = 5.0) -> bool:
    """Writes out every line logged so far; at exit too, so the last words of a process are kept."""
    return _writer.flush(timeout_s) if _writer is not None else True


atexit.register(flush_logs)
