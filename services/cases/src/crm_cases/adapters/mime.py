"""Reads a raw RFC 5322 message into an `InboundMail` with the standard library's modern API.

Nothing here may raise on hostile or broken input: malformed MIME, unknown charsets, raw 8-bit headers
and missing headers are all met in real mail. A message with no usable sender is `UnusableMail`.
"""

import email
import inspect
import re
from dataclasses import replace
from email.errors import InvalidHeaderDefect
from email.message import EmailMessage, Message
from email.policy import default
from email.utils import getaddresses

from crm_cases.adapters import intake_mime_body as body
from crm_cases.adapters import intake_mime_parts as parts
from crm_cases.adapters.intake_reply import split_reply
from crm_cases.domain import mail_text
from crm_cases.domain.mail import (
    NULL_SENDER,
    SIGNAL_HEADERS,
    SUBJECT_MAX,
    InboundMail,
    MailKind,
    UnusableMail,
    classify,
    is_daemon,
)

HEADER_MAX = 16_000  # a 200 KB subject is cut before parsing, not after
REFERENCES_MAX = 50
RECIPIENTS_MAX = 100
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
_MESSAGE_ID = re.compile(r"<([!-;=?-~]{1,250})>")  # printable ASCII without < and >
_BARE_ID = re.compile(r"[!-;=?-~]{1,250}@[!-;=?-~]{1,250}")
_ANGLE_ADDR = re.compile(r"<\s*([^<>\s]+@[^<>\s]+)\s*>")
_EMPTY_ANGLE = re.compile(r"<\s*>")
# CVE-2023-27043: Pythons with the fix parse addresses strictly when asked; older ones are checked here.
_STRICT = "strict" in inspect.signature(getaddresses).parameters


def parse_mail(raw: bytes, *, attachment_max_bytes: int = ATTACHMENT_MAX_BYTES) -> InboundMail | UnusableMail:
    try:
        return _read(email.message_from_bytes(raw, policy=default), attachment_max_bytes)
    except Exception as exc:  # kept as quarantined with the reason; the intake goes on
        return UnusableMail(f"unparseable message ({type(exc).__name__})")


def _read(message: EmailMessage, attachment_max_bytes: int) -> InboundMail | UnusableMail:
    message_id = next(iter(_ids(_header(message, "message-id"))), None)
    sender = _sender(message)
    if sender is None:
        return UnusableMail("no usable sender address in From", message_id)
    present = ((name, _header(message, name)) for name in SIGNAL_HEADERS)
    headers = {name: _decoded(name, value) for name, value in present if value is not None}
    text = body.body_text(message)
    new_text, quoted = split_reply(text)
    mail = InboundMail(
        sender_email=sender[0],
        sender_name=sender[1],
        subject=" ".join(_decoded("subject", _header(message, "subject") or "").split())[:SUBJECT_MAX],
        text=new_text,
        quoted=quoted,
        html=body.body_html(message),
        message_id=message_id,
        in_reply_to=_ids(_header(message, "in-reply-to")),
        references=_ids(_header(message, "references"))[-REFERENCES_MAX:],
        to=_recipients(message, "to"),
        cc=_recipients(message, "cc"),
        content_type=message.get_content_type(),
        report_type=_report_type(message),
        part_types=frozenset(body.part_types(message)),
        headers=headers,
        flags=parts.defects(message) + _long_headers(message),
    )
    return mail_text.storable(_with_parts(message, mail, text, attachment_max_bytes))


def _with_parts(message: EmailMessage, mail: InboundMail, text: str, max_bytes: int) -> InboundMail:
    """Attachments of a customer's mail; the returned message's ids and recipients of a bounce."""
    if classify(mail).kind is MailKind.BOUNCE:
        return replace(mail, report=parts.delivery_report(message, text))
    bodies = (body.body_part(message, "plain"), body.body_part(message, "html"))
    files, dropped = parts.attachments(message, bodies, max_bytes)
    return replace(mail, attachments=files, flags=mail.flags + dropped)


# Headers ---------------------------------------------------------------------------------------------


def _header(message: Message, name: str) -> str | None:
    """First raw value of a header, unfolded, with raw 8-bit bytes decoded instead of escaped."""
    for key, value in message.raw_items():
        if key.lower() == name:
            return body.unescape("".join(str(value).splitlines()))[:HEADER_MAX]
    return None


def _long_headers(message: Message) -> tuple[str, ...]:
    too_long = {key for key, value in message.raw_items() if len(str(value)) > HEADER_MAX}
    return tuple(f"header truncated: {key}" for key in sorted(too_long))


def _decoded(name: str, value: str) -> str:
    """RFC 2047 encoded words decoded by the header registry; unknown charsets do not stop it."""
    try:
        return body.unescape(str(default.header_factory(name, value)))
    except Exception:
        return value


def _ids(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    found = [f"<{m}>" for m in _MESSAGE_ID.findall(value)]
    if not found and _BARE_ID.fullmatch(value.strip()):  # some clients drop the angle brackets
        found = [f"<{value.strip()}>"]
    return tuple(dict.fromkeys(found))


def _recipients(message: Message, name: str) -> tuple[str, ...]:
    value = _header(message, name)
    return tuple(dict.fromkeys(a for a, _ in _mailboxes(value)))[:RECIPIENTS_MAX] if value else ()


def _sender(message: Message) -> tuple[str, str | None] | None:
    """The first valid mailbox of From (or of Sender, when From has none), else the mail system
    itself (NULL_SENDER) when From names it."""
    for name in ("from", "sender"):
        value = _header(message, name)
        mailboxes = _mailboxes(value) if value else []
        if mailboxes:
            return mailboxes[0]
        if value and (null := _null_sender(value)) is not None:
            return null
    return None


def _null_sender(value: str) -> tuple[str, str | None] | None:
    """`<>` (the null reverse path copied into From, RFC 5321 4.5.5), with or without a display name
    (`MAILER DAEMON <>`, `"Mail Delivery System" <>`), or a bare `MAILER-DAEMON` without a domain."""
    try:
        addresses = default.header_factory("from", value).addresses
    except Exception:
        return None
    if len(addresses) != 1:
        return None
    found = addresses[0]
    empty = _EMPTY_ANGLE.search(value) is not None and not found.username  # not `<ann@>`: the same to it
    daemon = not found.domain and is_daemon(found.username)
    return (NULL_SENDER, _name(found.display_name)) if empty or daemon else None


def _mailboxes(value: str) -> list[tuple[str, str | None]]:
    """Strict address parsing: a header the RFC 5322 parser (or, where this Python has it,
    `getaddresses(strict=True)`) finds invalid is trusted only for one unambiguous `<angle address>`,
    never for the text around it (`alice@example.com <bob@example.com>` is bob)."""
    try:
        header = default.header_factory("from", value)
        found = [(a.addr_spec, a.display_name) for a in getattr(header, "addresses", ())]
        invalid = any(isinstance(d, InvalidHeaderDefect) for d in header.defects) or _strict_refuses(value)
    except Exception:
        found, invalid = [], True
    if invalid:
        angle = _ANGLE_ADDR.findall(value)
        if len(angle) != 1:
            return []
        found = [(angle[0], next((n for a, n in found if a == angle[0]), None))]
    unescaped = ((body.unescape(a), n) for a, n in found)
    return [(a.lower(), _name(n)) for a, n in unescaped if mail_text.valid_address(a)]


def _strict_refuses(value: str) -> bool:
    if not _STRICT:
        return False
    return getaddresses([value], strict=True) == [("", "")]  # type: ignore[call-arg,unused-ignore]


def _name(display_name: str | None) -> str | None:
    return " ".join(body.unescape(display_name or "").split())[:255] or None


def _report_type(message: Message) -> str | None:
    params = getattr(message.get("content-type"), "params", {})
    value = params.get("report-type")
    return str(value).strip().lower() if value else None
