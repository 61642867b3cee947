"""The notifier's background loops (run with the consumers role): the sender and the scheduler.

Each loop works until nothing is due, then sleeps `interval_s`; each step is one use case run by a system
bus, in its own transaction. Any number may run at once, in one process or across replicas: rows are
claimed with SKIP LOCKED (see `service_layer.delivery`).
"""

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import structlog
from prometheus_client import Counter

from crm_notifier.domain.model import Notification, NotificationStatus, RetryPolicy
from crm_notifier.service_layer import delivery
from crm_notifier.service_layer.notifications import MailDefaults
from crm_shared.runtime import BackgroundTask, ServiceRuntime
from crm_shared.service_layer import system_bus

log = structlog.get_logger()
DELIVERY_ATTEMPTS = Counter(
    "crm_notifier_delivery_attempts_total", "Attempts to hand a notification to SMTP", ["template", "status"]
)
Step = Callable[[ServiceRuntime[Any]], Awaitable[bool]]


def notification_sender(mailer: delivery.Mailer, policy: RetryPolicy, interval_s: float) -> BackgroundTask:
    async def send_one(runtime: ServiceRuntime[Any]) -> bool:
        bus = system_bus(runtime.uow, work="sender")
        notification = await bus.execute(
            delivery.deliver_next, mailer=mailer, policy=policy, now=datetime.now(UTC)
        )
        if notification is None:
            return False
        _record_attempt(notification)  # once committed: a rolled-back attempt is made again
        return True

    return _loop("sender", send_one, interval_s)


def reminder_scheduler(defaults: MailDefaults, interval_s: float) -> BackgroundTask:
    async def fire_one(runtime: ServiceRuntime[Any]) -> bool:
        bus = system_bus(runtime.uow, work="scheduler")
        reminder = await bus.execute(delivery.fire_next_reminder, defaults=defaults, now=datetime.now(UTC))
        if reminder is None:
            return False
        log.info("notifier.reminder.fired", reminder_id=str(reminder.id), kind=reminder.kind)
        return True

    return _loop("scheduler", fire_one, interval_s)


def _record_attempt(notification: Notification) -> None:
    DELIVERY_ATTEMPTS.labels(template=notification.template, status=notification.status).inc()
    fields = {
        "notification_id": str(notification.id),
        "template": notification.template,
        "attempts": notification.attempts,
    }
    if notification.status in (NotificationStatus.SENT, NotificationStatus.SKIPPED):
        log.info(f"notifier.notification.{notification.status}", **fields)
    else:  # failed, or pending a retry; the reason may name an address: not at info level
        outcome = "retry_scheduled" if notification.status is NotificationStatus.PENDING else "failed"
        log.warning(f"notifier.notification.{outcome}", reason=notification.reason, **fields)


def _loop(name: str, step: Step, interval_s: float) -> BackgroundTask:
    async def run(runtime: ServiceRuntime[Any], stop: asyncio.Event) -> None:
        log.info(f"notifier.{name}.started")
        while not stop.is_set():
            try:
                while not stop.is_set() and await step(runtime):
                    pass
            except Exception:  # database down, ...: log, pause, carry on; the rows wait in the table
                log.exception(f"notifier.{name}.failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), interval_s)

    return run
