"""The lifecycle part of contacts and accounts: stored states, manual overrides, recomputation."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from crm_leads.domain.accounts.lifecycle import (
    CustomerState,
    DealFact,
    Lifecycle,
    Overrides,
    ProspectState,
    check_overrides,
    lifecycle_of,
)
from crm_shared.domain import Aggregate, DomainEvent


@dataclass(eq=False, kw_only=True)
class LifecycleRecord(Aggregate):
    prospect_state: ProspectState = ProspectState.NONE
    customer_state: CustomerState = CustomerState.NONE
    prospect_override: ProspectState | None = None
    prospect_override_at: datetime | None = None
    customer_override: CustomerState | None = None
    customer_override_at: datetime | None = None

    @property
    def lifecycle(self) -> Lifecycle:
        return Lifecycle(self.prospect_state, self.customer_state)

    @property
    def overrides(self) -> Overrides:
        return Overrides(
            self.prospect_override,
            self.prospect_override_at,
            self.customer_override,
            self.customer_override_at,
        )

    def recompute(self, deals: Sequence[DealFact], *, by: str, at: datetime, deal_id: UUID | None) -> bool:
        """Bring the stored states in line with the deals; records a change event when they move."""
        before, after = self.lifecycle, lifecycle_of(deals, self.overrides)
        if after == before:
            return False
        self.prospect_state, self.customer_state = after.prospect, after.customer
        self.record(self._lifecycle_changed(before, after, by=by, at=at, deal_id=deal_id))
        return True

    def set_lifecycle(
        self,
        deals: Sequence[DealFact],
        *,
        prospect: ProspectState | None,
        customer: CustomerState | None,
        by: str,
        at: datetime,
    ) -> bool:
        """A state set by hand; refused (409) where the deals contradict it."""
        check_overrides(deals, prospect=prospect, customer=customer)
        if prospect is not None:
            self.prospect_override, self.prospect_override_at = prospect, at
        if customer is not None:
            self.customer_override, self.customer_override_at = customer, at
        return self.recompute(deals, by=by, at=at, deal_id=None)

    def _lifecycle_changed(
        self, before: Lifecycle, after: Lifecycle, *, by: str, at: datetime, deal_id: UUID | None
    ) -> DomainEvent:
        raise NotImplementedError
