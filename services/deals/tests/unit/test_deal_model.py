import uuid

import pytest

from crm_deals.domain import events
from crm_deals.domain.deal_values import tags
from crm_deals.domain.model import Deal, DealStatus, Pipeline, Stage, StageKind
from crm_deals.service_layer.integration_events import translate
from crm_shared.errors import Conflict, InvalidInput


def pipeline() -> Pipeline:
    kinds = [
        ("Prospecting", 10, StageKind.OPEN),
        ("Proposal", 50, StageKind.OPEN),
        ("Won", 100, StageKind.WON),
        ("Lost", 0, StageKind.LOST),
    ]
    return Pipeline(
        id=uuid.uuid4(),
        name="Default",
        currency="EUR",
        stages=tuple(Stage(uuid.uuid4(), n, i, p, k) for i, (n, p, k) in enumerate(kinds)),
    )


def deal(p: Pipeline, amount: int = 1000) -> Deal:
    opened = Deal.open(
        pipeline=p, title="Site", amount_minor=amount, currency="EUR", owner_id="alice", by="alice"
    )
    opened.pull_events()
    return opened


def test_a_deal_opens_in_the_first_open_stage_with_its_probability():
    p = pipeline()
    opened = Deal.open(
        pipeline=p, title="Site", amount_minor=1000, currency="EUR", owner_id="alice", by="alice"
    )
    assert opened.stage_id == p.stages[0].id
    assert opened.probability == 10
    assert isinstance(opened.pull_events()[0], events.DealCreated)


def test_negative_amounts_are_refused():
    with pytest.raises(InvalidInput):
        deal(pipeline(), amount=-1)


def test_winning_moves_to_the_won_stage_and_records_before_and_after():
    p = pipeline()
    d = deal(p)
    before = d.stage_id
    d.win(pipeline=p, by="alice")
    assert d.status is DealStatus.WON
    assert d.probability == 100
    [won] = d.pull_events()
    assert (won.from_stage, won.to_stage, won.won_by) == (before, p.stages[2].id, "alice")
    [published] = list(translate(won))
    assert published.event_type == "crm.deals.deal_won.v1"


def test_a_closed_deal_cannot_be_closed_again():
    p = pipeline()
    d = deal(p)
    d.lose(pipeline=p, reason="budget", by="alice")
    with pytest.raises(Conflict):
        d.win(pipeline=p, by="alice")
    with pytest.raises(Conflict):
        d.lose(pipeline=p, reason="again", by="alice")
    assert len(d.pull_events()) == 1


def test_losing_needs_a_reason():
    p = pipeline()
    d = deal(p)
    with pytest.raises(InvalidInput):
        d.lose(pipeline=p, reason="  ", by="alice")
    assert d.status is DealStatus.OPEN


def test_a_pipeline_without_won_stage_refuses_the_win():
    p = pipeline()
    incomplete = Pipeline(id=p.id, name="x", currency="EUR", stages=p.stages[:2])
    d = deal(p)
    with pytest.raises(Conflict):
        d.win(pipeline=incomplete, by="alice")
    assert d.status is DealStatus.OPEN


def test_won_and_lost_events_carry_the_primary_contact():
    p = pipeline()
    contact = uuid.uuid4()
    for close in ("win", "lose"):
        d = Deal.open(
            pipeline=p,
            title="Site",
            amount_minor=1,
            currency="EUR",
            owner_id="alice",
            contact_id=contact,
            by="alice",
        )
        d.pull_events()
        d.win(pipeline=p, by="alice") if close == "win" else d.lose(pipeline=p, reason="budget", by="alice")
        [published] = list(translate(d.pull_events()[0]))
        assert published.contact_id == contact  # type: ignore[attr-defined]


def test_tags_are_their_casefold_keys_so_case_variants_are_one_tag():
    assert tags(["Straße", "STRASSE", " ΟΔΟΣ ", "οδος", "Été", "ÉTÉ"]) == ("strasse", "οδοσ", "été")
    with pytest.raises(InvalidInput):
        tags(["ß" * 26])  # 26 characters, 52 once folded: longer than a tag may be
