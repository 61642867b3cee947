"""Repeated warnings and errors are written once per interval, with the count of those held back.

While a broker is down, clients and retry loops report the same failure many times a second; the first
report says everything, the count says how long it lasted. Records are grouped by logger, event, level,
error class and the shape of the message (numbers, ids and addresses blanked), so a port or a node id
that changes does not make a new line.
"""

import re
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import structlog

THROTTLED_FROM = 30
"""Warnings and above (stdlib numbering): info and debug lines are the system's story, never merged."""
_VARYING = re.compile(r"0x[0-9a-fA-F]+|[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}|\d+")
_LEVELS = {"debug": 10, "info": 20, "warning": 30, "warn": 30, "error": 40, "critical": 50, "exception": 40}


def shape(text: str) -> str:
    """`text` with its varying parts blanked: what makes two messages "the same"."""
    return _VARYING.sub("#", text[:300])


def level_number(method: str) -> int:
    return _LEVELS.get(method.lower(), 20)


@dataclass
class _Window:
    opened_at: float
    sample: dict[str, Any]
    held: int = 0


@dataclass
class Held:
    """Repeats of one record held back in a window that has ended, to be reported."""

    sample: dict[str, Any]
    count: int


@dataclass
class RepeatThrottle:
    interval_s: float
    clock: Callable[[], float] = time.monotonic
    max_keys: int = 2048
    _windows: "OrderedDict[tuple[Any, ...], _Window]" = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def admit(self, key: tuple[Any, ...], sample: dict[str, Any]) -> int | None:
        """None when the record repeats one written less than an interval ago (it is counted), else
        how many repeats were held back since the last one written."""
        if self.interval_s <= 0:
            return 0
        now = self.clock()
        with self._lock:
            window = self._windows.get(key)
            if window is not None and now - window.opened_at < self.interval_s:
                window.held += 1
                return None
            held = window.held if window is not None else 0
            self._windows[key] = _Window(opened_at=now, sample=sample)
            self._windows.move_to_end(key)
            while len(self._windows) > self.max_keys:
                self._windows.popitem(last=False)  # forgets its count: memory stays bounded
            return held

    def ended(self, everything: bool = False) -> list[Held]:
        """Counts of windows that ended with repeats held back (all of them when `everything`), each
        reported once; the next repeat then opens a new window and is written."""
        now = self.clock()
        reports = []
        with self._lock:
            for window in self._windows.values():
                if window.held and (everything or now - window.opened_at >= self.interval_s):
                    reports.append(Held(window.sample, window.held))
                    window.held = 0
        return reports


def structlog_key(method: str, event_dict: structlog.typing.EventDict) -> tuple[Any, ...]:
    """What makes two structlog events repeats: event, level, and the failure they carry."""
    error = _exception_of(event_dict.get("exc_info"))
    failure = f"{type(error).__name__}: {error}" if error else str(event_dict.get("error", ""))
    return (event_dict.get("logger"), str(event_dict.get("event")), method, shape(failure))


def _exception_of(exc_info: Any) -> BaseException | None:
    if isinstance(exc_info, BaseException):
        return exc_info
    if isinstance(exc_info, tuple) and len(exc_info) == 3:
        return exc_info[1]  # type: ignore[no-any-return]
    return sys.exc_info()[1] if exc_info is True else None


class ThrottleProcessor:
    """structlog processor: drops repeats of warnings and errors, marks the next one written with
    `repeated=N`."""

    def __init__(self, throttle: RepeatThrottle) -> None:
        self.throttle = throttle

    def __call__(self, _logger: Any, method: str, event_dict: structlog.typing.EventDict) -> Any:
        if level_number(method) < THROTTLED_FROM:
            return event_dict
        sample = {"event": event_dict.get("event"), "level": method, "logger": event_dict.get("logger")}
        held = self.throttle.admit(structlog_key(method, event_dict), sample)
        if held is None:
            raise structlog.DropEvent
        if held:
            event_dict["repeated"] = held
        return event_dict
