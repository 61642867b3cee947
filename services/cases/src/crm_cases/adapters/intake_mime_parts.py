"""Attachments, delivery reports and parser defects of a parsed message."""

import re
from collections.abc import Iterator
from email.message import EmailMessage, Message
from email.parser import HeaderParser
from email.policy import default

from crm_cases.adapters.intake_mime_body import MAX_DEPTH, leaves, nesting_depth, part_text
from crm_cases.domain.mail import DeliveryReport, MailAttachment

# Signatures of signed mail are not the customer's files.
_NOT_ATTACHMENTS = frozenset({"application/pgp-signature", "application/pkcs7-signature"})
_MESSAGE_ID = re.compile(r"<([!-;=?-~]{1,250})>")
_TEXT_MESSAGE_ID = re.compile(r"^\s*Message-ID:\s*(<[^>\s]{1,250}>)", re.IGNORECASE | re.MULTILINE)
_RECIPIENT = re.compile(r"^[^;]*;\s*(.+)$")


def attachments(
    message: EmailMessage, bodies: tuple[Message | None, ...], max_bytes: int
) -> tuple[tuple[MailAttachment, ...], tuple[str, ...]]:
    """The files of the mail (not its body parts), and a flag per file dropped for its size."""
    kept: list[MailAttachment] = []
    flags: list[str] = []
    for part in leaves(message):
        if any(part is body for body in bodies) or not _is_file(part):
            continue
        content = _content(part)
        filename = _filename(part)
        if len(content) > max_bytes:
            flags.append(f"attachment dropped ({filename}, {len(content)} bytes)")
            continue
        kept.append(
            MailAttachment(
                filename=filename,
                content_type=part.get_content_type(),
                size=len(content),
                content=content,
                inline=part.get_content_disposition() == "inline",
                content_id=(str(part.get("content-id") or "").strip("<> ") or None),
            )
        )
    return tuple(kept), tuple(flags)


def _is_file(part: Message) -> bool:
    if part.get_content_type() in _NOT_ATTACHMENTS or part.get_content_maintype() == "multipart":
        return False
    if part.get_content_disposition() == "attachment" or part.get_filename():
        return True
    return part.get_content_maintype() not in ("text",) and part.get_content_type() not in (
        "message/delivery-status",
        "message/disposition-notification",
        "message/feedback-report",
    )


def _content(part: Message) -> bytes:
    try:
        if part.get_content_maintype() == "message":
            inner = part.get_payload()
            if isinstance(inner, list) and inner and isinstance(inner[0], Message):
                return inner[0].as_bytes(policy=default)
        payload = part.get_payload(decode=True)
        return payload if isinstance(payload, bytes) else b""
    except Exception:  # an undecodable part is still listed, empty
        return b""


def _filename(part: Message) -> str:
    try:
        name = part.get_filename()
    except Exception:
        name = None
    if name:
        return " ".join(str(name).split())[:255]
    return "message.eml" if part.get_content_maintype() == "message" else "attachment"


def delivery_report(message: EmailMessage, text: str) -> DeliveryReport:
    """The returned message's ids and the failed recipients, from the structured report (RFC 3464)
    when there is one, else from the text of the bounce."""
    ids: list[str] = []
    recipients: list[str] = []
    action = diagnostic = None
    for part in leaves(message):
        kind = part.get_content_type()
        if kind == "message/delivery-status":
            for fields in _status_blocks(part):
                if recipient := _recipient(fields.get("final-recipient") or fields.get("original-recipient")):
                    recipients.append(recipient)
                    action = (fields.get("action") or action or "").strip().lower() or None
                    diagnostic = fields.get("diagnostic-code") or diagnostic
        elif kind in ("message/rfc822", "text/rfc822-headers"):
            ids.extend(_returned_ids(part))
    failed = message.get("x-failed-recipients")
    if failed:
        recipients.extend(a.strip().lower() for a in str(failed).split(",") if "@" in a)
    ids = ids or _TEXT_MESSAGE_ID.findall(text)
    return DeliveryReport(
        original_message_ids=tuple(dict.fromkeys(ids)),
        failed_recipients=tuple(dict.fromkeys(recipients)),
        action=action,
        diagnostic=" ".join(str(diagnostic).split())[:500] if diagnostic else None,
    )


def _status_blocks(part: Message) -> Iterator[Message]:
    payload = part.get_payload()
    if isinstance(payload, list):
        yield from (p for p in payload if isinstance(p, Message))
    elif isinstance(payload, str):  # a report the parser left as text: its blank-line separated blocks
        for block in payload.split("\n\n"):
            yield HeaderParser().parsestr(block.strip() + "\n")


def _recipient(value: str | None) -> str | None:
    found = _RECIPIENT.match(str(value or "").strip())
    address = (found.group(1) if found else "").strip().strip("<>").lower()
    return address if "@" in address and len(address) <= 254 else None


def _returned_ids(part: Message) -> list[str]:
    if part.get_content_type() == "text/rfc822-headers":
        headers: Message = HeaderParser().parsestr(part_text(part))
    else:
        inner = part.get_payload()
        if not (isinstance(inner, list) and inner and isinstance(inner[0], Message)):
            return []
        headers = inner[0]
    return [f"<{m}>" for m in _MESSAGE_ID.findall(str(headers.get("message-id") or ""))]


def defects(message: Message) -> tuple[str, ...]:
    """Problems the parser met and worked around, as flags kept with the message."""
    found: list[str] = []
    stack: list[tuple[Message, int]] = [(message, 0)]
    while stack and len(found) < 20:
        part, depth = stack.pop()
        found.extend(type(d).__name__ for d in getattr(part, "defects", ()))
        payload = part.get_payload()
        if isinstance(payload, list) and depth < MAX_DEPTH:
            stack.extend((p, depth + 1) for p in payload if isinstance(p, Message))
    if nesting_depth(message) > MAX_DEPTH:
        found.append(f"nesting deeper than {MAX_DEPTH} parts")
    return tuple(f"defect: {name}" for name in dict.fromkeys(found))
