"""Due-date maths of reminders: calendar months, clamped to shorter months, at 08:00 UTC."""

from datetime import UTC, date, datetime

import pytest

from crm_notifier.domain.schedule import months_before, renewal_due_at


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2031, 6, 15), 1, date(2031, 5, 15)),
        (date(2031, 1, 15), 1, date(2030, 12, 15)),  # across a year
        (date(2031, 3, 31), 1, date(2031, 2, 28)),  # clamped to February
        (date(2032, 3, 31), 1, date(2032, 2, 29)),  # leap year
        (date(2031, 5, 31), 1, date(2031, 4, 30)),
        (date(2031, 3, 1), 1, date(2031, 2, 1)),
        (date(2031, 3, 31), 13, date(2030, 2, 28)),
        (date(2031, 3, 31), 0, date(2031, 3, 31)),
    ],
)
def test_months_before(day: date, months: int, expected: date) -> None:
    assert months_before(day, months) == expected


def test_renewal_is_due_one_month_before_the_end_at_eight_utc() -> None:
    assert renewal_due_at(date(2031, 3, 31)) == datetime(2031, 2, 28, 8, 0, tzinfo=UTC)
    assert renewal_due_at(date(2031, 12, 31), months_ahead=3) == datetime(2031, 9, 30, 8, 0, tzinfo=UTC)
