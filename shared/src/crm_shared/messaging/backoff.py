"""Capped exponential backoff with jitter, for every retry loop of the messaging plumbing."""

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Backoff:
    base_s: float
    cap_s: float

    def delay(self, attempt: int) -> float:
        """Pause before retry number `attempt` (1, 2, ...): doubles each time, never above the cap.
        Jitter (half to all of it) keeps instances that failed together from retrying together."""
        ceiling = min(self.cap_s, self.base_s * 2 ** min(max(attempt, 1) - 1, 30))
        return random.uniform(ceiling / 2, ceiling)  # noqa: S311 - timing jitter, not security
