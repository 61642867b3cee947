"""The mail intake: one inbound message, whatever way it came in (SMTP, IMAP, webhook), stored once and
then ignored (machine mail), quarantined (no usable sender, unparseable, suspected loop), appended to
the case it answers, or opening one. Every refusal publishes InboundMailRejected."""

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from hashlib import sha256
from uuid import UUID

from crm_cases.adapters.intake_repository import IntakeRecord
from crm_cases.adapters.mime import parse_mail
from crm_cases.domain import mail_text
from crm_cases.domain.intake_policy import IntakePolicy, IntakeState, Source
from crm_cases.domain.mail import InboundMail, MailKind, UnusableMail, synthetic_message_id
from crm_cases.domain.model import Case, IntakeOutcome, RawMessage
from crm_cases.service_layer import case_intake, intake_bounces
from crm_cases.service_layer.intake_routing import Route, route
from crm_cases.service_layer.unit_of_work import CasesUnitOfWork
from crm_shared.auth import SYSTEM, Principal
from crm_shared.events.cases import InboundMailRejected
from crm_shared.ids import new_id

MAILBOX_MAX = 320
DEFAULT_POLICY = IntakePolicy()


@dataclass(frozen=True)
class IntakeResult:
    outcome: IntakeOutcome | None
    """None when the same mail was already stored (a redelivery): nothing was done."""
    raw_message_id: UUID | None = None
    case: Case | None = None
    reason: str | None = None
    state: IntakeState | None = None


@dataclass(frozen=True)
class Delivery:
    raw: bytes
    mailbox: str
    digest: str
    at: datetime
    source: Source = "smtp"

    def keep(self, message_id: str | None, route: Route) -> RawMessage:
        return RawMessage(
            id=new_id(),
            mailbox=self.mailbox,
            message_id=(message_id or "")[:252],
            digest=self.digest,
            raw=self.raw,
            received_at=self.at,
            outcome=route.outcome,
            reason=route.reason,
        )


def delivery(raw: bytes, mailbox: str, source: Source) -> Delivery:
    """The mailbox is checked where it comes in (SMTP RCPT, the webhook's parameter); here it is only
    made storable, so that not even a mailbox that slipped through can keep a mail from being kept."""
    box = mail_text.line(mailbox.strip().lower()[:MAILBOX_MAX])
    return Delivery(raw, box, sha256(raw).hexdigest(), datetime.now(UTC), source)


async def ingest_email(
    *,
    uow: CasesUnitOfWork,
    raw: bytes,
    mailbox: str,
    envelope_sender: str | None = None,
    source: Source = "smtp",
    policy: IntakePolicy = DEFAULT_POLICY,
) -> IntakeResult:
    """One inbound mail, stored once. `envelope_sender` is the SMTP reverse path ("" for the null
    sender `<>` of notifications); `policy` carries the settings (`policy_of(settings)`)."""
    arrived = delivery(raw, mailbox, source)
    return await take_delivery(
        uow=uow, actor=SYSTEM, arrived=arrived, envelope_sender=envelope_sender, policy=policy
    )


async def take_delivery(
    *,
    uow: CasesUnitOfWork,
    actor: Principal,
    arrived: Delivery,
    envelope_sender: str | None = None,
    policy: IntakePolicy = DEFAULT_POLICY,
) -> IntakeResult:
    """The intake of one delivered mail, as the listeners run it through their system bus."""
    mail = parse_mail(arrived.raw, attachment_max_bytes=policy.attachment_max_bytes)
    decided = await route(
        uow, mail, mailbox=arrived.mailbox, at=arrived.at, envelope_sender=envelope_sender, policy=policy
    )
    stored = arrived.keep(mail.message_id, decided)
    if not await uow.raw_messages.claim(stored):
        return IntakeResult(None)
    return await apply(uow, arrived, stored.id, mail, decided, policy=policy)


async def apply(
    uow: CasesUnitOfWork,
    arrived: Delivery,
    raw_message_id: UUID,
    mail: InboundMail | UnusableMail,
    decided: Route,
    *,
    policy: IntakePolicy,
) -> IntakeResult:
    """Carries out the routing of a stored raw message (first delivery or re-processing)."""
    sender = (mail.sender_email or None) if isinstance(mail, InboundMail) else None
    flags = mail.flags if isinstance(mail, InboundMail) else ()
    record = IntakeRecord(
        raw_message_id, sender, arrived.source, decided.state, decided.reason, flags, arrived.at
    )
    await uow.intake.record(record)
    case = decided.case
    if decided.state is IntakeState.QUARANTINED:
        uow.publish(rejected(arrived, raw_message_id, mail, decided.reason or "quarantined"))
    elif decided.kind is MailKind.BOUNCE and isinstance(mail, InboundMail):
        await intake_bounces.handle_bounce(uow, mail, raw_message_id=raw_message_id, at=arrived.at)
    elif isinstance(mail, InboundMail) and decided.state is IntakeState.ACCEPTED:
        flagged = replace(mail, flags=flags)
        case = await _file(uow, arrived, raw_message_id, flagged, case=case, policy=policy)
    return IntakeResult(decided.outcome, raw_message_id, case, decided.reason, decided.state)


async def _file(
    uow: CasesUnitOfWork,
    arrived: Delivery,
    raw_message_id: UUID,
    mail: InboundMail,
    *,
    case: Case | None,
    policy: IntakePolicy,
) -> Case:
    """A customer's mail: appended to the case it answers, else opening one."""
    message_id = mail.message_id or synthetic_message_id(arrived.digest)
    box = await uow.intake.mailbox(arrived.mailbox)
    if case is None:
        return await case_intake.open_case(
            uow,
            mail=mail,
            message_id=message_id,
            mailbox=arrived.mailbox,
            raw_message_id=raw_message_id,
            at=arrived.at,
            team=box.team if box else None,
        )
    return await case_intake.append_to_case(
        uow,
        case,
        mail=mail,
        message_id=message_id,
        raw_message_id=raw_message_id,
        at=arrived.at,
        reopen_window_days=policy.reopen_window_days,
    )


def rejected(
    arrived: Delivery, raw_message_id: UUID, mail: InboundMail | UnusableMail | None, reason: str
) -> InboundMailRejected:
    return InboundMailRejected(
        raw_message_id=raw_message_id,
        mailbox=arrived.mailbox,
        sender=(mail.sender_email or None) if isinstance(mail, InboundMail) else None,
        message_id=mail.message_id if mail is not None else None,
        reason=reason[:1000],
        source=arrived.source,
        rejected_at=arrived.at,
    )
