"""What the intake does with a delivered mail, and the settings it applies."""

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Literal

Source = Literal["smtp", "imap", "webhook"]
RATE_WINDOW = timedelta(hours=1)


class IntakeState(StrEnum):
    ACCEPTED = "accepted"
    """On a case (opened or appended)."""
    IGNORED = "ignored"
    """Machine mail: auto-replies, bounces, reports, our own addresses."""
    QUARANTINED = "quarantined"
    """Kept for inspection (no usable sender, unparseable, suspected loop); may be re-processed."""
    REJECTED = "rejected"
    """Refused (oversized): kept as a record only."""


@dataclass(frozen=True)
class IntakePolicy:
    system_addresses: frozenset[str] = frozenset()
    sender_rate_limit: int = 20
    attachment_max_bytes: int = 10 * 1024 * 1024
    reopen_window_days: int = 14

    def own_addresses(self, mailbox: str) -> frozenset[str]:
        """The system's addresses, the receiving mailbox included: mail from them is our own."""
        return frozenset(a.strip().lower() for a in self.system_addresses) | {mailbox}

    def over_rate_limit(self, recent: int) -> bool:
        """`recent`: the sender's mail accepted within RATE_WINDOW, before this one."""
        return recent >= self.sender_rate_limit


def loop_reason(sender: str, recent: int) -> str:
    return f"suspected mail loop: {recent} mails from {sender} within the last hour"
