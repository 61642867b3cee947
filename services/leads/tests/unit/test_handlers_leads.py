"""Lead use cases on the in-memory unit of work: the state they leave and the events they publish."""

import pytest

from crm_leads.domain.lists import LeadFilters
from crm_leads.domain.model import Lead
from crm_leads.domain.statuses import LeadStatus
from crm_leads.domain.values import EmailEntry
from crm_leads.service_layer import use_cases
from crm_leads.service_layer.use_cases import NewLead
from crm_shared.errors import Conflict, Forbidden, InvalidInput, PreconditionFailed
from crm_shared.events import leads as published
from services.leads.tests.unit.fakes import SALES, SUPPORT, FakeLeadsUnitOfWork, execute, read


async def new_lead(uow: FakeLeadsUnitOfWork, last_name: str = "Hopper", **details: object) -> Lead:
    data = NewLead(last_name=last_name, email=f"{last_name.lower()}@navy.mil", details=dict(details))
    return await execute(uow, SALES, use_cases.create_lead, data=data)


async def test_a_new_lead_lands_in_the_first_open_status_owned_by_its_creator():
    uow = FakeLeadsUnitOfWork()
    lead = await new_lead(uow, company_name="US Navy")
    stored = uow.db.leads[lead.id]
    assert (stored.status, stored.owner_id, stored.team, stored.email) == (
        LeadStatus.TO_PROCESS,
        "sales-1",
        "north",
        "hopper@navy.mil",
    )
    [created] = uow.published(published.LeadCreated)
    assert (created.lead_id, created.company_name, created.owner_id) == (lead.id, "US Navy", "sales-1")
    assert [e.event_type for e in uow.db.history if e.subject_id == lead.id] == ["lead_created"]


async def test_a_salesperson_adds_an_inline_reference_value_but_no_unknown_source():
    uow = FakeLeadsUnitOfWork()
    await new_lead(uow, function="Cryptanalyste")
    assert [r.value for r in uow.db.references.values()] == ["Cryptanalyste"]
    with pytest.raises(InvalidInput, match="source"):
        await new_lead(uow, "Turing", function="Mathématicien", source="carrier pigeon")
    assert [r.value for r in uow.db.references.values()] == ["Cryptanalyste"]  # the refusal wrote nothing
    assert len(uow.db.leads) == 1


async def test_support_reads_leads_but_does_not_create_them():
    uow = FakeLeadsUnitOfWork()
    lead = await new_lead(uow)
    assert (await read(uow, SUPPORT, use_cases.get_lead, lead_id=lead.id)).id == lead.id
    with pytest.raises(Forbidden):
        await execute(uow, SUPPORT, use_cases.create_lead, data=NewLead(last_name="Lovelace"))


async def test_an_update_publishes_each_changed_field_and_refuses_a_stale_version():
    uow = FakeLeadsUnitOfWork()
    lead = await new_lead(uow)
    changes = {"score": 4, "emails": [EmailEntry("Grace@Navy.mil"), EmailEntry("g@yale.edu", True)]}
    updated = await execute(
        uow, SALES, use_cases.update_lead, lead_id=lead.id, changes=changes, expected_version=lead.version
    )
    assert uow.db.leads[lead.id].emails == (EmailEntry("g@yale.edu", True), EmailEntry("grace@navy.mil"))
    [v2] = uow.published(published.LeadUpdatedV2)
    assert v2.changes.changed_fields() == {"score", "emails"}
    assert v2.changes.score is not None
    assert (v2.changes.score.before, v2.changes.score.after) == (0, 4)
    with pytest.raises(PreconditionFailed):
        await execute(
            uow,
            SALES,
            use_cases.update_lead,
            lead_id=lead.id,
            changes={"score": 1},
            expected_version=lead.version,
        )
    assert (uow.db.leads[lead.id].score, uow.db.leads[lead.id].version) == (4, updated.version)


async def test_a_move_places_the_lead_on_top_of_its_new_column():
    uow = FakeLeadsUnitOfWork()
    first, second, moved = [await new_lead(uow, name) for name in ("Hopper", "Lovelace", "Turing")]
    for lead in (first, second):
        await execute(
            uow,
            SALES,
            use_cases.move_lead,
            lead_id=lead.id,
            status="nurturing",
            position=None,
            expected_version=None,
        )
    await execute(
        uow,
        SALES,
        use_cases.move_lead,
        lead_id=moved.id,
        status="nurturing",
        position=0,
        expected_version=None,
    )
    column = await read(
        uow,
        SALES,
        use_cases.search_leads,
        filters=LeadFilters(statuses=("nurturing",)),
        sort=use_cases.LeadSort.POSITION,
        cursor=None,
        limit=10,
    )
    assert column[0][0].id == moved.id
    changes = [(e.lead_id, e.to_status) for e in uow.published(published.LeadStatusChanged)]
    assert changes == [(first.id, "nurturing"), (second.id, "nurturing"), (moved.id, "nurturing")]
    with pytest.raises(Conflict, match="closed"):
        await execute(
            uow,
            SALES,
            use_cases.move_lead,
            lead_id=moved.id,
            status="lost",
            position=None,
            expected_version=None,
        )


async def test_a_lost_lead_keeps_its_reason_moves_no_more_and_reopens_in_the_first_open_status():
    uow = FakeLeadsUnitOfWork()
    lead = await new_lead(uow)
    await execute(
        uow,
        SALES,
        use_cases.lose_lead,
        lead_id=lead.id,
        reason="No budget",
        status=None,
        expected_version=None,
    )
    lost = uow.db.leads[lead.id]
    assert (lost.status, lost.lost_reason) == (LeadStatus.LOST, "No budget")
    with pytest.raises(Conflict, match="reopen"):
        await execute(
            uow,
            SALES,
            use_cases.move_lead,
            lead_id=lead.id,
            status="nurturing",
            position=None,
            expected_version=None,
        )
    await execute(uow, SALES, use_cases.reopen_lead, lead_id=lead.id, expected_version=None)
    reopened = uow.db.leads[lead.id]
    assert (reopened.status, reopened.lost_reason, reopened.lost_at) == (LeadStatus.TO_PROCESS, None, None)
    moves = [(e.to_status, e.lost_reason) for e in uow.published(published.LeadStatusChanged)]
    assert moves == [("lost", "No budget"), ("to_process", None)]


async def test_the_board_counts_every_column_and_shows_its_top():
    uow = FakeLeadsUnitOfWork()
    for name in ("Hopper", "Lovelace", "Turing"):
        await new_lead(uow, name)
    columns = await read(uow, SALES, use_cases.kanban, filters=LeadFilters(), limit=2)
    assert [(c.status.key, c.count, len(c.leads)) for c in columns][:2] == [
        ("to_process", 3, 2),
        ("marketing_qualification", 0, 0),
    ]
    assert columns[0].next_cursor is not None
