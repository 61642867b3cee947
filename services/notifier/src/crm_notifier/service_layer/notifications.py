"""Composing notifications: pick the language, render the template, address it or record why not.

A notification is stored (pending, or skipped) in the caller's transaction; the sender delivers it
later. Each gets its Message-ID now, so every delivery attempt carries the same one.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.utils import make_msgid, parseaddr
from uuid import UUID

from crm_notifier.domain.model import Draft, Notification
from crm_notifier.domain.templates import Language, language_or, render
from crm_notifier.service_layer.unit_of_work import NotifierUnitOfWork

Values = Callable[[Language], Mapping[str, str]]
"""The template's values in a given language (amounts and dates are written differently)."""

AUTOMATIC = {"Auto-Submitted": "auto-generated"}  # RFC 3834: no vacation replies to our notices


@dataclass(frozen=True)
class MailDefaults:
    from_address: str
    support_address: str
    default_language: Language


def domain_of(address: str) -> str:
    return parseaddr(address)[1].rpartition("@")[2] or "localhost"


def new_message_id(from_address: str) -> str:
    return make_msgid(domain=domain_of(from_address))


def is_deliverable(address: str) -> bool:
    """A bare `local@domain` with nothing that could smuggle another header or recipient."""
    local, at, domain = address.rpartition("@")
    return bool(at and local and "." in domain) and not any(c.isspace() or c in ",;<>" for c in address)


@dataclass(frozen=True)
class Cause:
    event_id: UUID | None
    correlation_id: str | None


async def notify_user(
    uow: NotifierUnitOfWork,
    defaults: MailDefaults,
    *,
    template: str,
    user_id: str,
    values: Values,
    cause: Cause,
) -> Notification:
    """Notify a user at the address the directory has for them; recorded as skipped without one."""
    recipient = await uow.recipients.get(user_id)
    language = language_or(recipient.language if recipient else None, defaults.default_language)
    name = (recipient.name or "") if recipient else ""
    content = render(template, language, {**values(language), "name": name})
    draft = Draft(
        template=template,
        recipient=user_id,
        language=language,
        subject=content.subject,
        body=content.body,
        from_address=defaults.from_address,
        cause_event_id=cause.event_id,
        correlation_id=cause.correlation_id,
        headers=AUTOMATIC,
    )
    if recipient is None:
        notification = Notification.skipped(draft, reason=f"no address for user {user_id}")
    else:
        notification = Notification.to_send(
            draft,
            email=recipient.email,
            to_name=recipient.name,
            message_id=new_message_id(defaults.from_address),
        )
    await uow.notifications.add_once(notification)
    return notification
