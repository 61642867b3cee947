"""The sender and the scheduler's steps, run by a system bus on the in-memory unit of work: the due
notification is claimed and sent once, failures are retried with backoff then given up, a crash before
the commit leaves it to be sent again with the same Message-ID, and a reminder fires once, when due."""

from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

import pytest

from crm_notifier.domain.model import (
    Draft,
    Notification,
    NotificationStatus,
    Recipient,
    Reminder,
    ReminderStatus,
    RetryPolicy,
)
from crm_notifier.service_layer.delivery import DeliveryError, deliver_next, fire_next_reminder
from crm_shared.events.notifier import NotificationSent
from services.notifier.tests.unit.fakes import DEFAULTS, FakeNotifierUnitOfWork, RecordingMailer, bus

POLICY = RetryPolicy(max_attempts=3, base_delay_s=10, max_delay_s=60)
NOW = datetime(2031, 1, 1, 12, 0, tzinfo=UTC)


class Crash(BaseException):
    """The process dying in the middle of the step."""


@pytest.fixture
def uow() -> FakeNotifierUnitOfWork:
    return FakeNotifierUnitOfWork()


async def pending(
    uow: FakeNotifierUnitOfWork, *, due: datetime = NOW, cc: tuple[str, ...] = ()
) -> Notification:
    draft = Draft(
        "deal_won", "csm-1", "en", "Deal won", "Hello", "CRM <no-reply@crm.local>", uuid4(), "corr-1"
    )
    notification = Notification.to_send(
        draft, email="csm@agency.example", to_name=None, message_id="<m1@crm.local>", cc=list(cc)
    )
    notification.next_attempt_at = due
    await uow.notifications.add_once(notification)
    return notification


async def send(
    uow: FakeNotifierUnitOfWork, mailer: RecordingMailer, at: datetime = NOW
) -> Notification | None:
    return await bus(uow, work="sender").execute(deliver_next, mailer=mailer, policy=POLICY, now=at)


async def test_the_due_notification_is_claimed_sent_once_and_announced(uow):
    queued = await pending(uow)
    later = await pending(uow, due=NOW + timedelta(hours=1))
    mailer = RecordingMailer()

    sent = await send(uow, mailer)

    assert sent is not None
    assert (sent.id, sent.status, sent.attempts, sent.sent_at) == (queued.id, NotificationStatus.SENT, 1, NOW)
    assert [(m.id, m.message_id) for m in mailer.sent] == [(queued.id, "<m1@crm.local>")]
    [announced] = uow.published(NotificationSent)
    assert (announced.notification_id, announced.status, announced.message_id) == (
        queued.id,
        "sent",
        "<m1@crm.local>",
    )
    assert uow.context.correlation_id == "corr-1"  # its events trace back to the event that caused it
    assert uow.context.causation_id == str(queued.cause_event_id)
    assert await send(uow, mailer) is None  # nothing else due yet
    assert uow.notifications.rows[later.id].status is NotificationStatus.PENDING


async def test_a_passing_failure_is_retried_after_a_backoff(uow):
    queued = await pending(uow)
    mailer = RecordingMailer(DeliveryError("421 try later"))

    failed = await send(uow, mailer)

    assert (failed.status, failed.attempts, failed.reason) == (NotificationStatus.PENDING, 1, "421 try later")
    assert failed.next_attempt_at == NOW + timedelta(seconds=10)
    assert await send(uow, mailer, NOW + timedelta(seconds=9)) is None  # not before its time
    retried = await send(uow, mailer, NOW + timedelta(seconds=10))
    assert (retried.id, retried.status, retried.attempts) == (queued.id, NotificationStatus.SENT, 2)
    assert [e.status for e in uow.published(NotificationSent)] == ["sent"]


async def test_the_sender_gives_up_after_the_last_attempt_or_a_permanent_refusal(uow):
    flaky = await pending(uow)
    mailer = RecordingMailer(*[DeliveryError("connection refused")] * POLICY.max_attempts)
    at = NOW
    for _ in range(POLICY.max_attempts):
        attempt = await send(uow, mailer, at)
        at = attempt.next_attempt_at
    assert (attempt.id, attempt.status, attempt.attempts) == (flaky.id, NotificationStatus.FAILED, 3)
    assert await send(uow, mailer, at + timedelta(days=1)) is None  # never tried again

    refused = await pending(uow)
    mailer.refuse.append(DeliveryError("550 no such user", permanent=True))
    final = await send(uow, mailer, at + timedelta(days=1))
    assert (final.id, final.status, final.attempts) == (refused.id, NotificationStatus.FAILED, 1)
    assert [(e.notification_id, e.status) for e in uow.published(NotificationSent)] == [
        (flaky.id, "failed"),
        (refused.id, "failed"),
    ]
    assert mailer.sent == []


async def test_a_crash_before_the_commit_leaves_it_pending_for_a_resend_with_the_same_message_id(uow):
    queued = await pending(uow)
    with pytest.raises(Crash):
        await send(uow, RecordingMailer(Crash()))
    assert (uow.notifications.rows[queued.id].status, uow.notifications.rows[queued.id].attempts) == (
        NotificationStatus.PENDING,
        0,
    )
    mailer = RecordingMailer()
    await send(uow, mailer)
    assert [m.message_id for m in mailer.sent] == ["<m1@crm.local>"]


async def test_an_address_that_started_bouncing_meanwhile_is_skipped_or_left_out(uow):
    copied = await pending(uow, cc=("boss@agency.example",))
    await uow.bouncing.record(
        address="Boss@Agency.example",
        until=NOW + timedelta(days=30),
        bounced_at=NOW,
        reason="550",
        case_id=None,
    )
    mailer = RecordingMailer()
    await send(uow, mailer)
    assert [(m.id, m.cc) for m in mailer.sent] == [(copied.id, [])]

    main = await pending(uow, due=NOW + timedelta(minutes=1))
    await uow.bouncing.record(
        address="csm@agency.example",
        until=NOW + timedelta(days=30),
        bounced_at=NOW,
        reason="550",
        case_id=None,
    )
    skipped = await send(uow, mailer, NOW + timedelta(minutes=1))
    assert (skipped.id, skipped.status) == (main.id, NotificationStatus.SKIPPED)
    assert len(mailer.sent) == 1


async def test_a_due_reminder_fires_once_and_queues_its_mail(uow):
    await uow.recipients.save(Recipient("csm-1", "csm@agency.example", "Carla", "fr"))
    reminder = Reminder.contract_renewal(
        contract_id=uuid4(),
        title="Hosting",
        end_date=date(2031, 3, 31),
        owner_id="sales-1",
        csm_id="csm-1",
        cause_event_id=uuid4(),
        correlation_id="corr-9",
    )
    await uow.reminders.add_once(reminder)
    scheduler = bus(uow, work="scheduler")

    assert (
        await scheduler.execute(
            fire_next_reminder, defaults=DEFAULTS, now=reminder.due_at - timedelta(seconds=1)
        )
        is None
    )
    fired = await scheduler.execute(fire_next_reminder, defaults=DEFAULTS, now=reminder.due_at)
    again = await scheduler.execute(
        fire_next_reminder, defaults=DEFAULTS, now=reminder.due_at + timedelta(days=1)
    )

    assert (fired.id, fired.status, fired.fired_at, again) == (
        reminder.id,
        ReminderStatus.FIRED,
        reminder.due_at,
        None,
    )
    [mail] = uow.notifications.of("csm-1")
    assert (mail.template, mail.email, mail.language, mail.status) == (
        "contract_renewal",
        "csm@agency.example",
        "fr",
        NotificationStatus.PENDING,
    )
    assert "Hosting" in mail.subject
    assert (mail.cause_event_id, mail.correlation_id) == (reminder.cause_event_id, "corr-9")
