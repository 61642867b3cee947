"""Assignment on the in-memory unit of work: rules that give new leads an owner, taking charge, and
bulk assignment, all or nothing."""

import pytest

from crm_leads.domain.model import Lead
from crm_leads.domain.references import ReferenceKind
from crm_leads.domain.workflows.assignment import RuleKind
from crm_leads.service_layer import admin, use_cases
from crm_leads.service_layer.workflows import assignment
from crm_shared.errors import InvalidInput
from crm_shared.events import leads as published
from crm_shared.ids import new_id
from services.leads.tests.unit.fakes import ADMIN, OTHER_SALES, SALES, FakeLeadsUnitOfWork, execute, field_of


async def rule(
    uow: FakeLeadsUnitOfWork, name: str, kind: RuleKind, members: list[str], **where: object
) -> None:
    values = {"team": None, "source": None, "priority": 100} | where
    await execute(uow, ADMIN, assignment.create_rule, name=name, kind=kind, members=members, **values)


async def new_lead(uow: FakeLeadsUnitOfWork, source: str | None = None) -> Lead:
    data = use_cases.NewLead(last_name="Hopper", details={"source": source} if source else {})
    return await execute(uow, SALES, use_cases.create_lead, data=data)


async def test_a_round_robin_rule_gives_the_teams_new_leads_to_each_member_in_turn():
    uow = FakeLeadsUnitOfWork()
    await rule(uow, "North", RuleKind.ROUND_ROBIN, ["ada", "alan"], team="north")
    owners = [(await new_lead(uow)).owner_id for _ in range(3)]
    assert owners == ["ada", "alan", "ada"]
    assert [(e.to_owner, e.rule) for e in uow.published(published.LeadAssigned)] == [
        ("ada", "North"),
        ("alan", "North"),
        ("ada", "North"),
    ]
    [stored] = uow.db.rules.values()
    assert stored.position == 1  # the rotation is kept for the next lead


async def test_a_rule_by_source_wins_over_the_teams_rotation():
    uow = FakeLeadsUnitOfWork()
    await rule(uow, "North", RuleKind.ROUND_ROBIN, ["ada", "alan"], team="north")
    await rule(uow, "Salons", RuleKind.BY_SOURCE, ["grace"], source="trade_show")
    await execute(
        uow,
        ADMIN,
        admin.add_reference,
        kind=ReferenceKind.SOURCE,
        value="trade_show",
        label_en=None,
        label_fr=None,
    )
    assert (await new_lead(uow, "trade_show")).owner_id == "grace"
    assert (await new_lead(uow)).owner_id == "ada"


async def test_without_a_rule_the_creator_owns_the_lead_and_taking_charge_reassigns_it():
    uow = FakeLeadsUnitOfWork()
    lead = await new_lead(uow)
    assert (lead.owner_id, uow.published(published.LeadAssigned)) == ("sales-1", [])
    await execute(uow, OTHER_SALES, assignment.take_charge, lead_id=lead.id)
    await execute(uow, OTHER_SALES, assignment.take_charge, lead_id=lead.id)  # already mine: no event
    assert uow.db.leads[lead.id].owner_id == "sales-2"
    [taken] = uow.published(published.LeadAssigned)
    assert (taken.from_owner, taken.to_owner, taken.assigned_by) == ("sales-1", "sales-2", "sales-2")


async def test_a_bulk_assignment_naming_an_unknown_lead_changes_nothing():
    uow = FakeLeadsUnitOfWork()
    leads = [await new_lead(uow) for _ in range(2)]
    unknown = [*(x.id for x in leads), new_id()]
    with pytest.raises(InvalidInput) as refused:
        await execute(uow, SALES, assignment.assign_leads, lead_ids=unknown, owner_id="ada", team=None)
    assert field_of(refused.value) == "lead_ids"
    assert {x.owner_id for x in uow.db.leads.values()} == {"sales-1"}
    assigned = await execute(
        uow, SALES, assignment.assign_leads, lead_ids=[x.id for x in leads], owner_id="ada", team="south"
    )
    assert {(x.owner_id, x.team) for x in uow.db.leads.values()} == {("ada", "south")}
    assert len(assigned) == len(uow.published(published.LeadAssigned)) == 2


async def test_new_members_restart_a_rules_rotation():
    uow = FakeLeadsUnitOfWork()
    await rule(uow, "North", RuleKind.ROUND_ROBIN, ["ada", "alan"], team="north")
    await new_lead(uow)
    [stored] = uow.db.rules.values()
    changed = await execute(
        uow,
        ADMIN,
        assignment.change_rule,
        rule_id=stored.id,
        version=stored.version,
        members=["grace", "ada"],
        active=None,
        priority=None,
    )
    assert (changed.members, changed.position) == (["grace", "ada"], 0)
    assert (await new_lead(uow)).owner_id == "grace"
