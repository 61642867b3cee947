"""LeadConverted opens the deal asked for at conversion, once per lead, where it can take deals."""

import uuid
from datetime import date

from crm_deals.domain.model import DealStatus
from crm_shared.events import deals as published
from crm_shared.events.leads import ConvertedDeal, LeadConverted
from services.deals.tests.unit.fakes import FakeDealsUnitOfWork, deliver, envelope, pipeline, stage


def converted(
    pipeline_id: uuid.UUID | None = None, stage_id: uuid.UUID | None = None, **deal
) -> LeadConverted:
    asked = {"title": "Refonte", "amount_minor": 80_000, "currency": "EUR", "owner_id": "sales-2"} | deal
    return LeadConverted(
        lead_id=uuid.uuid4(),
        account_id=uuid.uuid4(),
        contact_id=uuid.uuid4(),
        deal=ConvertedDeal(**asked, pipeline_id=pipeline_id, stage_id=stage_id),
        converted_by="sales-1",
    )


def two_pipelines() -> tuple[FakeDealsUnitOfWork, object, object]:
    default, chosen = pipeline("DEFAULT", default=True), pipeline("CHOSEN")
    return FakeDealsUnitOfWork(default, chosen), default, chosen


async def test_a_converted_lead_opens_its_deal_in_the_stage_chosen_for_its_account_and_contact():
    uow, _, chosen = two_pipelines()
    event = converted(chosen.id, stage(chosen, "En contact").id, expected_close_date=date(2027, 3, 31))
    await deliver(uow, event)
    [deal] = uow.deals.rows.values()
    assert (deal.pipeline_id, deal.stage_id, deal.status) == (
        chosen.id,
        stage(chosen, "En contact").id,
        DealStatus.OPEN,
    )
    assert (deal.lead_id, deal.account_id, deal.contact_id) == (
        event.lead_id,
        event.account_id,
        event.contact_id,
    )
    assert (deal.title, deal.amount_minor, deal.owner_id, deal.created_by) == (
        "Refonte",
        80_000,
        "sales-2",
        "sales-1",
    )
    assert deal.expected_close_date == date(2027, 3, 31)
    [created] = uow.published(published.DealCreated)
    assert (created.deal_id, created.lead_id, created.pipeline_name, created.stage_name) == (
        deal.id,
        event.lead_id,
        "CHOSEN",
        "En contact",
    )


async def test_a_lead_opens_one_deal_however_often_its_conversion_arrives():
    uow, *_ = two_pipelines()
    event = converted()
    sent = envelope(event)
    assert await deliver(uow, event, sent)
    assert not await deliver(uow, event, sent)  # redelivered: the inbox refuses it
    assert await deliver(uow, event.model_copy())  # republished under another id: the lead id decides
    assert len(uow.deals.rows) == 1
    assert len(uow.published(published.DealCreated)) == 1


async def test_a_pipeline_that_cannot_take_the_deal_gives_way_to_the_default_one():
    uow, default, chosen = two_pipelines()
    archived = pipeline("ARCHIVED")
    archived.archived = True
    await uow.pipelines.add(archived)
    for event in (
        converted(uuid.uuid4()),  # unknown
        converted(archived.id),
        converted(chosen.id, stage(chosen, "Won").id),  # a closing stage
    ):
        await deliver(uow, event)
        [deal] = [d for d in uow.deals.rows.values() if d.lead_id == event.lead_id]
        assert (deal.pipeline_id, deal.stage_id) == (default.id, stage(default, "À contacter").id)
    assert len(uow.published(published.DealCreated)) == 3


async def test_a_conversion_without_a_deal_opens_none():
    uow, *_ = two_pipelines()
    event = converted().model_copy(update={"deal": None})
    assert await deliver(uow, event)
    assert (uow.deals.rows, uow.outbox) == ({}, [])
