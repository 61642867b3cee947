"""The Deal aggregate's rules the deal commands rely on: dated titles, probabilities, moves, reopening."""

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from crm_deals.domain import events
from crm_deals.domain.model import Deal, DealStatus, Pipeline, Stage, StageKind
from crm_deals.domain.pipelines import PipelineSettings
from crm_shared.errors import Conflict, InvalidInput

STAGES = (
    ("À contacter", 10, StageKind.OPEN),
    ("En contact", 25, StageKind.OPEN),
    ("Offer send", 50, StageKind.OPEN),
    ("Won", 100, StageKind.WON),
    ("Lost", 0, StageKind.LOST),
)


def pipeline(*, dated: bool = False, name: str = "SALES SQUAD") -> Pipeline:
    stages = tuple(Stage(uuid.uuid4(), n, i, p, k) for i, (n, p, k) in enumerate(STAGES))
    settings = PipelineSettings(proposal_stage_id=stages[2].id, title_date_prefix=dated)
    return Pipeline(id=uuid.uuid4(), name=name, currency="EUR", stages=stages, settings=settings)


def opened(p: Pipeline, **values: object) -> Deal:
    deal = Deal.open(
        pipeline=p, by="alice", **({"title": "Site", "amount_minor": 1000, "owner_id": "alice"} | values)
    )
    deal.pull_events()
    return deal


def test_a_dated_pipeline_prefixes_titles_and_redates_them_on_entering_the_proposal_stage():
    p = pipeline(dated=True)
    deal = opened(p, title="2020/01/31 Refonte")
    assert deal.title == "2020/01/31 Refonte"  # an existing prefix is kept at creation
    deal.move(pipeline=p, stage=p.stages[2], by="bob")
    today = datetime.now(UTC).date()
    assert deal.title == f"{today:%Y/%m/%d} Refonte"
    moved, updated = deal.pull_events()
    assert isinstance(moved, events.DealStageChanged)
    assert isinstance(updated, events.DealUpdated)
    assert updated.changed == {"title": ("2020/01/31 Refonte", deal.title)}
    assert opened(p, title="Audit").title == f"{today:%Y/%m/%d} Audit"


def test_undated_pipelines_leave_titles_alone():
    p = pipeline()
    deal = opened(p, title="Audit")
    deal.move(pipeline=p, stage=p.stages[2], by="bob")
    assert deal.title == "Audit"


def test_an_overridden_probability_survives_moves_until_reset_to_the_stage_default():
    p = pipeline()
    deal = opened(p, probability=70)
    assert (deal.probability, deal.probability_overridden) == (70, True)
    deal.move(pipeline=p, stage=p.stages[1], by="bob")
    assert deal.probability == 70
    with pytest.raises(InvalidInput):
        deal.update({"probability": None}, by="bob")  # the current stage is needed to reset
    assert deal.update({"probability": None}, by="bob", stage=p.stages[1])
    assert (deal.probability, deal.probability_overridden) == (25, False)
    [*_, updated] = deal.pull_events()
    assert updated.changed["probability"] == (70, 25)
    deal.move(pipeline=p, stage=p.stages[2], by="bob")
    assert deal.probability == 50


def test_a_reorder_within_a_stage_records_the_rank_change_only():
    p = pipeline()
    deal = opened(p, rank=5.0)
    deal.move(pipeline=p, stage=p.stages[0], by="bob", rank=5.0)
    assert deal.pull_events() == []
    deal.move(pipeline=p, stage=p.stages[0], by="bob", rank=2.5)
    [updated] = deal.pull_events()
    assert isinstance(updated, events.DealUpdated)
    assert updated.changed == {"rank": (5.0, 2.5)}


def test_closed_deals_do_not_move_until_reopened():
    p, other = pipeline(), pipeline(name="CLIENTS SQUAD - CSM")
    deal = opened(p)
    deal.win(pipeline=p, by="bob")
    deal.pull_events()
    with pytest.raises(Conflict):
        deal.move(pipeline=p, stage=p.stages[1], by="bob")
    with pytest.raises(Conflict):
        deal.move_to_pipeline(source=p, target=other, stage=other.stages[0], by="bob")
    assert (deal.status, deal.pipeline_id, deal.pull_events()) == (DealStatus.WON, p.id, [])


def test_won_and_lost_stages_are_reached_by_closing_not_by_moving():
    p = pipeline()
    deal = opened(p)
    with pytest.raises(InvalidInput):
        deal.move(pipeline=p, stage=p.stages[3], by="bob")
    assert deal.status is DealStatus.OPEN


def test_reopening_a_lost_deal_puts_it_back_in_an_open_stage():
    p = pipeline()
    deal = opened(p)
    deal.lose(pipeline=p, reason="budget", by="bob")
    deal.pull_events()
    with pytest.raises(InvalidInput):
        deal.reopen(pipeline=p, stage=p.stages[3], by="bob")
    deal.reopen(pipeline=p, stage=p.stages[1], by="bob")
    assert (deal.status, deal.stage_id, deal.lost_reason, deal.closed_at) == (
        DealStatus.OPEN,
        p.stages[1].id,
        None,
        None,
    )
    assert deal.probability == 25
    [reopened] = deal.pull_events()
    assert isinstance(reopened, events.DealReopened)
    assert (reopened.from_status, reopened.from_stage, reopened.to_stage) == (
        "lost",
        p.stages[4].id,
        p.stages[1].id,
    )
    with pytest.raises(Conflict):
        deal.reopen(pipeline=p, stage=None, by="bob")


def test_moving_to_another_pipeline_maps_the_stage_by_name_then_by_position():
    p = pipeline()
    other = pipeline(name="CLIENTS SQUAD - CSM")
    renamed = replace(other.stages[0], name="En cours et à prolonger")
    other.stages = (renamed, *other.stages[1:])
    deal = opened(p)
    deal.move(pipeline=p, stage=p.stages[1], by="bob")
    deal.pull_events()
    deal.move_to_pipeline(source=p, target=other, stage=None, by="bob")
    assert (deal.pipeline_id, deal.stage_id) == (other.id, other.stages[1].id)  # "En contact" by name
    [moved] = deal.pull_events()
    assert (moved.from_pipeline, moved.to_pipeline, moved.cause) == (p.id, other.id, "pipeline_changed")
    with pytest.raises(InvalidInput):
        deal.move_to_pipeline(source=other, target=other, stage=None, by="bob")


def test_updates_record_each_changed_field_before_and_after():
    p = pipeline()
    deal = opened(p, tags=["web"])
    changed = deal.update(
        {"amount_minor": 2000, "tags": ["Web", "seo"], "expected_close_date": date(2030, 1, 1)}, by="bob"
    )
    assert changed
    [updated] = deal.pull_events()
    assert updated.changed == {
        "amount_minor": (1000, 2000),
        "tags": (["web"], ["web", "seo"]),
        "expected_close_date": (None, date(2030, 1, 1)),
    }
    assert not deal.update({"amount_minor": 2000}, by="bob")
