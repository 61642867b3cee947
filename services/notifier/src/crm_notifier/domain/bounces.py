"""Addresses that bounce: mail to them is skipped for a while rather than sent into the void.

A permanent bounce (5xx: no such user, domain gone) suppresses the address for `SUPPRESSION_DAYS`;
afterwards mail is tried again, and a new bounce suppresses it again. A temporary bounce (mailbox full,
greylisting) suppresses nothing: the sender's retries are there for that.
"""

from datetime import datetime, timedelta

SUPPRESSION_DAYS = 30


def suppressed_until(
    bounced_at: datetime, *, permanent: bool, days: int = SUPPRESSION_DAYS
) -> datetime | None:
    """Until when mail to an address that bounced at `bounced_at` is skipped; None: not at all."""
    return bounced_at + timedelta(days=days) if permanent else None


def bouncing_reason(address: str, until: datetime) -> str:
    return f"address {address} is bouncing (mail suppressed until {until:%Y-%m-%d})"
