"""Which text of a mail may be stored and shown, field by field.

PostgreSQL refuses NUL in text and JSON, UTF-8 cannot hold a lone surrogate (what undecodable header
bytes become), and a control character in a one-line field breaks what shows it. Mail carries all of
these. The rule, by kind of field (the raw message itself is always kept byte for byte, as bytea):

- Identifiers that route and thread mail (addresses, Message-IDs, the mailbox) are never altered: one
  holding a control character is simply not valid. A From without a valid address leaves the mail
  without a usable sender (quarantined); an invalid recipient or returned Message-ID is dropped.
- One-line text (subject, display names, attachment file names and types, bounce diagnostics, the
  signal headers that reasons quote, parser flags): every control character and lone surrogate is
  replaced with U+FFFD, as undecodable bytes already are, so a reader sees that something was there.
- Multi-line text (the body, its quoted history, its sanitised HTML): the same, except tab, line feed
  and carriage return, which are layout.

A mail where anything was replaced carries a flag naming the fields, for the agents.
"""

import re
from dataclasses import replace

from crm_cases.domain.mail import DeliveryReport, InboundMail, MailAttachment

REPLACEMENT = "\ufffd"
CONTENT_TYPE_MAX = 255
_LINE_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_TEXT_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
# RFC 5321 mailboxes (UTF-8 allowed, RFC 6531), without any control character.
_ATOMS = r"[^\s@<>()\[\],;:\\\".\x00-\x1f\x7f\ud800-\udfff]+"
_LOCAL = re.compile(rf"(\"[^\"\\\x00-\x1f\x7f\ud800-\udfff]{{1,64}}\"|{_ATOMS}(\.{_ATOMS})*)")
_DOMAIN = re.compile(rf"{_ATOMS}(\.{_ATOMS})*")
_MESSAGE_ID = re.compile(r"<[!-;=?-~]{1,250}>")  # printable ASCII without < and >


def valid_address(address: str) -> bool:
    local, _, domain = address.rpartition("@")
    return (
        len(address) <= 254
        and len(local) <= 64
        and _LOCAL.fullmatch(local) is not None
        and _DOMAIN.fullmatch(domain) is not None
    )


def valid_message_id(message_id: str) -> bool:
    return _MESSAGE_ID.fullmatch(message_id) is not None


def line(text: str) -> str:
    """One-line text as it may be stored: control characters and lone surrogates replaced."""
    return _LINE_UNSAFE.sub(REPLACEMENT, text)


def text(value: str) -> str:
    """Multi-line text as it may be stored: the same, tab and line ends kept."""
    return _TEXT_UNSAFE.sub(REPLACEMENT, value)


def storable(mail: InboundMail) -> InboundMail:
    """The mail with every field storable by the rule above, flagged where something was replaced."""
    cleaned = replace(
        mail,
        sender_name=line(mail.sender_name) if mail.sender_name is not None else None,
        subject=line(mail.subject),
        text=text(mail.text),
        quoted=text(mail.quoted),
        html=text(mail.html) if mail.html is not None else None,
        headers={name: line(value) for name, value in mail.headers.items()},
        attachments=tuple(_attachment(a) for a in mail.attachments),
        report=_report(mail.report) if mail.report is not None else None,
    )
    changed = [name for name, before, after in _fields(mail, cleaned) if before != after]
    flags = tuple(line(f) for f in mail.flags)
    if changed:
        flags += (f"control characters replaced in {', '.join(changed)}",)
    return replace(cleaned, flags=flags)


def _attachment(part: MailAttachment) -> MailAttachment:
    return replace(
        part, filename=line(part.filename), content_type=line(part.content_type)[:CONTENT_TYPE_MAX]
    )


def _report(report: DeliveryReport) -> DeliveryReport:
    return replace(
        report,
        original_message_ids=tuple(i for i in report.original_message_ids if valid_message_id(i)),
        failed_recipients=tuple(a for a in report.failed_recipients if valid_address(a)),
        action=line(report.action) if report.action is not None else None,
        diagnostic=line(report.diagnostic) if report.diagnostic is not None else None,
    )


def _fields(before: InboundMail, after: InboundMail) -> list[tuple[str, object, object]]:
    """The fields people read, by the name the flag gives them."""
    return [
        ("sender name", before.sender_name, after.sender_name),
        ("subject", before.subject, after.subject),
        ("text", (before.text, before.quoted), (after.text, after.quoted)),
        ("HTML", before.html, after.html),
        ("headers", before.headers, after.headers),
        ("attachment names", before.attachments, after.attachments),
        ("delivery report", before.report, after.report),
    ]
