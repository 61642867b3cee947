"""Which domain events other services hear about, and in which published shape."""

from collections.abc import Iterable
from functools import singledispatch
from typing import Literal, cast

from crm_notifier.domain import events
from crm_shared.events import IntegrationEvent, notifier

FinalStatus = Literal["sent", "failed", "skipped"]


@singledispatch
def translate(event: object) -> Iterable[IntegrationEvent]:
    return ()


@translate.register
def _(event: events.NotificationFinished) -> Iterable[IntegrationEvent]:
    yield notifier.NotificationSent(
        notification_id=event.notification_id,
        template=event.template,
        message_id=event.message_id,
        cause_event_id=event.cause_event_id,
        status=cast(FinalStatus, event.status),
    )
