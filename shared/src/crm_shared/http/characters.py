"""Characters no text input may hold: refused at the edge, naming the field, before they reach a database.

Refused: the C0 control characters except tab, line feed and carriage return (NUL among them, which
PostgreSQL cannot store in text nor JSONB), DEL (never meaningful in text, and already dropped from CSV
exports), and unpaired surrogates (which a JSON `\\ud800` escape can produce, and which are not
encodable as UTF-8). Everything else, including other Unicode control and format characters, is text.
"""

import re
from collections.abc import Mapping

FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
FORBIDDEN_BYTES = re.compile(b"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
"""The same in UTF-8 (or Latin-1) bytes: these are single bytes that no multi-byte sequence contains."""
ERROR_TYPE = "forbidden_character"
MAX_NAME_CHARS = 100

FieldError = dict[str, str]


def forbidden_in(text: str) -> str | None:
    """Why `text` is refused (naming the first forbidden character), or None when it is acceptable."""
    found = FORBIDDEN.search(text)
    return None if found is None else _message(ord(found.group()))


def forbidden_in_bytes(data: bytes) -> str | None:
    found = FORBIDDEN_BYTES.search(data)
    return None if found is None else _message(found.group()[0])


def field_error(field: str, message: str, kind: str = ERROR_TYPE) -> FieldError:
    return {"field": field, "message": message, "type": kind}


def printable(name: str) -> str:
    """A name fit to quote back in an error: forbidden characters escaped, at most MAX_NAME_CHARS."""
    escaped = FORBIDDEN.sub(lambda m: f"\\u{ord(m.group()):04x}", name)
    return escaped if len(escaped) <= MAX_NAME_CHARS else escaped[:MAX_NAME_CHARS] + "..."


def cell_errors(cells: Mapping[str, str]) -> dict[str, str]:
    """{column: message} for each cell of an imported row that holds a forbidden character."""
    return {column: message for column, value in cells.items() if (message := forbidden_in(value))}


def _message(code: int) -> str:
    if 0xD800 <= code <= 0xDFFF:
        return f"contains an unpaired surrogate (U+{code:04X}), which is not text"
    return f"contains the control character U+{code:04X}; only text, tabs and line breaks are accepted"
