"""Web-to-lead on the in-memory unit of work: a public submission creates a lead, or completes the open
lead with the same address; spam is stored nowhere; each client is rate-limited."""

from datetime import UTC, datetime, timedelta

from crm_leads.domain.workflows.assignment import RuleKind
from crm_leads.domain.workflows.intake import RateLimit
from crm_leads.service_layer import use_cases
from crm_leads.service_layer.workflows import assignment, intake
from crm_shared.events import leads as published
from services.leads.tests.unit.fakes import ADMIN, SALES, FakeLeadsUnitOfWork, execute

FORM = {
    "form_key": "contact-fr",
    "name": "Contact",
    "team": "web",
    "source": None,
    "field_mapping": {"nom": "last_name", "courriel": "email", "societe": "company_name", "tel": "phone"},
    "consent_fields": ["newsletter"],
}


async def submit(uow: FakeLeadsUnitOfWork, **submission: object) -> object:
    visitor = intake.form_principal("contact-fr")
    return await execute(
        uow,
        visitor,
        intake.submit_form,
        form_key="contact-fr",
        submission=submission,
        origin=None,
        client="10.0.0.1",
    )


async def with_form() -> FakeLeadsUnitOfWork:
    uow = FakeLeadsUnitOfWork()
    await execute(uow, ADMIN, intake.create_form, values=dict(FORM))
    await execute(
        uow,
        ADMIN,
        assignment.create_rule,
        name="Web",
        kind=RuleKind.ROUND_ROBIN,
        members=["ada"],
        team="web",
        source=None,
        priority=100,
    )
    return uow


async def test_a_submission_creates_a_lead_assigned_by_the_forms_team_rules():
    uow = await with_form()
    lead_id = await submit(uow, nom="Hopper", courriel="Grace@Navy.mil", newsletter="on")
    lead = uow.db.leads[lead_id]
    assert (lead.last_name, lead.email, lead.team, lead.owner_id) == (
        "Hopper",
        "grace@navy.mil",
        "web",
        "ada",
    )
    [submission] = uow.db.submissions
    assert (submission["lead_id"], submission["outcome"], submission["consents"]) == (
        lead_id,
        "created",
        {"newsletter": True},
    )
    [created] = uow.published(published.LeadCreated)
    [assigned] = uow.published(published.LeadAssigned)
    assert (created.lead_id, created.owner_id) == (lead_id, None)  # the rule's assignment follows
    assert (assigned.to_owner, assigned.assigned_by, assigned.rule) == ("ada", "web-form:contact-fr", "Web")
    assert uow.published(published.LeadUpdated) == []  # a new lead is announced once
    assert uow.locks.held == ["intake-email:grace@navy.mil"]


async def test_a_submission_completes_the_open_lead_with_the_same_address_and_overwrites_nothing():
    uow = await with_form()
    data = use_cases.NewLead(last_name="Hopper", email="grace@navy.mil", details={"company_name": "US Navy"})
    lead = await execute(uow, SALES, use_cases.create_lead, data=data)
    lead_id = await submit(uow, nom="Murray", courriel="GRACE@navy.mil", societe="Yale", tel="+33142685300")
    assert lead_id == lead.id
    stored = uow.db.leads[lead.id]
    assert (stored.last_name, stored.company_name, stored.phone) == ("Hopper", "US Navy", "+33142685300")
    assert len(uow.db.leads) == 1
    assert uow.db.submissions[0]["outcome"] == "updated"
    [update] = uow.published(published.LeadUpdatedV2)
    assert update.changes.changed_fields() == {"phone"}


async def test_a_lost_lead_is_not_completed_a_new_one_is_created():
    uow = await with_form()
    data = use_cases.NewLead(last_name="Hopper", email="grace@navy.mil")
    lost = await execute(uow, SALES, use_cases.create_lead, data=data)
    await execute(
        uow, SALES, use_cases.lose_lead, lead_id=lost.id, reason="Gone", status=None, expected_version=None
    )
    assert await submit(uow, nom="Hopper", courriel="grace@navy.mil") != lost.id
    assert len(uow.db.leads) == 2


async def test_a_filled_honeypot_is_answered_but_stored_nowhere():
    uow = await with_form()
    assert (
        await submit(uow, nom="Bot", courriel="bot@spam.example", website_url="http://spam.example") is None
    )
    assert (uow.db.leads, uow.db.submissions) == ({}, [])


async def test_each_client_is_counted_in_its_window_and_waits_once_over_the_limit():
    uow = await with_form()
    limit, now = RateLimit(limit=2, window_s=60), datetime(2026, 3, 1, 9, 0, 10, tzinfo=UTC)
    visitor = intake.form_principal("contact-fr")

    async def count(client: str, at: datetime) -> int | None:
        return await execute(uow, visitor, intake.count_request, client=client, limit=limit, now=at)

    assert [await count("10.0.0.1", now) for _ in range(3)] == [None, None, 50]
    assert await count("10.0.0.2", now) is None
    assert await count("10.0.0.1", now + timedelta(seconds=60)) is None  # a new window
    await count("10.0.0.1", now + timedelta(seconds=120))
    # Windows older than the one before are forgotten.
    assert sorted((client, at.minute, hits) for (client, at), hits in uow.db.rate_windows.items()) == [
        ("10.0.0.1", 1, 1),
        ("10.0.0.1", 2, 1),
    ]
