"""Lifecycle rules: states derived from deals, manual overrides and when they are refused or superseded."""

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from crm_leads.domain.accounts import events
from crm_leads.domain.accounts.account import Account
from crm_leads.domain.accounts.contact import Contact
from crm_leads.domain.accounts.lifecycle import (
    CustomerState,
    DealFact,
    DealRecord,
    DealState,
    Lifecycle,
    Overrides,
    ProspectState,
    derived,
    lifecycle_of,
    merged,
)
from crm_shared.errors import Conflict

T0 = datetime(2026, 1, 1, tzinfo=UTC)
OPEN, WON, LOST = DealState.OPEN, DealState.WON, DealState.LOST


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def facts(*statuses: DealState, minute: int = 0) -> list[DealFact]:
    return [DealFact(s, at(minute)) for s in statuses]


@pytest.mark.parametrize(
    ("statuses", "prospect", "customer"),
    [
        ((), ProspectState.NONE, CustomerState.NONE),
        ((OPEN,), ProspectState.CURRENT, CustomerState.NONE),
        ((LOST, LOST), ProspectState.LOST, CustomerState.NONE),
        ((LOST, OPEN), ProspectState.CURRENT, CustomerState.NONE),
        ((WON,), ProspectState.NONE, CustomerState.CURRENT),
        ((WON, LOST), ProspectState.NONE, CustomerState.CURRENT),
        ((WON, OPEN), ProspectState.CURRENT, CustomerState.CURRENT),
    ],
)
def test_states_derive_from_the_deals(statuses, prospect, customer):
    assert derived(facts(*statuses)) == Lifecycle(prospect, customer)


def contact() -> Contact:
    made = Contact.create(last_name="Hopper")
    made.pull_events()
    return made


@pytest.mark.parametrize("wanted", [ProspectState.NONE, ProspectState.LOST])
def test_an_open_deal_forbids_no_and_lost_prospect_and_nothing_changes(wanted):
    person = contact()
    person.recompute(facts(OPEN), by="system", at=at(0), deal_id=None)
    person.pull_events()
    with pytest.raises(Conflict):
        person.set_lifecycle(facts(OPEN), prospect=wanted, customer=None, by="alice", at=at(5))
    assert person.prospect_state is ProspectState.CURRENT
    assert person.prospect_override is None
    assert person.pull_events() == []


def test_a_won_deal_forbids_lost_prospect_but_allows_no_prospect():
    person = contact()
    with pytest.raises(Conflict):
        person.set_lifecycle(facts(WON), prospect=ProspectState.LOST, customer=None, by="alice", at=at(5))
    person.set_lifecycle(facts(WON), prospect=ProspectState.NONE, customer=None, by="alice", at=at(5))


def test_a_lost_prospect_can_be_set_by_hand_and_publishes_before_and_after():
    person = contact()
    assert person.set_lifecycle([], prospect=ProspectState.LOST, customer=None, by="alice", at=at(1))
    [changed] = person.pull_events()
    assert isinstance(changed, events.ContactLifecycleChanged)
    assert changed.before == Lifecycle()
    assert changed.after == Lifecycle(ProspectState.LOST, CustomerState.NONE)
    assert changed.by == "alice"


def test_a_later_deal_supersedes_a_manual_prospect_state_an_earlier_one_does_not():
    overrides = Overrides(prospect=ProspectState.LOST, prospect_at=at(10))
    assert lifecycle_of(facts(LOST, minute=5), overrides).prospect is ProspectState.LOST
    assert lifecycle_of(facts(OPEN, minute=15), overrides).prospect is ProspectState.CURRENT


def test_an_override_the_deals_now_contradict_is_ignored_even_if_newer():
    """An older DealCreated delivered late must not leave a 'lost' prospect with an open deal."""
    overrides = Overrides(prospect=ProspectState.LOST, prospect_at=at(10))
    assert lifecycle_of(facts(OPEN, minute=5), overrides).prospect is ProspectState.CURRENT


def test_a_former_customer_stays_former_until_a_new_deal_is_won():
    overrides = Overrides(customer=CustomerState.FORMER, customer_at=at(10))
    won_before = [DealFact(WON, at(5))]
    assert lifecycle_of(won_before, overrides).customer is CustomerState.FORMER
    assert lifecycle_of([*won_before, DealFact(OPEN, at(20))], overrides).customer is CustomerState.FORMER
    assert lifecycle_of([*won_before, DealFact(WON, at(20))], overrides).customer is CustomerState.CURRENT


def test_a_won_deal_forbids_no_customer():
    with pytest.raises(Conflict):
        contact().set_lifecycle(facts(WON), prospect=None, customer=CustomerState.NONE, by="a", at=at(1))


def test_recomputing_twice_changes_once():
    account = Account.create(name="Initech")
    account.pull_events()
    assert account.recompute(facts(WON), by="bob", at=at(1), deal_id=None)
    assert not account.recompute(facts(WON), by="bob", at=at(1), deal_id=None)
    [changed] = account.pull_events()
    assert isinstance(changed, events.AccountLifecycleChanged)
    assert changed.after.customer is CustomerState.CURRENT


def test_a_reopened_deal_moves_a_customer_back():
    person = contact()
    person.recompute(facts(WON, minute=1), by="bob", at=at(1), deal_id=None)
    person.recompute(facts(OPEN, minute=2), by="bob", at=at(2), deal_id=None)
    assert person.lifecycle == Lifecycle(ProspectState.CURRENT, CustomerState.NONE)


def record(status: DealState, minute: int, contact_id=None, account_id=None) -> DealRecord:
    return DealRecord(DEAL, status, contact_id, account_id, at(minute))


DEAL = uuid4()


def test_deal_events_merge_the_same_whatever_their_order():
    person, company = uuid4(), uuid4()
    created = record(OPEN, 0, contact_id=person, account_id=company)
    won = record(WON, 5, account_id=company)
    lost_again = record(LOST, 9)
    in_order = merged(merged(merged(None, created), won), lost_again)
    shuffled = merged(merged(merged(None, lost_again), created), won)
    assert in_order == shuffled
    assert (in_order.status, in_order.contact_id, in_order.account_id) == (LOST, person, company)


def test_a_redelivered_event_changes_nothing():
    won = record(WON, 5, contact_id=uuid4())
    assert merged(won, won) == won
