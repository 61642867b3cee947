"""Which domain events other services hear about, and in which published shapes: the service's whole
table, in one place."""

from typing import Literal, cast

from crm_notifier.domain import events
from crm_shared.events import IntegrationEvent, Translations, notifier

FinalStatus = Literal["sent", "failed", "skipped"]


def notification_finished(event: events.NotificationFinished) -> IntegrationEvent:
    return notifier.NotificationSent(
        notification_id=event.notification_id,
        template=event.template,
        message_id=event.message_id,
        cause_event_id=event.cause_event_id,
        status=cast(FinalStatus, event.status),
    )


TRANSLATIONS = Translations("notifier").publish(events.NotificationFinished, notification_finished)
translate = TRANSLATIONS.translate
