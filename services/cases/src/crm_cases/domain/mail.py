"""Inbound mail as the intake sees it, and the rules applied to it: which mail is a customer's, which
is a machine's (auto-replies, bounces, receipts: never a case, never an acknowledgement), how a reply
names the case it belongs to, and which language the customer writes in."""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from uuid import UUID

SUBJECT_MAX = 500
BODY_MAX = 200_000
NULL_SENDER = ""
"""The sender of a notice from the mail system itself, whose From names no mailbox: `<>` with or
without a display name (`MAILER DAEMON <>`, `"Mail Delivery System" <>`), or a bare `MAILER-DAEMON`."""

# Headers the classification reads (lower-case names).
SIGNAL_HEADERS = (
    "auto-submitted",
    "precedence",
    "x-autoreply",
    "x-autorespond",
    "x-auto-response-suppress",
    "x-loop",
    "x-apple-action",
    "x-failed-recipients",
    "return-path",
    "content-language",
)


class MailKind(StrEnum):
    CUSTOMER = "customer"
    AUTO_REPLY = "auto_reply"
    BOUNCE = "bounce"
    """Delivery reports and other machine reports (read receipts, abuse feedback)."""


@dataclass(frozen=True)
class MailAttachment:
    filename: str
    content_type: str
    size: int
    content: bytes = b""
    inline: bool = False
    content_id: str | None = None


@dataclass(frozen=True)
class DeliveryReport:
    """What a bounce says about the mail it returns: which message, to whom it failed, and why."""

    original_message_ids: tuple[str, ...] = ()
    failed_recipients: tuple[str, ...] = ()
    action: str | None = None
    """`failed`, `delayed`... (RFC 3464); None for a text bounce."""
    diagnostic: str | None = None

    @property
    def permanent(self) -> bool:
        return self.action in (None, "failed")


@dataclass(frozen=True)
class InboundMail:
    sender_email: str
    """A valid address, or NULL_SENDER for the mail system (such mail is never a customer's)."""
    sender_name: str | None
    subject: str
    text: str
    message_id: str | None = None
    in_reply_to: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    content_type: str = "text/plain"
    report_type: str | None = None
    part_types: frozenset[str] = frozenset()
    headers: Mapping[str, str] = field(default_factory=dict)
    """First value of each of SIGNAL_HEADERS present, decoded."""
    html: str | None = None
    """Sanitised HTML body, when the mail has one."""
    quoted: str = ""
    """Quoted history and signature, separated from `text` (the new text)."""
    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    attachments: tuple[MailAttachment, ...] = ()
    flags: tuple[str, ...] = ()
    """Parsing problems worth a look (defects, dropped attachments), kept with the message."""
    report: DeliveryReport | None = None
    """The returned message and failed recipients, when the mail is a delivery report."""


@dataclass(frozen=True)
class UnusableMail:
    """A message that cannot become a case message: kept with the reason, for inspection."""

    reason: str
    message_id: str | None = None


@dataclass(frozen=True)
class Verdict:
    kind: MailKind
    reason: str | None = None


_DAEMONS = frozenset({"mailer-daemon", "mailer_daemon", "mailerdaemon"})
_BOUNCE_SUBJECT = re.compile(
    r"undeliver|undelivered|delivery (status notification|failure|has failed)|mail delivery failed"
    r"|returned mail|failure notice|non[- ]?delivery|bounce notification|could not send",
    re.IGNORECASE,
)
_AUTO_REPLY_SUBJECT = re.compile(
    r"^\s*(out of (the )?office|absen(ce|te?)(\s*\(e\))?\s*(:|du bureau|jusqu)|automatic reply"
    r"|auto[- ]?reply|autoreply|auto[- ]?respon|r[ée]ponse automatique|abwesenheitsnotiz"
    r"|automatische antwort|vacation reply|on vacation|away from (the )?office|i am (currently )?away"
    r"|en cong[ée]s?\b|je suis absente?|message d'absence|abwesenheit|nicht im b[üu]ro"
    r"|urlaubsabwesenheit|ich bin (derzeit )?nicht)",
    re.IGNORECASE,
)
_BULK_PRECEDENCE = frozenset({"bulk", "junk", "list", "auto_reply"})
_REPORTS = {
    "message/delivery-status": "delivery status notification",
    "message/disposition-notification": "read receipt (disposition notification)",
    "message/feedback-report": "abuse feedback report",
}


def classify(
    mail: InboundMail,
    *,
    envelope_sender: str | None = None,
    system_addresses: frozenset[str] = frozenset(),
) -> Verdict:
    """Machine mail never opens a case nor gets an answer (mail loops); the strongest signal wins."""
    return (
        _report(mail)
        or _own(mail, system_addresses)
        or _daemon(mail)
        or _auto_reply(mail)
        or _null_sender(mail, envelope_sender)
        or Verdict(MailKind.CUSTOMER)
    )


def _report(mail: InboundMail) -> Verdict | None:
    for part_type, reason in _REPORTS.items():
        if part_type in mail.part_types or mail.report_type == part_type.split("/")[1]:
            return Verdict(MailKind.BOUNCE, reason)
    if mail.content_type == "multipart/report":
        return Verdict(MailKind.BOUNCE, f"report ({mail.report_type or 'unknown type'})")
    if "x-failed-recipients" in mail.headers:
        return Verdict(MailKind.BOUNCE, "X-Failed-Recipients")
    return None


def _own(mail: InboundMail, system_addresses: frozenset[str]) -> Verdict | None:
    """Our own notifications coming back (a forward, a misrouted copy) would answer themselves."""
    if mail.sender_email.lower() in {a.lower() for a in system_addresses}:
        return Verdict(MailKind.AUTO_REPLY, "sent from one of the system's own addresses")
    return None


def is_daemon(local_part: str) -> bool:
    return local_part.lower() in _DAEMONS


def _daemon(mail: InboundMail) -> Verdict | None:
    if mail.sender_email == NULL_SENDER:
        return Verdict(MailKind.BOUNCE, "sent by the mail system (From: <>)")
    local = mail.sender_email.rsplit("@", 1)[0].lower()
    if is_daemon(local):
        return Verdict(MailKind.BOUNCE, "sent by MAILER-DAEMON")
    # postmaster also writes to people: only its delivery-failure notices are bounces
    if local == "postmaster" and (_BOUNCE_SUBJECT.search(mail.subject) or _auto_submitted(mail)):
        return Verdict(MailKind.BOUNCE, "delivery notice from postmaster")
    return None


def _auto_reply(mail: InboundMail) -> Verdict | None:
    headers = mail.headers
    if auto := _auto_submitted(mail):
        return Verdict(MailKind.AUTO_REPLY, f"Auto-Submitted: {auto}")
    precedence = headers.get("precedence", "").strip().lower()
    if precedence in _BULK_PRECEDENCE:
        return Verdict(MailKind.AUTO_REPLY, f"Precedence: {precedence}")
    for name in ("x-autoreply", "x-autorespond", "x-auto-response-suppress", "x-loop"):
        if name in headers:
            return Verdict(MailKind.AUTO_REPLY, f"{name} header")
    if headers.get("x-apple-action", "").strip().upper() == "VACATION":
        return Verdict(MailKind.AUTO_REPLY, "X-Apple-Action: VACATION")
    if _AUTO_REPLY_SUBJECT.search(mail.subject):
        return Verdict(MailKind.AUTO_REPLY, "vacation subject")
    return None


def _auto_submitted(mail: InboundMail) -> str | None:
    value = mail.headers.get("auto-submitted", "").split(";")[0].strip().lower()
    return value if value and value != "no" else None


def _null_sender(mail: InboundMail, envelope_sender: str | None) -> Verdict | None:
    """RFC 3834 and RFC 5321: notifications are sent with an empty reverse path (`<>`)."""
    return_path = mail.headers.get("return-path")
    if envelope_sender == "" or (return_path is not None and return_path.strip() in ("<>", "")):
        return Verdict(MailKind.BOUNCE, "empty return path")
    return None


# Threading ------------------------------------------------------------------------------------------

# `[CASE-1001]` is what our mails carry; `[#1001]` and `[#CASE-1001]` are accepted as people type them.
CASE_TAG = re.compile(r"\[\s*(?:#\s*(?:CASE-)?|CASE-)(\d{1,12})\s*\]", re.IGNORECASE)
_PREFIX = re.compile(r"^\s*(re|aw|sv|antw|fwd?|tr|wg|rv|vs|réf|ref)\s*(\[\d+\]|\(\d+\))?\s*:\s*", re.I)


def case_number(n: int) -> str:
    return f"CASE-{n}"


def tagged_case(subject: str) -> str | None:
    """The case number a `[CASE-1001]` (or `[#1001]`) tag in the subject names, if any."""
    found = CASE_TAG.search(subject)
    return case_number(int(found.group(1))) if found else None


def clean_subject(subject: str) -> str:
    """The subject without reply/forward prefixes (Re:, AW:, SV:, Fwd:, TR: ...) nor case tags."""
    text = CASE_TAG.sub(" ", subject)
    while (prefix := _PREFIX.match(text)) is not None:
        text = text[prefix.end() :]
    return " ".join(text.split())[:SUBJECT_MAX]


def synthetic_message_id(digest: str) -> str:
    """Stands in for a missing Message-ID, so replies to our answer still find the case."""
    return f"<{digest[:40]}@cases.crm.invalid>"


def thread_candidates(mail: InboundMail) -> tuple[str, ...]:
    """Message-IDs the mail answers, most specific first: In-Reply-To, then References newest first."""
    ordered = [*mail.in_reply_to, *reversed(mail.references)]
    return tuple(dict.fromkeys(i for i in ordered if i != mail.message_id))


# Language --------------------------------------------------------------------------------------------

_FRENCH = re.compile(
    r"\b(bonjour|bonsoir|merci|cordialement|madame|monsieur|s'il vous pla[iî]t|svp|veuillez|votre|vos"
    r"|nous|je|pouvez|facture|probl[eè]me|demande|objet|re[çc]u|aujourd'hui|d[ée]j[àa]|[ée]galement)\b",
    re.IGNORECASE,
)
_ENGLISH = re.compile(
    r"\b(hello|hi|dear|thanks|thank you|regards|please|the|and|your|we|is|invoice|issue)\b", re.IGNORECASE
)


def detect_language(mail: InboundMail) -> str:
    """`fr` or `en`: Content-Language when given, else more French than English marker words."""
    declared = mail.headers.get("content-language", "").strip().lower()[:2]
    if declared in ("fr", "en"):
        return declared
    sample = f"{mail.subject}\n{mail.text[:3000]}"
    french = len(_FRENCH.findall(sample))
    return "fr" if french >= 2 and french > len(_ENGLISH.findall(sample)) else "en"


ACK_DOMAIN = "ack.crm-cases.local"
_ACK_ID = re.compile(
    r"^<ack\.([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})@" + re.escape(ACK_DOMAIN) + ">$"
)


def acknowledgement_message_id(case_id: UUID) -> str:
    """The Message-ID of a case's acknowledgement (sent by the notifier): a reply that quotes only it
    still names its case."""
    return f"<ack.{case_id}@{ACK_DOMAIN}>"


def acknowledged_case(message_id: str) -> UUID | None:
    found = _ACK_ID.match(message_id.strip().lower())
    return UUID(found.group(1)) if found else None
