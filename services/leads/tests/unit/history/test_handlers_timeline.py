"""The activity timeline on the in-memory unit of work: what every committed command did to a record,
newest first, by whom, in the same transaction."""

import pytest

from crm_leads.service_layer import use_cases
from crm_leads.service_layer.history import timeline
from crm_leads.service_layer.workflows import conversion
from crm_shared.errors import NotFound
from crm_shared.ids import new_id
from services.leads.tests.unit.fakes import SALES, SUPPORT, FakeLeadsUnitOfWork, execute, read


async def test_a_leads_timeline_lists_its_changes_newest_first_with_their_author():
    uow = FakeLeadsUnitOfWork()
    lead = await execute(uow, SALES, use_cases.create_lead, data=use_cases.NewLead(last_name="Hopper"))
    await execute(
        uow, SALES, use_cases.update_lead, lead_id=lead.id, changes={"score": 3}, expected_version=None
    )
    entries = await read(uow, SUPPORT, timeline.lead_history, lead_id=lead.id, after=None, limit=10)
    assert [(e.event_type, e.actor) for e in entries] == [
        ("lead_updated", "sales-1"),
        ("lead_created", "sales-1"),
    ]
    assert entries[0].data["changed"] == {"score": [0, 3]}
    assert {e.correlation_id for e in entries} == {"unit-test"}
    older = await read(uow, SUPPORT, timeline.lead_history, lead_id=lead.id, after=entries[0].id, limit=10)
    assert [e.event_type for e in older] == ["lead_created"]


async def test_a_conversion_reaches_the_timelines_of_the_account_and_contact_it_made():
    uow = FakeLeadsUnitOfWork()
    data = use_cases.NewLead(last_name="Hopper", details={"company_name": "Navy"})
    lead = await execute(uow, SALES, use_cases.create_lead, data=data)
    done = await execute(uow, SALES, conversion.convert_lead, lead_id=lead.id)
    of_account = await read(
        uow, SUPPORT, timeline.subject_history, subject_id=done.account.id, after=None, limit=10
    )
    assert {e.event_type for e in of_account} == {"account_opened", "contact_added", "lead_converted"}


async def test_the_timeline_of_an_unknown_lead_is_not_found():
    with pytest.raises(NotFound):
        await read(
            FakeLeadsUnitOfWork(), SUPPORT, timeline.lead_history, lead_id=new_id(), after=None, limit=10
        )
