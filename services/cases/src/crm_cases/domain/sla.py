"""Service-level targets: per priority, how soon a case gets its first answer and its resolution."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

DUE_SOON = timedelta(hours=1)
SlaState = Literal["breached", "due_soon"]


@dataclass(frozen=True)
class SlaTarget:
    priority: str
    first_response_minutes: int
    resolution_minutes: int


@dataclass(frozen=True)
class DueTimes:
    first_response: datetime | None = None
    resolution: datetime | None = None

    @classmethod
    def of(cls, target: SlaTarget | None, opened_at: datetime) -> "DueTimes":
        """Counted in wall-clock minutes from the opening; no target, no due time."""
        if target is None:
            return cls()
        return cls(
            opened_at + timedelta(minutes=target.first_response_minutes),
            opened_at + timedelta(minutes=target.resolution_minutes),
        )


NO_DUE = DueTimes()


def sla_state(
    *,
    due: DueTimes,
    responded: bool,
    finished: bool,
    now: datetime,
    soon: timedelta = DUE_SOON,
) -> SlaState | None:
    """Breached when a pending due time has passed; due soon when one falls within `soon`."""
    pending = [
        d for d, done in ((due.first_response, responded), (due.resolution, finished)) if d and not done
    ]
    if any(d < now for d in pending):
        return "breached"
    if any(d < now + soon for d in pending):
        return "due_soon"
    return None
