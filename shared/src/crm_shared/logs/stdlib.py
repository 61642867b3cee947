"""Libraries (aiokafka, uvicorn, FastStream, SQLAlchemy) log through the standard library: their records
take the same road as ours, throttled, redacted, bounded, rendered and written in the background."""

import logging
import sys
from collections.abc import Callable, Sequence
from typing import Any, TextIO

import structlog

from crm_shared.logs.throttle import RepeatThrottle, shape

_STANDARD = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "taskName"}


class RecordRenderer:
    """A `LogRecord` as an event dict run through the processors (ending with the renderer)."""

    def __init__(self, processors: Sequence[structlog.typing.Processor]) -> None:
        self._processors = processors

    def __call__(self, record: logging.LogRecord, repeated: int = 0) -> str | None:
        method = record.levelname.lower()
        event_dict: dict[str, Any] = {"event": record.getMessage(), "logger": record.name}
        event_dict.update((k, v) for k, v in record.__dict__.items() if k not in _STANDARD)
        if record.exc_info:
            event_dict["exc_info"] = record.exc_info
        if record.stack_info:
            event_dict["stack_info"] = record.stack_info
        if repeated:
            event_dict["repeated"] = repeated
        try:
            rendered: Any = event_dict
            for processor in self._processors:
                rendered = processor(None, method, rendered)
        except structlog.DropEvent:
            return None
        return str(rendered)


def record_key(record: logging.LogRecord) -> tuple[Any, ...]:
    error = record.exc_info[1] if record.exc_info else None
    failure = f"{type(error).__name__}: {error}" if error is not None else ""
    return (record.name, record.levelno, shape(record.getMessage()), shape(failure))


class PipelineHandler(logging.Handler):
    """Root handler: warnings and errors repeated within the interval are counted, not rendered."""

    def __init__(
        self, render: RecordRenderer, throttle: RepeatThrottle, submit: Callable[[str], None]
    ) -> None:
        super().__init__()
        self._render = render
        self._throttle = throttle
        self._submit = submit

    def emit(self, record: logging.LogRecord) -> None:
        try:
            held = self._admit(record)
            line = self._render(record, held) if held is not None else None
            if line is not None:
                self._submit(line)
        except Exception:
            self.handleError(record)

    def _admit(self, record: logging.LogRecord) -> int | None:
        if record.levelno < logging.WARNING:
            return 0
        message, level = record.getMessage()[:300], record.levelname.lower()
        sample = {"event": message, "level": level, "logger": record.name}
        return self._throttle.admit(record_key(record), sample)


class FastStreamHandler(PipelineHandler, logging.StreamHandler):  # type: ignore[type-arg]
    """FastStream gives its loggers their own stdout/stderr handlers and stops them propagating, unless
    it finds a stream handler on stdout already: this one passes that check and feeds the pipeline."""

    @property
    def stream(self) -> TextIO:
        return sys.stdout

    @stream.setter
    def stream(self, _value: object) -> None:
        pass
