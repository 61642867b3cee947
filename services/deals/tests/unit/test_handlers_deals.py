"""Deal commands through the bus on the fake unit of work: create, update (If-Match), move, move to
another pipeline. Each asserts the deal as saved and what the commit publishes."""

import uuid

import pytest

from crm_deals.adapters.directories import KnownUser
from crm_deals.service_layer import use_cases
from crm_shared.errors import Conflict, Forbidden, InvalidInput, PreconditionFailed
from crm_shared.events import deals as published
from crm_shared.events.changes import Change
from services.deals.tests.unit.fakes import (
    CSM,
    SALES,
    FakeDealsUnitOfWork,
    bus,
    pipeline,
    seed_closed,
    seed_deal,
    stage,
)


def sales_pipeline() -> tuple[FakeDealsUnitOfWork, object]:
    p = pipeline(default=True)
    return FakeDealsUnitOfWork(p, users=[KnownUser("csm-4", "csm-east", ("csm",), True)]), p


async def create(uow: FakeDealsUnitOfWork, actor=SALES, **values):
    fields = {"title": "Refonte", "amount_minor": 5000} | values
    return await bus(uow, actor).execute(
        use_cases.create_deal, pipeline_id=None, stage_id=None, values=fields
    )


async def test_sales_opens_a_deal_at_the_bottom_of_the_default_pipelines_first_stage():
    uow, p = sales_pipeline()
    below = seed_deal(uow, p)
    deal = await create(uow)
    saved = uow.deal(deal.id)
    assert (saved.pipeline_id, saved.stage_id, saved.probability) == (p.id, stage(p, "À contacter").id, 10)
    assert (saved.owner_id, saved.team, saved.created_by, saved.version) == (
        "sales-1",
        "squad-a",
        "sales-1",
        1,
    )
    assert saved.rank == below.rank + 1
    [created] = uow.published(published.DealCreated)
    assert (created.deal_id, created.pipeline_name, created.stage_name, created.owner_id) == (
        deal.id,
        "SALES SQUAD",
        "À contacter",
        "sales-1",
    )
    assert uow.users.rows["sales-1"] == KnownUser("sales-1", "squad-a", ("sales",), True)  # remembered
    [period] = await uow.stage_periods.of_deal(deal.id)
    assert (period.stage_name, period.entered_by, period.left_at) == ("À contacter", "sales-1", None)
    assert uow.commits == 1


async def test_only_sales_gives_a_new_deal_to_another_owner_who_must_be_a_known_user():
    uow, _ = sales_pipeline()
    with pytest.raises(Forbidden):
        await create(uow, CSM, owner_id="csm-4")
    with pytest.raises(InvalidInput) as unknown:
        await create(uow, owner_id="ghost")
    assert unknown.value.extra["errors"][0]["field"] == "owner_id"
    assert (uow.deals.rows, uow.outbox, uow.commits) == ({}, [], 0)
    given = await create(uow, owner_id="csm-4")
    assert (uow.deal(given.id).owner_id, uow.deal(given.id).team) == ("csm-4", "csm-east")  # the owner's team


async def test_an_update_at_the_version_read_saves_and_publishes_both_versions_of_the_change():
    uow, p = sales_pipeline()
    deal = seed_deal(uow, p)
    changes = {"amount_minor": 2500, "tags": ("VIP",)}
    await bus(uow, SALES).execute(use_cases.update_deal, deal_id=deal.id, changes=changes, expected_version=1)
    saved = uow.deal(deal.id)
    assert (saved.amount_minor, saved.tags, saved.version) == (2500, ("vip",), 2)
    [v1] = uow.published(published.DealUpdated)
    [v2] = uow.published(published.DealUpdatedV2)
    assert v1.deal_id == v2.deal_id == deal.id
    assert v2.changes.amount_minor == Change(before=1000, after=2500)

    with pytest.raises(PreconditionFailed):  # If-Match: 1, but the deal is at 2 now
        await bus(uow, SALES).execute(
            use_cases.update_deal, deal_id=deal.id, changes={"amount_minor": 1}, expected_version=1
        )
    assert (uow.deal(deal.id).amount_minor, uow.deal(deal.id).version, uow.commits) == (2500, 2, 1)


async def test_an_update_that_changes_nothing_saves_and_publishes_nothing():
    uow, p = sales_pipeline()
    deal = seed_deal(uow, p)
    await bus(uow, SALES).execute(
        use_cases.update_deal, deal_id=deal.id, changes={"title": "Site"}, expected_version=None
    )
    assert (uow.deal(deal.id).version, uow.outbox) == (1, [])


async def test_csm_changes_only_the_deals_it_owns_and_never_their_owner():
    uow, p = sales_pipeline()
    theirs, mine = seed_deal(uow, p), seed_deal(uow, p, owner_id="csm-1")
    update = bus(uow, CSM).execute
    with pytest.raises(Forbidden):
        await update(use_cases.update_deal, deal_id=theirs.id, changes={"score": 3}, expected_version=None)
    with pytest.raises(Forbidden):
        await update(
            use_cases.update_deal, deal_id=mine.id, changes={"owner_id": "csm-4"}, expected_version=None
        )
    await update(use_cases.update_deal, deal_id=mine.id, changes={"score": 3}, expected_version=None)
    assert (uow.deal(theirs.id).score, uow.deal(mine.id).score) == (None, 3)
    assert [e.deal_id for e in uow.published(published.DealUpdatedV2)] == [mine.id]


async def move(uow, deal, to, *, before=None, after=None, version=None):
    return await bus(uow, SALES).execute(
        use_cases.move_deal,
        deal_id=deal.id,
        stage_id=to.id,
        before_id=before,
        after_id=after,
        expected_version=version,
    )


async def test_a_move_enters_the_stage_with_its_probability_and_a_new_period():
    uow, p = sales_pipeline()
    deal = seed_deal(uow, p)
    await move(uow, deal, stage(p, "Negotiation"), version=1)
    saved = uow.deal(deal.id)
    assert (saved.stage_id, saved.probability, saved.version) == (stage(p, "Negotiation").id, 80, 2)
    [moved] = uow.published(published.DealStageChanged)
    assert (moved.from_stage_name, moved.to_stage_name, moved.changed_by) == (
        "À contacter",
        "Negotiation",
        "sales-1",
    )
    assert [s.stage_name for s in await uow.stage_periods.of_deal(deal.id)] == ["Negotiation"]


async def test_a_move_between_two_neighbours_takes_the_rank_between_them():
    uow, p = sales_pipeline()
    column = stage(p, "En contact")
    upper, lower = (
        seed_deal(uow, p, at="En contact", rank=10.0),
        seed_deal(uow, p, at="En contact", rank=20.0),
    )
    deal = seed_deal(uow, p)
    await move(uow, deal, column, before=lower.id, after=upper.id)
    assert uow.deal(deal.id).rank == 15.0
    await move(uow, lower, column, before=upper.id)  # a reorder within the column
    assert uow.deal(lower.id).rank == 9.0
    [reordered] = uow.published(published.DealUpdatedV2)
    assert reordered.changes.rank == Change(before=20.0, after=9.0)
    with pytest.raises(InvalidInput) as elsewhere:
        await move(uow, deal, stage(p, "Negotiation"), after=upper.id)
    assert elsewhere.value.extra["errors"][0]["field"] == "after_id"


async def test_closing_stages_closed_deals_and_stale_versions_refuse_a_move():
    uow, p = sales_pipeline()
    deal, lost = seed_deal(uow, p), seed_closed(uow, p, won=False)
    with pytest.raises(InvalidInput):
        await move(uow, deal, stage(p, "Won"))
    with pytest.raises(Conflict) as closed:
        await move(uow, lost, stage(p, "En contact"))
    assert closed.value.code == "deal_closed"
    with pytest.raises(PreconditionFailed):
        await move(uow, deal, stage(p, "En contact"), version=7)
    assert (uow.deal(deal.id).stage_id, uow.outbox) == (stage(p, "À contacter").id, [])


async def to_pipeline(uow, deal, pipeline_id, stage_id=None):
    return await bus(uow, SALES).execute(
        use_cases.move_deal_to_pipeline,
        deal_id=deal.id,
        pipeline_id=pipeline_id,
        stage_id=stage_id,
        expected_version=None,
    )


async def test_a_deal_moves_to_the_stage_of_the_same_name_in_another_pipeline_at_its_bottom():
    uow, p = sales_pipeline()
    target = pipeline("CLIENTS SQUAD")
    await uow.pipelines.add(target)
    already = seed_deal(uow, target, at="En contact")
    deal = seed_deal(uow, p, at="En contact")
    await to_pipeline(uow, deal, target.id)
    saved = uow.deal(deal.id)
    assert (saved.pipeline_id, saved.stage_id) == (target.id, stage(target, "En contact").id)
    assert saved.rank == already.rank + 1
    [moved] = uow.published(published.DealStageChanged)
    assert (moved.from_pipeline, moved.to_pipeline, moved.cause) == (p.id, target.id, "pipeline_changed")
    await to_pipeline(uow, deal, p.id, stage(p, "Negotiation").id)  # or the stage asked for
    assert uow.deal(deal.id).stage_id == stage(p, "Negotiation").id


async def test_the_same_or_an_unknown_pipeline_is_refused_on_the_pipeline_field():
    uow, p = sales_pipeline()
    deal = seed_deal(uow, p)
    for pipeline_id in (p.id, uuid.uuid4()):
        with pytest.raises(InvalidInput) as refused:
            await to_pipeline(uow, deal, pipeline_id)
        assert refused.value.extra["errors"][0]["field"] == "pipeline_id"
    assert (uow.deal(deal.id).pipeline_id, uow.outbox) == (p.id, [])
