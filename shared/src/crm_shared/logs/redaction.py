"""Keeps secrets and message bodies out of logs: by the name of a field and by the look of a value.

Applied to every record, structlog's and the standard library's alike, and to the text of exceptions,
whose messages often quote a header or a URL.
"""

import functools
import re
from collections.abc import Mapping
from typing import Any

import structlog

REDACTED = "[redacted]"

# Any key containing one of these is a credential.
_SECRET_KEY_PARTS = (
    "password",
    "passwd",
    "secret",
    "token",
    "authorization",
    "cookie",
    "api_key",
    "apikey",
    "private_key",
    "credential",
    "signature",
    "session_id",
)
# Keys that hold what people wrote: mail bodies, notes, rendered text or HTML.
_BODY_KEYS = frozenset(
    {
        "body",
        "bodies",
        "text",
        "html",
        "text_body",
        "html_body",
        "body_text",
        "body_html",
        "plain",
        "note",
        "notes",
        "content",
        "message_body",
        "raw",
        "mime",
        "quoted",
        "comment",
    }
)

_JWT = r"eyJ[A-Za-z0-9_-]{6,}(?:\.[A-Za-z0-9_-]*){0,2}"
_SCHEME_CREDENTIALS = r"(?i:\b(?:bearer|basic|digest|token)\s+)[A-Za-z0-9._~+/=-]{6,}"
# `password=...`, `"token": "..."`, `Authorization: ...` inside free text (reprs, URLs, headers).
_NAMED_VALUE = (
    r"(?i:(?P<name>(?:password|passwd|secret|token|authorization|cookie|api[_-]?key)[\w-]*)"
    r"(?P<sep>['\"]?\s*[:=]\s*['\"]?))(?P<value>(?i:bearer\s+|basic\s+)?[^\s'\",;&}\]]+)"
)
_URL_PASSWORD = r"(?P<userinfo>://[^:/@\s]+):(?P<password>[^@/\s]+)@"  # noqa: S105 - a pattern
_PATTERN = re.compile(f"{_NAMED_VALUE}|{_URL_PASSWORD}|{_SCHEME_CREDENTIALS}|{_JWT}")


def _replace(match: re.Match[str]) -> str:
    if match.group("name") is not None:
        return f"{match.group('name')}{match.group('sep')}{REDACTED}"
    if match.group("userinfo") is not None:
        return f"{match.group('userinfo')}:{REDACTED}@"
    return REDACTED


_SHORTEST_MATCH = 7  # "token=x", "://u:p@"
# Every match contains one of these: plain substring tests rule most values out far faster than the regex.
_CUES = ("passw", "secret", "token", "authorization", "cookie", "api", "bearer", "basic", "digest")


def redact_text(text: str) -> str:
    """`text` with every credential-looking value replaced."""
    if len(text) < _SHORTEST_MATCH:
        return text
    if "eyJ" not in text and "://" not in text:
        lowered = text.lower()
        if not any(cue in lowered for cue in _CUES):
            return text
    return _PATTERN.sub(_replace, text)


@functools.lru_cache(maxsize=4096)  # field names are few: decided once each
def is_sensitive_key(key: str) -> bool:
    name = key.lower().replace("-", "_")
    return name in _BODY_KEYS or any(part in name for part in _SECRET_KEY_PARTS)


def redact_value(value: Any, depth: int = 0) -> Any:
    """Strings cleaned by pattern; mappings and sequences walked (not too deep), their keys checked."""
    if isinstance(value, str):
        return redact_text(value)
    if depth >= 4:
        return value
    if isinstance(value, Mapping):
        return {
            k: REDACTED if is_sensitive_key(str(k)) else redact_value(v, depth + 1) for k, v in value.items()
        }
    if isinstance(value, list | tuple | set | frozenset):
        return [redact_value(v, depth + 1) for v in value]
    return value


_KEPT_KEYS = frozenset({"event", "level", "timestamp", "service", "logger"})


def redact(_logger: object, _name: str, event_dict: structlog.typing.EventDict) -> structlog.typing.EventDict:
    """structlog processor: runs after exceptions are formatted, so their text is cleaned too."""
    for key in list(event_dict):
        if key not in _KEPT_KEYS and is_sensitive_key(key):
            event_dict[key] = REDACTED
        else:
            event_dict[key] = redact_value(event_dict[key])
    return event_dict
