"""Flow 5, the mail a support case sends: the acknowledgement of a new case, agents' replies, and the
notice of a resolved case; plus the bouncing addresses that stop them.

Handlers only store the notification (pending, or skipped with its reason); the sender delivers it.
Internal notes and the customer's own messages are never sent.
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import structlog

from crm_notifier.domain.bounces import bouncing_reason, suppressed_until
from crm_notifier.domain.case_mail import bare_addresses, case_tag, msg_id, tagged_subject, threading_headers
from crm_notifier.domain.model import Draft, Notification
from crm_notifier.domain.templates import CASE_ACKNOWLEDGEMENT, CASE_RESOLVED, render
from crm_notifier.service_layer.notifications import MailDefaults, is_deliverable, new_message_id
from crm_notifier.service_layer.unit_of_work import NotifierUnitOfWork
from crm_shared.events import Envelope
from crm_shared.events.cases import CaseMessageAdded, CaseOpened, CaseStatusChanged, MailAddressBounced

log = structlog.get_logger()
CASE_REPLY = "case_reply"
# RFC 3834: an auto-reply that other robots (and Exchange, via X-Auto-Response-Suppress) leave alone.
AUTO_REPLIED = {"Auto-Submitted": "auto-replied", "X-Auto-Response-Suppress": "All"}


def helpdesk_address(mailbox: str | None, defaults: MailDefaults) -> str:
    """Send from the mailbox the customer wrote to, so that answers come back to it."""
    return mailbox.strip() if mailbox and is_deliverable(mailbox.strip()) else defaults.support_address


def acknowledgement_headers(message_id: str | None) -> dict[str, str]:
    return AUTO_REPLIED | threading_headers(message_id, [message_id] if message_id else [])


async def acknowledge_case(
    event: CaseOpened, *, uow: NotifierUnitOfWork, envelope: Envelope, defaults: MailDefaults
) -> None:
    """An automatic reply from the support mailbox, with the case tag, threaded under the customer's mail."""
    address = (event.requester_email or "").strip()
    number = case_tag(event.number)[1:-1]
    values = {"number": number, "subject": event.subject, "name": event.requester_name or ""}
    content = render(CASE_ACKNOWLEDGEMENT, event.language, values)
    draft = Draft(
        template=CASE_ACKNOWLEDGEMENT,
        recipient=address.lower() or f"case:{event.case_id}",
        language=event.language,
        subject=tagged_subject(number, content.subject),
        body=content.body,
        from_address=helpdesk_address(event.mailbox, defaults),
        cause_event_id=envelope.id,
        correlation_id=uow.context.correlation_id,
        headers=acknowledgement_headers(event.message_id),
    )
    if not address or not is_deliverable(address):
        reason = f"case {event.number} has no deliverable requester address"
        await uow.notifications.add_once(Notification.skipped(draft, reason=reason))
        return
    await _send_unless_bouncing(
        uow,
        draft,
        to=[address],
        to_name=event.requester_name,
        message_id=msg_id(event.acknowledgement_message_id),
    )


async def send_case_reply(
    event: CaseMessageAdded, *, uow: NotifierUnitOfWork, envelope: Envelope, defaults: MailDefaults
) -> None:
    """An agent's public reply goes out as written, with the Message-ID and threading cases gave it."""
    if event.direction != "outbound" or event.visibility != "public":
        return  # the customer's own mail, or an internal note: never sent
    to, cc = bare_addresses(event.to), bare_addresses(event.cc)
    if not to and event.requester_email:
        to = bare_addresses([event.requester_email])
    draft = Draft(
        template=CASE_REPLY,
        recipient=to[0] if to else f"case:{event.case_id}",
        language=event.language,
        subject=tagged_subject(event.number, event.subject),
        body=event.body_text or "",
        body_html=event.body_html or None,
        from_address=helpdesk_address(event.mailbox, defaults),
        cause_event_id=envelope.id,
        correlation_id=uow.context.correlation_id,
        headers=threading_headers(event.in_reply_to, event.references),  # a person's reply: no Auto-Submitted
        case_message_id=event.case_message_id,
    )
    deliverable = [a for a in to if is_deliverable(a)]
    if not deliverable:
        reason = f"reply on case {event.number} has no deliverable recipient"
        await uow.notifications.add_once(Notification.skipped(draft, reason=reason))
        return
    name = event.requester_name if deliverable[0] == (event.requester_email or "").lower() else None
    cc = [a for a in cc if is_deliverable(a) and a not in deliverable]
    message_id = msg_id(event.message_id) or new_message_id(draft.from_address)
    await _send_unless_bouncing(uow, draft, to=deliverable, to_name=name, cc=cc, message_id=message_id)


async def notify_case_resolved(
    event: CaseStatusChanged, *, uow: NotifierUnitOfWork, envelope: Envelope, defaults: MailDefaults
) -> None:
    """The requester hears that their case is resolved, and that replying reopens it."""
    address = (event.requester_email or "").strip().lower()
    if event.to_status != "resolved" or event.from_status == "resolved" or not is_deliverable(address):
        return
    number = case_tag(event.number)[1:-1]
    content = render(CASE_RESOLVED, event.language, {"number": number})
    draft = Draft(
        template=CASE_RESOLVED,
        recipient=address,
        language=event.language,
        subject=content.subject,
        body=content.body,
        from_address=defaults.support_address,
        cause_event_id=envelope.id,
        correlation_id=uow.context.correlation_id,
        headers={"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All"},
    )
    await _send_unless_bouncing(uow, draft, to=[address], to_name=None)


async def record_bounced_address(
    event: MailAddressBounced, *, uow: NotifierUnitOfWork, envelope: Envelope
) -> None:
    """A permanent bounce suppresses mail to the address for a while; a temporary one changes nothing."""
    address = event.address.strip().lower()
    until = suppressed_until(event.bounced_at, permanent=event.permanent)
    if until is None or not address:
        log.info("notifier.bounce.ignored", permanent=event.permanent, case_id=str(event.case_id))
        return
    await uow.bouncing.record(
        address=address, until=until, bounced_at=event.bounced_at, reason=event.reason, case_id=event.case_id
    )


async def _send_unless_bouncing(
    uow: NotifierUnitOfWork,
    draft: Draft,
    *,
    to: list[str],
    to_name: str | None,
    cc: Sequence[str] = (),
    message_id: str | None = None,
) -> None:
    """Queue the mail to `to` (and `cc`), leaving out bouncing addresses; skipped if no To remains."""
    bouncing = await uow.bouncing.bouncing([*to, *cc], datetime.now(UTC))
    kept = [a for a in to if a.lower() not in bouncing]
    if not kept:
        address = to[0].lower()
        notification = Notification.skipped(draft, reason=bouncing_reason(address, bouncing[address]))
    else:
        notification = Notification.to_send(
            draft,
            email=kept[0],
            to_name=to_name if kept[0] == to[0] else None,
            message_id=message_id or new_message_id(draft.from_address),
            also_to=kept[1:],
            cc=[a for a in cc if a.lower() not in bouncing],
        )
    await uow.notifications.add_once(notification)
