"""The mail intake: one inbound message, whatever way it came in (SMTP, IMAP, webhook), stored once and
then ignored (machine mail), rejected (no usable sender), appended to the case it answers, or opening one.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from hashlib import sha256
from uuid import UUID

from crm_cases.adapters.mime import parse_mail
from crm_cases.domain.mail import (
    InboundMail,
    MailKind,
    UnusableMail,
    classify,
    synthetic_message_id,
    tagged_case,
    thread_candidates,
)
from crm_cases.domain.model import Case, IntakeOutcome, RawMessage
from crm_cases.service_layer import case_intake
from crm_cases.service_layer.unit_of_work import CasesUnitOfWork
from crm_shared.ids import new_id

MAILBOX_MAX = 320
IGNORED = {
    MailKind.AUTO_REPLY: IntakeOutcome.IGNORED_AUTO_REPLY,
    MailKind.BOUNCE: IntakeOutcome.IGNORED_BOUNCE,
}


@dataclass(frozen=True)
class IntakeResult:
    outcome: IntakeOutcome | None
    """None when the same mail was already stored (a redelivery): nothing was done."""
    raw_message_id: UUID | None = None
    case: Case | None = None
    reason: str | None = None


@dataclass(frozen=True)
class _Delivery:
    raw: bytes
    mailbox: str
    digest: str
    at: datetime

    def keep(self, message_id: str | None, outcome: IntakeOutcome, reason: str | None) -> RawMessage:
        return RawMessage(
            id=new_id(),
            mailbox=self.mailbox,
            message_id=message_id or "",
            digest=self.digest,
            raw=self.raw,
            received_at=self.at,
            outcome=outcome,
            reason=reason,
        )


async def ingest_email(
    *, uow: CasesUnitOfWork, raw: bytes, mailbox: str, envelope_sender: str | None = None
) -> IntakeResult:
    """Flow 5: one inbound mail, stored once, then ignored (machine mail), rejected (no usable sender),
    appended to the case it answers, or opening a new case. `envelope_sender` is the SMTP reverse path
    ("" for the null sender `<>` of notifications)."""
    mailbox = mailbox.strip().lower()[:MAILBOX_MAX]
    delivery = _Delivery(raw, mailbox, sha256(raw).hexdigest(), datetime.now(UTC))
    mail = parse_mail(raw)
    if isinstance(mail, UnusableMail):
        return await _store(uow, delivery.keep(mail.message_id, IntakeOutcome.REJECTED, mail.reason))
    verdict = classify(mail, envelope_sender=envelope_sender)
    if verdict.kind is not MailKind.CUSTOMER:
        ignored = IGNORED[verdict.kind]
        return await _store(uow, delivery.keep(mail.message_id, ignored, verdict.reason))
    return await _file(uow, delivery, mail)


async def _file(uow: CasesUnitOfWork, delivery: _Delivery, mail: InboundMail) -> IntakeResult:
    """A customer's mail: appended to the case it answers, else opening one."""
    case, reason = await _thread(uow, mail)
    outcome = IntakeOutcome.CASE_OPENED if case is None else IntakeOutcome.APPENDED
    stored = delivery.keep(mail.message_id, outcome, reason)
    if not await uow.raw_messages.claim(stored):
        return IntakeResult(None)
    message_id = mail.message_id or synthetic_message_id(delivery.digest)
    if case is None:
        case = await case_intake.open_case(
            uow,
            mail=mail,
            message_id=message_id,
            mailbox=delivery.mailbox,
            raw_message_id=stored.id,
            at=delivery.at,
        )
    else:
        case = await case_intake.append_to_case(
            uow, case, mail=mail, message_id=message_id, raw_message_id=stored.id, at=delivery.at
        )
    return IntakeResult(outcome, stored.id, case, reason)


async def _store(uow: CasesUnitOfWork, stored: RawMessage) -> IntakeResult:
    if not await uow.raw_messages.claim(stored):
        return IntakeResult(None)
    return IntakeResult(stored.outcome, stored.id, None, stored.reason)


async def _thread(uow: CasesUnitOfWork, mail: InboundMail) -> tuple[Case | None, str | None]:
    """The case a reply belongs to: by the Message-IDs it answers, else by a `[CASE-n]` subject tag
    from the case's requester (anyone else quoting a tag gets a case of their own)."""
    case_id = await uow.cases.case_of_messages(thread_candidates(mail))
    if case_id is not None:
        return await uow.cases.get(case_id, for_update=True), "threaded by In-Reply-To/References"
    number = tagged_case(mail.subject)
    if number is None:
        return None, None
    case = await uow.cases.by_number(number, for_update=True)
    if case is None:
        return None, f"subject tag {number}: no such case"
    if not case.is_requested_by(mail.sender_email):
        return None, f"subject tag {number}: sender is not the requester"
    return case, f"threaded by subject tag {number}"
