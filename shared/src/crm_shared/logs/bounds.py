"""Every record stays small and cheap to render: tracebacks without locals and with few frames, long
values cut in the middle, and a last guard on the rendered size."""

import datetime
import decimal
import enum
import reprlib
import sys
import traceback
import uuid
from collections.abc import Mapping
from pathlib import PurePath
from types import TracebackType
from typing import Any

import structlog

MAX_FRAMES = 12
"""Innermost frames kept per exception of a chain: where it failed, not the whole framework stack."""
MAX_EXCEPTION_CHARS = 8_000
MAX_VALUE_CHARS = 1_000
MAX_ITEMS = 20
_PRIMITIVES = (bool, int, float, type(None))
_AS_TEXT = (uuid.UUID, decimal.Decimal, datetime.date, datetime.time, enum.Enum, PurePath)
"""Values whose text is what a reader wants (an id, an amount, a date), not their repr."""
_ESSENTIAL = ("timestamp", "level", "service", "logger", "event", "repeated")

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]

_repr = reprlib.Repr()
_repr.maxstring = MAX_VALUE_CHARS
_repr.maxother = MAX_VALUE_CHARS
_repr.maxlist = _repr.maxtuple = _repr.maxset = _repr.maxdict = MAX_ITEMS


def cut_middle(text: str, limit: int) -> str:
    """`text` if short enough, else its head and tail around a marker, cut at whitespace so that no
    credential is split into a piece the redaction would no longer recognise."""
    if len(text) <= limit:
        return text
    half = max(limit // 2 - 40, 0)
    head, tail = text[:half], text[len(text) - half :]
    space = max(head.rfind(" "), head.rfind("\n"))
    head = head[:space] if space > 0 else head
    starts = [i for i in (tail.find(" "), tail.find("\n")) if i >= 0]
    tail = tail[min(starts) + 1 :] if starts else ""  # no whitespace: the tail may be a token's end
    return f"{head} [... {len(text) - len(head) - len(tail)} characters cut ...] {tail}"


def format_exception(exc_info: ExcInfo, limit: int = MAX_EXCEPTION_CHARS) -> str:
    """The traceback as the standard library prints it, never with local variables, innermost frames
    only, at most `limit` characters."""
    exc_type, exc, tb = exc_info
    try:
        rendered = traceback.TracebackException(
            exc_type, exc, tb, limit=-MAX_FRAMES, capture_locals=False, compact=True
        ).format()
        # Each line is cut on its own first: an exception message can be megabytes long.
        text = "".join(line if len(line) <= limit else cut_middle(line, limit) + "\n" for line in rendered)
    except Exception as failure:  # a broken __str__ must not take logging down
        text = f"{exc_type.__name__}: <unprintable: {type(failure).__name__}>"
    return cut_middle(text.rstrip("\n"), limit)


def _exc_info(value: Any) -> ExcInfo | None:
    if isinstance(value, BaseException):
        return type(value), value, value.__traceback__
    if isinstance(value, tuple) and len(value) == 3 and value[0] is not None:
        return value
    if value is True:
        current = sys.exc_info()
        return current if current[0] is not None else None
    return None


def exceptions_as_text(
    _logger: object, _name: str, event_dict: structlog.typing.EventDict
) -> structlog.typing.EventDict:
    """structlog processor replacing `exc_info` with a bounded `exception` text."""
    info = _exc_info(event_dict.pop("exc_info", None))
    if info is not None:
        event_dict["exception"] = format_exception(info)
    stack = event_dict.pop("stack_info", None)
    if isinstance(stack, str):
        event_dict["stack"] = cut_middle(stack, MAX_EXCEPTION_CHARS)
    return event_dict


def bound_value(value: Any, depth: int = 0) -> Any:
    """JSON-friendly and small: long strings cut, containers shortened, other objects as short reprs."""
    if type(value) is str:  # the common case first
        return value if len(value) <= MAX_VALUE_CHARS else cut_middle(value, MAX_VALUE_CHARS)
    if isinstance(value, _PRIMITIVES):
        return value
    if isinstance(value, (str, *_AS_TEXT)):
        return cut_middle(_text(value), MAX_VALUE_CHARS)
    if depth < 3 and isinstance(value, Mapping):
        items = list(value.items())[:MAX_ITEMS]
        return {str(k)[:100]: bound_value(v, depth + 1) for k, v in items}
    if depth < 3 and isinstance(value, list | tuple | set | frozenset):
        return [bound_value(v, depth + 1) for v in list(value)[:MAX_ITEMS]]
    return _short_repr(value)


def _text(value: Any) -> str:
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value.value if isinstance(value, enum.Enum) else value)


def _short_repr(value: Any) -> str:
    try:
        return cut_middle(_repr.repr(value), MAX_VALUE_CHARS)
    except Exception as failure:
        return f"<unprintable {type(value).__name__}: {type(failure).__name__}>"


def bound_fields(
    _logger: object, _name: str, event_dict: structlog.typing.EventDict
) -> structlog.typing.EventDict:
    for key in list(event_dict):
        if key not in ("exception", "stack"):
            event_dict[key] = bound_value(event_dict[key])
    return event_dict


class BoundedRenderer:
    """Wraps the final renderer: a record rendered over `max_bytes` is rendered again with only its
    essential fields and a shortened exception, so one error is always one bounded record."""

    def __init__(self, renderer: structlog.typing.Processor, max_bytes: int) -> None:
        self._renderer = renderer
        self._max_bytes = max_bytes

    def __call__(self, logger: Any, name: str, event_dict: structlog.typing.EventDict) -> str:
        rendered = str(self._renderer(logger, name, dict(event_dict)))
        if len(rendered.encode()) <= self._max_bytes:
            return rendered
        small = {k: event_dict[k] for k in _ESSENTIAL if k in event_dict}
        small["truncated"] = True
        if "exception" in event_dict:
            small["exception"] = cut_middle(str(event_dict["exception"]), self._max_bytes // 2)
        rendered = str(self._renderer(logger, name, small))
        encoded = rendered.encode()
        if len(encoded) <= self._max_bytes:
            return rendered
        return encoded[: self._max_bytes].decode(errors="ignore")  # already redacted: a plain cut is safe
