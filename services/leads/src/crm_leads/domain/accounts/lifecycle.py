"""Lifecycle status of contacts and accounts: prospect and customer states derived from their deals.

The state is a pure function of the deals known for the record and of the manual overrides (with the
time they were set), so it is recomputed exactly whatever the order or number of deliveries of the
deal events. An override holds until a later deal change supersedes it, and only while the rules allow it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from crm_shared.errors import Conflict


class ProspectState(StrEnum):
    NONE = "none"
    CURRENT = "current"
    LOST = "lost"


class CustomerState(StrEnum):
    NONE = "none"
    CURRENT = "current"
    FORMER = "former"


class DealState(StrEnum):
    OPEN = "open"
    WON = "won"
    LOST = "lost"


@dataclass(frozen=True)
class Lifecycle:
    prospect: ProspectState = ProspectState.NONE
    customer: CustomerState = CustomerState.NONE


@dataclass(frozen=True)
class DealFact:
    """One deal of a contact or account, as the last deal event applied describes it."""

    status: DealState
    changed_at: datetime


@dataclass(frozen=True)
class Overrides:
    """States set by hand, each with the time it was set."""

    prospect: ProspectState | None = None
    prospect_at: datetime | None = None
    customer: CustomerState | None = None
    customer_at: datetime | None = None


def derived(deals: Sequence[DealFact]) -> Lifecycle:
    """Open deal -> current prospect; every deal lost -> lost prospect; a won deal -> current customer."""
    statuses = {d.status for d in deals}
    if DealState.OPEN in statuses:
        prospect = ProspectState.CURRENT
    elif statuses == {DealState.LOST}:
        prospect = ProspectState.LOST
    else:
        prospect = ProspectState.NONE
    customer = CustomerState.CURRENT if DealState.WON in statuses else CustomerState.NONE
    return Lifecycle(prospect, customer)


def prospect_refusal(deals: Sequence[DealFact], wanted: ProspectState) -> str | None:
    statuses = {d.status for d in deals}
    if DealState.OPEN in statuses and wanted is not ProspectState.CURRENT:
        return f"a record with an open deal cannot be set to {wanted} prospect"
    if DealState.WON in statuses and wanted is ProspectState.LOST:
        return "a record with a won deal cannot be set to lost prospect"
    return None


def customer_refusal(deals: Sequence[DealFact], wanted: CustomerState) -> str | None:
    if wanted is CustomerState.NONE and any(d.status is DealState.WON for d in deals):
        return "a record with a won deal is a current or former customer"
    return None


def check_overrides(
    deals: Sequence[DealFact], *, prospect: ProspectState | None, customer: CustomerState | None
) -> None:
    """Refuse (409) a manual state that contradicts the record's deals."""
    refusals = [
        prospect_refusal(deals, prospect) if prospect else None,
        customer_refusal(deals, customer) if customer else None,
    ]
    reason = next((r for r in refusals if r), None)
    if reason:
        raise Conflict(reason, code="lifecycle_refused")


def lifecycle_of(deals: Sequence[DealFact], overrides: Overrides) -> Lifecycle:
    base = derived(deals)
    return Lifecycle(
        _prospect(deals, overrides) or base.prospect, _customer(deals, overrides) or base.customer
    )


def _prospect(deals: Sequence[DealFact], overrides: Overrides) -> ProspectState | None:
    """Any later deal change supersedes a manual prospect state."""
    wanted, at = overrides.prospect, overrides.prospect_at
    if wanted is None or at is None or any(d.changed_at > at for d in deals):
        return None
    return None if prospect_refusal(deals, wanted) else wanted


def _customer(deals: Sequence[DealFact], overrides: Overrides) -> CustomerState | None:
    """Only a deal won later supersedes a manual customer state (a former customer stays former)."""
    wanted, at = overrides.customer, overrides.customer_at
    if wanted is None or at is None:
        return None
    if any(d.status is DealState.WON and d.changed_at > at for d in deals):
        return None
    return None if customer_refusal(deals, wanted) else wanted


@dataclass(frozen=True)
class DealRecord:
    """What lifecycle knows of one deal: its last status, primary contact and account."""

    deal_id: UUID
    status: DealState
    contact_id: UUID | None
    account_id: UUID | None
    changed_at: datetime

    @property
    def fact(self) -> DealFact:
        return DealFact(self.status, self.changed_at)


def merged(known: DealRecord | None, incoming: DealRecord) -> DealRecord:
    """The newer event sets the status; ids an event lacks are kept from the other. Order-independent."""
    if known is None:
        return incoming
    newer, older = (incoming, known) if incoming.changed_at >= known.changed_at else (known, incoming)
    return replace(
        newer,
        contact_id=newer.contact_id or older.contact_id,
        account_id=newer.account_id or older.account_id,
    )
