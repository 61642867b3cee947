"""The message stream of a case: the customer's mails, agents' replies and internal notes."""

from dataclasses import dataclass, field
from datetime import datetime
from hashlib import sha256
from uuid import UUID

from crm_cases.domain.case_values import Direction, Visibility
from crm_cases.domain.mail import InboundMail, MailAttachment
from crm_shared.ids import new_id

QUOTE_HEADER = {"fr": "Le {date}, {author} a écrit :", "en": "On {date}, {author} wrote:"}


@dataclass(frozen=True, kw_only=True)
class Attachment:
    id: UUID
    filename: str
    content_type: str
    size: int
    sha256: str
    content: bytes = field(default=b"", repr=False)
    """Empty when loaded for a listing; the download reads it."""

    @classmethod
    def of(cls, part: MailAttachment) -> "Attachment":
        return cls(
            id=new_id(),
            filename=part.filename,
            content_type=part.content_type,
            size=len(part.content) or part.size,
            sha256=sha256(part.content).hexdigest(),
            content=part.content,
        )


@dataclass(eq=False, kw_only=True)
class CaseMessage:
    id: UUID
    case_id: UUID
    direction: Direction
    author: str | None
    message_id: str | None
    in_reply_to: str | None
    references: tuple[str, ...]
    subject: str
    body_text: str
    received_at: datetime
    raw_message_id: UUID | None = None
    visibility: Visibility = Visibility.PUBLIC
    author_name: str | None = None
    body_html: str | None = None
    quoted: str = ""
    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    attachments: tuple[Attachment, ...] = ()

    @property
    def public(self) -> bool:
        return self.visibility is Visibility.PUBLIC

    @classmethod
    def inbound(
        cls, *, case_id: UUID, mail: InboundMail, message_id: str, raw_message_id: UUID, at: datetime
    ) -> "CaseMessage":
        return cls(
            id=new_id(),
            case_id=case_id,
            direction=Direction.INBOUND,
            author=mail.sender_email,
            author_name=mail.sender_name,
            message_id=message_id,
            in_reply_to=mail.in_reply_to[0] if mail.in_reply_to else None,
            references=mail.references,
            subject=mail.subject,
            body_text=mail.text,
            body_html=mail.html,
            quoted=mail.quoted,
            to=mail.to,
            cc=mail.cc,
            received_at=at,
            raw_message_id=raw_message_id,
            attachments=tuple(Attachment.of(a) for a in mail.attachments),
        )

    @classmethod
    def internal(
        cls,
        *,
        case_id: UUID,
        author: str | None,
        author_name: str | None,
        subject: str,
        text: str,
        at: datetime,
    ) -> "CaseMessage":
        """An internal note: no Message-ID, never threaded on, never sent."""
        return cls(
            id=new_id(),
            case_id=case_id,
            direction=Direction.INTERNAL,
            visibility=Visibility.INTERNAL,
            author=author,
            author_name=author_name,
            message_id=None,
            in_reply_to=None,
            references=(),
            subject=subject,
            body_text=text,
            received_at=at,
        )


def thread_of(messages: list[CaseMessage]) -> tuple[str | None, tuple[str, ...]]:
    """In-Reply-To (the last inbound mail, else the last public one) and References (every public
    Message-ID, oldest first) for a reply; internal messages never take part."""
    public = [m for m in messages if m.public and m.message_id]
    inbound = [m for m in public if m.direction is Direction.INBOUND]
    chain = inbound or public
    references = tuple(dict.fromkeys(m.message_id for m in public if m.message_id))
    return (chain[-1].message_id if chain else None), references


def quote_last(messages: list[CaseMessage], language: str) -> str:
    """The last public inbound message, quoted under a "wrote:" line; internal notes are never quoted."""
    inbound = [m for m in messages if m.public and m.direction is Direction.INBOUND and m.body_text]
    if not inbound:
        return ""
    last = inbound[-1]
    header = QUOTE_HEADER.get(language, QUOTE_HEADER["en"]).format(
        date=last.received_at.strftime("%Y-%m-%d %H:%M UTC"), author=last.author_name or last.author
    )
    body = "\n".join(f"> {line}" if line else ">" for line in last.body_text.splitlines())
    return f"{header}\n{body}"
