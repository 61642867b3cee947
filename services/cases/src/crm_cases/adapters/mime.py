"""Reads a raw RFC 5322 message into an `InboundMail` with the standard library's modern API.

Nothing here may raise on hostile or broken input: malformed MIME, unknown charsets, raw 8-bit headers
and missing headers are all met in real mail. A message with no usable sender is `UnusableMail`.
"""

import codecs
import email
import re
from collections.abc import Iterator
from email.errors import InvalidHeaderDefect
from email.message import EmailMessage, Message
from email.policy import default

from crm_cases.adapters.html_text import html_to_text
from crm_cases.domain.mail import BODY_MAX, SIGNAL_HEADERS, SUBJECT_MAX, InboundMail, UnusableMail

HEADER_MAX = 16_000  # a 200 KB subject is cut before parsing, not after
REFERENCES_MAX = 50
MAX_DEPTH = 20
_MESSAGE_ID = re.compile(r"<([!-;=?-~]{1,250})>")  # printable ASCII without < and >
_BARE_ID = re.compile(r"[!-;=?-~]{1,250}@[!-;=?-~]{1,250}")
_NEWLINES = re.compile(r"\r\n?")
_ANGLE_ADDR = re.compile(r"<\s*([^<>\s]+@[^<>\s]+)\s*>")
_ATOMS = r"[^\s@<>()\[\],;:\\\".]+"
_LOCAL = re.compile(rf"(\"[^\"\\\r\n]{{1,64}}\"|{_ATOMS}(\.{_ATOMS})*)")
_DOMAIN = re.compile(rf"{_ATOMS}(\.{_ATOMS})*")


def parse_mail(raw: bytes) -> InboundMail | UnusableMail:
    try:
        return _read(email.message_from_bytes(raw, policy=default))
    except Exception as exc:  # recorded as rejected with the reason; the intake goes on
        return UnusableMail(f"unparseable message ({type(exc).__name__})")


def _read(message: EmailMessage) -> InboundMail | UnusableMail:
    message_id = next(iter(_ids(_header(message, "message-id"))), None)
    sender = _sender(message)
    if sender is None:
        return UnusableMail("no usable sender address in From", message_id)
    present = ((name, _header(message, name)) for name in SIGNAL_HEADERS)
    headers = {name: _decoded(name, value) for name, value in present if value is not None}
    return InboundMail(
        sender_email=sender[0],
        sender_name=sender[1],
        subject=" ".join(_decoded("subject", _header(message, "subject") or "").split())[:SUBJECT_MAX],
        text=_body(message)[:BODY_MAX],
        message_id=message_id,
        in_reply_to=_ids(_header(message, "in-reply-to")),
        references=_ids(_header(message, "references"))[-REFERENCES_MAX:],
        content_type=message.get_content_type(),
        report_type=_report_type(message),
        part_types=frozenset(_part_types(message)),
        headers=headers,
    )


# Headers ---------------------------------------------------------------------------------------------


def _header(message: Message, name: str) -> str | None:
    """First raw value of a header, unfolded, with raw 8-bit bytes decoded instead of escaped."""
    for key, value in message.raw_items():
        if key.lower() == name:
            return _unescape("".join(str(value).splitlines()))[:HEADER_MAX]
    return None


def _decoded(name: str, value: str) -> str:
    """RFC 2047 encoded words decoded by the header registry; unknown charsets do not stop it."""
    try:
        return _unescape(str(default.header_factory(name, value)))
    except Exception:
        return value


def _unescape(text: str) -> str:
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


def _ids(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    found = [f"<{m}>" for m in _MESSAGE_ID.findall(value)]
    if not found and _BARE_ID.fullmatch(value.strip()):  # some clients drop the angle brackets
        found = [f"<{value.strip()}>"]
    return tuple(dict.fromkeys(found))


def _sender(message: Message) -> tuple[str, str | None] | None:
    """The first valid mailbox of From (or of Sender, when From has none)."""
    for name in ("from", "sender"):
        value = _header(message, name)
        mailboxes = _mailboxes(value) if value else []
        if mailboxes:
            return mailboxes[0]
    return None


def _mailboxes(value: str) -> list[tuple[str, str | None]]:
    """Strict address parsing (this Python's `getaddresses` has no `strict=`): a header the RFC 5322
    parser finds invalid is trusted only for one unambiguous `<angle address>`, never for the text
    around it (`alice@example.com <bob@example.com>` is bob)."""
    try:
        header = default.header_factory("from", value)
        found = [(a.addr_spec, a.display_name) for a in getattr(header, "addresses", ())]
        invalid = any(isinstance(d, InvalidHeaderDefect) for d in header.defects)
    except Exception:
        found, invalid = [], True
    if invalid:
        angle = _ANGLE_ADDR.findall(value)
        if len(angle) != 1:
            return []
        found = [(angle[0], next((n for a, n in found if a == angle[0]), None))]
    return [(_unescape(a).lower(), _name(n)) for a, n in found if _valid_address(_unescape(a))]


def _valid_address(address: str) -> bool:
    local, _, domain = address.rpartition("@")
    return (
        len(address) <= 254
        and _LOCAL.fullmatch(local) is not None
        and _DOMAIN.fullmatch(domain) is not None
        and len(local) <= 64
    )


def _name(display_name: str | None) -> str | None:
    return " ".join(_unescape(display_name or "").split())[:255] or None


def _report_type(message: Message) -> str | None:
    params = getattr(message.get("content-type"), "params", {})
    value = params.get("report-type")
    return str(value).strip().lower() if value else None


# Body ------------------------------------------------------------------------------------------------


def _body(message: EmailMessage) -> str:
    """The text part, else text from the HTML part (some clients send an empty text part)."""
    if _broken_multipart(message):
        return _text_of(message)  # no boundary found: the payload is the text as sent
    for preference in ("plain", "html"):
        part = _body_part(message, preference)
        text = _text_of(part) if part is not None else ""
        if text:
            return text
    return ""


def _text_of(part: Message) -> str:
    text = _NEWLINES.sub("\n", _part_text(part))
    return (html_to_text(text) if part.get_content_subtype() == "html" else text).strip()


def _body_part(message: EmailMessage, preference: str) -> Message | None:
    try:
        return message.get_body(preferencelist=(preference,))
    except Exception:  # a broken part deeper down: take the first readable leaf
        return next((p for p in _leaves(message) if _readable(p)), None)


def _broken_multipart(part: Message) -> bool:
    return part.get_content_maintype() == "multipart" and not isinstance(part.get_payload(), list)


def _readable(part: Message) -> bool:
    if part.get_content_disposition() == "attachment":
        return False
    return part.get_content_maintype() == "text" or _broken_multipart(part)


def _leaves(part: Message, depth: int = 0) -> Iterator[Message]:
    payload = part.get_payload()
    if isinstance(payload, list) and part.get_content_maintype() == "multipart" and depth < MAX_DEPTH:
        for sub in payload:
            if isinstance(sub, Message):
                yield from _leaves(sub, depth + 1)
    else:
        yield part


def _part_types(part: Message, depth: int = 0) -> Iterator[str]:
    """Content types of the message's parts, not looking inside attached messages."""
    yield part.get_content_type()
    payload = part.get_payload()
    if isinstance(payload, list) and part.get_content_maintype() == "multipart" and depth < MAX_DEPTH:
        for sub in payload:
            if isinstance(sub, Message):
                yield from _part_types(sub, depth + 1)


def _part_text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        raw = part.get_payload()
        return _unescape(raw) if isinstance(raw, str) else ""
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
