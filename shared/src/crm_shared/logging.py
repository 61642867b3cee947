"""structlog set-up: JSON in production, console in development; context vars carry ids per request/event.

Whatever the format, a record is redacted (no secrets, tokens or message bodies), bounded (tracebacks
without locals, innermost frames, at most `CRM_LOG_MAX_RECORD_BYTES`), rendered in the caller and written
by a background thread, so logging never blocks the event loop. Repeated warnings and errors, ours and
the libraries', are written once per `CRM_LOG_REPEAT_INTERVAL_S` with a count.
"""

import logging
import sys
from typing import Any, Literal

import structlog

from crm_shared.logs import writer
from crm_shared.logs.bounds import BoundedRenderer, bound_fields, exceptions_as_text
from crm_shared.logs.redaction import redact
from crm_shared.logs.stdlib import FastStreamHandler, PipelineHandler, RecordRenderer
from crm_shared.logs.throttle import Held, RepeatThrottle, ThrottleProcessor
from crm_shared.logs.writer import flush_logs
from crm_shared.settings import LogSettings

__all__ = ["configure_logging", "flush_logs"]

# FastStream's loggers write on their own handlers unless given one (see FastStreamHandler).
_FASTSTREAM_LOGGERS = ("faststream", "faststream.access.kafka")


def configure_logging(
    *,
    service: str,
    log_format: Literal["json", "console"],
    level: str = "INFO",
    options: LogSettings | None = None,
) -> None:
    options = options or LogSettings()
    chain = _chain(service, log_format, options.max_record_bytes)
    throttle = RepeatThrottle(options.repeat_interval_s)
    _install_writer(options.queue_size, chain, throttle)
    structlog.configure(
        processors=[ThrottleProcessor(throttle), *chain],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=_PipelineLogger,
        cache_logger_on_first_use=True,
    )
    records = RecordRenderer(chain)
    root = logging.getLogger()
    root.handlers[:] = [PipelineHandler(records, throttle, _submit)]
    root.setLevel(logging.WARNING)
    logging.captureWarnings(True)  # Python warnings too: else they go to stderr, unthrottled, in-line
    for name in _FASTSTREAM_LOGGERS:
        logging.getLogger(name).handlers[:] = [FastStreamHandler(records, throttle, _submit)]


def _chain(
    service: str, log_format: Literal["json", "console"], max_bytes: int
) -> list[structlog.typing.Processor]:
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer()
        if log_format == "json"
        else structlog.dev.ConsoleRenderer(
            colors=sys.stderr.isatty(), exception_formatter=structlog.dev.plain_traceback
        )
    )
    return [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _add_service(service),
        exceptions_as_text,  # before redaction, so exception messages are redacted too
        bound_fields,
        redact,
        BoundedRenderer(renderer, max_bytes),
    ]


def _install_writer(capacity: int, chain: list[structlog.typing.Processor], throttle: RepeatThrottle) -> None:
    def render(method: str, **event_dict: Any) -> str:
        rendered: Any = event_dict
        for processor in chain:
            rendered = processor(None, method, rendered)
        return str(rendered)

    def notice(dropped: int) -> str:
        return render("warning", event="log.dropped", count=dropped, reason="log queue full")

    def held(report: Held) -> str:
        sample = report.sample
        return render(
            str(sample["level"]),
            event="log.repeated",
            repeated_event=sample["event"],
            logger=sample.get("logger"),
            count=report.count,
            interval_s=throttle.interval_s,
        )

    def housekeeping(everything: bool) -> list[str]:
        return [held(report) for report in throttle.ended(everything)]

    current = writer.current()
    if current is not None and current.capacity == capacity:
        current.flush()  # counts held by the previous throttle are reported first
        current.retarget(notice, housekeeping)
    else:
        writer.install(writer.BackgroundWriter(capacity, notice, housekeeping))


def _submit(line: str) -> None:
    current = writer.current()
    if current is not None:
        current.submit(line)
    else:
        print(line, file=sys.stderr, flush=True)


def _add_service(service: str) -> structlog.typing.Processor:
    def processor(
        _logger: object, _name: str, event_dict: structlog.typing.EventDict
    ) -> structlog.typing.EventDict:
        event_dict.setdefault("service", service)
        return event_dict

    return processor


class _PipelineLogger:
    """structlog's output: hands the rendered line to the background writer."""

    def __init__(self, *_args: object) -> None:
        pass

    def msg(self, message: str) -> None:
        _submit(message)

    log = debug = info = warn = warning = error = critical = exception = fatal = msg
