"""Notifications: pending until sent or out of attempts; only final states are announced. Reminders."""

from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

import pytest

from crm_notifier.domain.events import NotificationFinished
from crm_notifier.domain.model import (
    Draft,
    Notification,
    NotificationStatus,
    Reminder,
    ReminderStatus,
    RetryPolicy,
)
from crm_shared.errors import Conflict

POLICY = RetryPolicy(max_attempts=3, base_delay_s=10, max_delay_s=15)
NOW = datetime(2031, 1, 1, 12, 0, tzinfo=UTC)


def draft() -> Draft:
    return Draft(
        template="deal_won",
        recipient="csm-1",
        language="en",
        subject="Deal won: Website",
        body="Hello,",
        from_address="CRM <no-reply@crm.local>",
        cause_event_id=uuid4(),
    )


def pending() -> Notification:
    return Notification.to_send(draft(), email="csm@agency.example", to_name=None, message_id="<m@crm.local>")


def test_a_new_notification_is_pending_and_announces_nothing() -> None:
    notification = pending()
    assert notification.status is NotificationStatus.PENDING
    assert notification.pull_events() == []


def test_sent_is_final_and_announced_once() -> None:
    notification = pending()
    notification.mark_sent(now=NOW)
    assert (notification.status, notification.sent_at, notification.attempts) == (
        NotificationStatus.SENT,
        NOW,
        1,
    )
    [event] = notification.pull_events()
    assert event == NotificationFinished(
        notification.id, "deal_won", "<m@crm.local>", notification.cause_event_id, "sent"
    )
    with pytest.raises(Conflict):
        notification.mark_sent(now=NOW)


def test_transient_failures_back_off_then_fail_for_good() -> None:
    notification = pending()
    notification.mark_attempt_failed(error="connection refused", permanent=False, now=NOW, policy=POLICY)
    assert notification.status is NotificationStatus.PENDING
    assert notification.next_attempt_at == NOW + timedelta(seconds=10)
    notification.mark_attempt_failed(error="connection refused", permanent=False, now=NOW, policy=POLICY)
    assert notification.next_attempt_at == NOW + timedelta(seconds=15)  # capped
    assert notification.pull_events() == []
    notification.mark_attempt_failed(error="connection refused", permanent=False, now=NOW, policy=POLICY)
    assert (notification.status, notification.attempts) == (NotificationStatus.FAILED, 3)
    assert notification.reason == "connection refused"
    assert [e.status for e in notification.pull_events()] == ["failed"]  # type: ignore[attr-defined]


def test_a_permanent_refusal_fails_at_once() -> None:
    notification = pending()
    notification.mark_attempt_failed(error="550 no such user", permanent=True, now=NOW, policy=POLICY)
    assert (notification.status, notification.attempts) == (NotificationStatus.FAILED, 1)


def test_skipped_is_final_and_announced() -> None:
    notification = Notification.skipped(draft(), reason="no address for user csm-1")
    assert notification.status is NotificationStatus.SKIPPED
    assert notification.email is None
    assert [e.status for e in notification.pull_events()] == ["skipped"]  # type: ignore[attr-defined]
    with pytest.raises(Conflict):
        notification.mark_attempt_failed(error="x", permanent=False, now=NOW, policy=POLICY)


def renewal(csm_id: str | None = "csm-1") -> Reminder:
    return Reminder.contract_renewal(
        contract_id=uuid4(),
        title="Hosting",
        end_date=date(2031, 3, 31),
        owner_id="sales-1",
        csm_id=csm_id,
        cause_event_id=uuid4(),
        correlation_id="c-1",
    )


def test_renewal_reminder_goes_to_the_csm_or_else_the_owner() -> None:
    assert renewal().recipient_id == "csm-1"
    assert renewal(csm_id=None).recipient_id == "sales-1"
    assert renewal().due_at == datetime(2031, 2, 28, 8, 0, tzinfo=UTC)


def test_a_reminder_fires_once_and_not_before_it_is_due() -> None:
    reminder = renewal()
    with pytest.raises(Conflict):
        reminder.fire(now=reminder.due_at - timedelta(seconds=1))
    reminder.fire(now=reminder.due_at)
    assert (reminder.status, reminder.fired_at) == (ReminderStatus.FIRED, reminder.due_at)
    with pytest.raises(Conflict):
        reminder.fire(now=reminder.due_at)
