from datetime import timedelta

import pytest

from crm_leads.domain.accounts.account import Account
from crm_leads.domain.model import Lead
from crm_leads.domain.workflows.assignment import AssignmentRule, LeadAssigned, RuleKind, assign, choose_rule
from crm_leads.service_layer.integration_events import translate
from crm_shared.errors import Conflict, InvalidInput


def rule(kind=RuleKind.ROUND_ROBIN, *, members=("ann", "bob", "cid"), **fields) -> AssignmentRule:
    defaults = {"team": "north"} if kind is RuleKind.ROUND_ROBIN else {"source": "web"}
    return AssignmentRule.create(name="r", kind=kind, members=list(members), **(defaults | fields))


def lead(**fields) -> Lead:
    new = Lead.create(last_name="Lovelace", **fields)
    new.pull_events()
    return new


def test_round_robin_rotates_through_members_and_wraps():
    r = rule()
    assert [r.next_owner() for _ in range(4)] == ["ann", "bob", "cid", "ann"]
    assert r.position == 1


def test_changing_members_restarts_the_rotation():
    r = rule()
    r.next_owner()
    r.change(members=["dan", "eve"], active=None, priority=None)
    assert (r.position, r.next_owner()) == (0, "dan")


@pytest.mark.parametrize(
    ("kind", "fields", "field"),
    [
        (RuleKind.ROUND_ROBIN, {"team": None}, "team"),
        (RuleKind.BY_SOURCE, {"source": None}, "source"),
        (RuleKind.ROUND_ROBIN, {"members": ()}, "members"),
        (RuleKind.ROUND_ROBIN, {"members": ("ann", "ann")}, "members"),
    ],
)
def test_incomplete_rules_are_refused_naming_the_field(kind, fields, field):
    members = fields.pop("members", ("ann",))
    with pytest.raises(InvalidInput) as refused:
        rule(kind, members=members, **fields)
    assert refused.value.extra["errors"][0]["field"] == field


def test_by_source_wins_over_team_rotation_then_priority_then_age():
    team_rule = rule(team="north")
    later = rule(RuleKind.BY_SOURCE, source="web", priority=5)
    earlier = rule(RuleKind.BY_SOURCE, source="web", priority=5)
    earlier.created_at = later.created_at - timedelta(seconds=1)
    urgent = rule(RuleKind.BY_SOURCE, source="web", priority=1)
    assert choose_rule([team_rule, later, earlier], team="north", source="web") is earlier
    assert choose_rule([team_rule, later, urgent], team="north", source="web") is urgent
    assert choose_rule([team_rule, later], team="north", source="phone") is team_rule
    assert choose_rule([team_rule, later], team="south", source="phone") is None


def test_inactive_rules_and_rules_of_other_teams_never_match():
    r = rule(RuleKind.BY_SOURCE, source="web", team="north")
    assert not r.matches(team="south", source="web")
    r.change(members=None, active=False, priority=None)
    assert not r.matches(team="north", source="web")


def test_assigning_records_from_and_to_owner_once():
    new = lead(owner_id="ann")
    assert assign(new, to_owner="bob", by="boss", team="north", rule="web")
    assert (new.owner_id, new.team) == ("bob", "north")
    assert new.pull_events() == [LeadAssigned(new.id, "ann", "bob", "north", "boss", "web")]
    assert not assign(new, to_owner="bob", by="boss")
    assert new.pull_events() == []


def test_a_converted_lead_cannot_be_reassigned():
    new = lead(owner_id="ann")
    new.convert(account=Account.open_from(new), contact=None, deal=None, by="ann")
    with pytest.raises(Conflict):
        assign(new, to_owner="bob", by="bob")
    assert new.owner_id == "ann"


def test_assignment_is_published_with_its_rule():
    [published] = list(translate(LeadAssigned(lead().id, None, "bob", "north", "system", "web")))
    assert published.event_type == "crm.leads.lead_assigned.v1"
    assert (published.from_owner, published.to_owner, published.rule) == (None, "bob", "web")
