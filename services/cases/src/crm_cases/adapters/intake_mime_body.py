"""The readable body of a parsed message: its text, its HTML (sanitised), decoded from any charset.

Broken multiparts (no boundary found) are read as the text they carry; unknown charsets fall back to
UTF-8 with replacement characters; nothing here raises on hostile input.
"""

import codecs
import re
from collections.abc import Iterator
from email.message import EmailMessage, Message

from crm_cases.adapters.html_text import html_to_text, sanitize_html
from crm_cases.domain.mail import BODY_MAX

MAX_DEPTH = 20
_NEWLINES = re.compile(r"\r\n?")


def unescape(text: str) -> str:
    """Raw bytes arrive as surrogate escapes: UTF-8 when they mostly are, else Windows-1252."""
    if not any("\udc80" <= c <= "\udcff" for c in text):
        return text
    try:
        data = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")
    as_utf8 = data.decode("utf-8", errors="replace")
    high_bytes = sum(b >= 0x80 for b in data)
    if as_utf8.count("\ufffd") * 4 < high_bytes:
        return as_utf8
    return data.decode("cp1252", errors="replace")


def body_text(message: EmailMessage) -> str:
    """The text part, else text from the HTML part (some clients send an empty text part)."""
    if broken_multipart(message):
        return _text_of(message)  # no boundary found: the payload is the text as sent
    for preference in ("plain", "html"):
        part = body_part(message, preference)
        text = _text_of(part) if part is not None else ""
        if text:
            return text[:BODY_MAX]
    return ""


def body_html(message: EmailMessage) -> str | None:
    """The HTML part, sanitised; None when the mail has none."""
    if broken_multipart(message):
        return None
    part = body_part(message, "html")
    if part is None or part.get_content_subtype() != "html":
        return None
    html = sanitize_html(part_text(part)[:BODY_MAX]).strip()
    return html or None


def _text_of(part: Message) -> str:
    text = _NEWLINES.sub("\n", part_text(part))
    return (html_to_text(text) if part.get_content_subtype() == "html" else text).strip()


def body_part(message: EmailMessage, preference: str) -> Message | None:
    try:
        return message.get_body(preferencelist=(preference,))
    except Exception:  # a broken part deeper down (or deep nesting): take the first readable leaf
        return next((p for p in leaves(message) if _readable(p)), None)


def broken_multipart(part: Message) -> bool:
    return part.get_content_maintype() == "multipart" and not isinstance(part.get_payload(), list)


def _readable(part: Message) -> bool:
    if part.get_content_disposition() == "attachment":
        return False
    return part.get_content_maintype() == "text" or broken_multipart(part)


def leaves(part: Message, depth: int = 0) -> Iterator[Message]:
    """Leaf parts, at most MAX_DEPTH multiparts down; attached messages are leaves."""
    payload = part.get_payload()
    if isinstance(payload, list) and part.get_content_maintype() == "multipart":
        if depth < MAX_DEPTH:
            for sub in payload:
                if isinstance(sub, Message):
                    yield from leaves(sub, depth + 1)
    else:
        yield part


def part_types(part: Message, depth: int = 0) -> Iterator[str]:
    """Content types of the message's parts, not looking inside attached messages."""
    yield part.get_content_type()
    payload = part.get_payload()
    if isinstance(payload, list) and part.get_content_maintype() == "multipart" and depth < MAX_DEPTH:
        for sub in payload:
            if isinstance(sub, Message):
                yield from part_types(sub, depth + 1)


def nesting_depth(part: Message, depth: int = 0) -> int:
    payload = part.get_payload()
    if not isinstance(payload, list) or depth > MAX_DEPTH:
        return depth
    subs = [s for s in payload if isinstance(s, Message)]
    return max((nesting_depth(s, depth + 1) for s in subs), default=depth)


def part_text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        raw = part.get_payload()
        return unescape(raw) if isinstance(raw, str) else ""
    charset = part.get_content_charset() or "utf-8"
    try:
        codec = codecs.lookup(charset).name
    except LookupError:  # an unknown charset name
        codec = "utf-8"
    return _decode(payload, "utf-8" if codec == "ascii" else codec)


def _decode(data: bytes, codec: str) -> str:
    """The declared charset; UTF-8 when the declared one fails and UTF-8 fits (a common mislabel)."""
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return data.decode(codec, errors="replace")
    except LookupError:  # a codec that is not a text encoding (base64, zlib...)
        return data.decode("utf-8", errors="replace")
