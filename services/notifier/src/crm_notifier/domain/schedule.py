"""When scheduled reminders fall due. Calendar maths only: no clock, no database."""

import calendar
from datetime import UTC, date, datetime, time

REMINDER_TIME = time(8, 0, tzinfo=UTC)
"""Reminders go out at the start of a European working day, not at midnight."""


def months_before(day: date, months: int) -> date:
    """The same day `months` calendar months earlier, clamped to the end of a shorter month."""
    index = day.year * 12 + day.month - 1 - months
    year, month_index = divmod(index, 12)
    month = month_index + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def renewal_due_at(end_date: date, *, months_ahead: int = 1) -> datetime:
    """A contract's renewal reminder: `months_ahead` months before its end, at 08:00 UTC."""
    return datetime.combine(months_before(end_date, months_ahead), REMINDER_TIME)
