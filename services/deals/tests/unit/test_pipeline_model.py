import pytest

from crm_deals.domain.pipelines import Pipeline, StageKind, StageSpec
from crm_shared.errors import Conflict, InvalidInput, PreconditionFailed
from crm_shared.text_keys import NameTaken

WON, LOST = StageKind.WON, StageKind.LOST


def specs() -> list[StageSpec]:
    return [
        StageSpec("À contacter", 10),
        StageSpec("Offer send", 50),
        StageSpec("Won", 100, WON),
        StageSpec("Lost", 0, LOST),
    ]


def sales_squad() -> Pipeline:
    return Pipeline.create(name="SALES SQUAD", currency="EUR", stages=specs(), proposal_stage="Offer send")


def names(p: Pipeline) -> list[str]:
    return [s.name for s in p.ordered]


def test_a_pipeline_is_created_with_ordered_stages_and_its_proposal_stage():
    p = sales_squad()
    assert names(p) == ["À contacter", "Offer send", "Won", "Lost"]
    assert [s.position for s in p.ordered] == [0, 1, 2, 3]
    assert p.settings.proposal_stage_id == p.ordered[1].id
    assert p.first_open_stage.name == "À contacter"


@pytest.mark.parametrize(
    "stages",
    [
        [StageSpec("Open", 10), StageSpec("Lost", 0, LOST)],
        [StageSpec("Open", 10), StageSpec("Won", 100, WON)],
        [StageSpec("Won", 100, WON), StageSpec("Lost", 0, LOST)],
        [
            StageSpec("Open", 10),
            StageSpec("Won", 100, WON),
            StageSpec("Won 2", 100, WON),
            StageSpec("L", 0, LOST),
        ],
        [
            StageSpec("Open", 10),
            StageSpec("open", 20),
            StageSpec("Won", 100, WON),
            StageSpec("Lost", 0, LOST),
        ],
        [StageSpec("Open", 101), StageSpec("Won", 100, WON), StageSpec("Lost", 0, LOST)],
    ],
    ids=["no won", "no lost", "no open", "two won", "same name", "probability over 100"],
)
def test_a_pipeline_needs_one_won_one_lost_and_an_open_stage(stages):
    with pytest.raises(InvalidInput):
        Pipeline.create(name="x", currency="EUR", stages=stages)


def test_the_proposal_stage_must_exist_and_be_open():
    with pytest.raises(InvalidInput):
        Pipeline.create(name="x", currency="EUR", stages=specs(), proposal_stage="Nope")
    with pytest.raises(InvalidInput):
        Pipeline.create(name="x", currency="EUR", stages=specs(), proposal_stage="Won")


def test_a_new_stage_goes_after_the_open_ones_unless_placed():
    p = sales_squad()
    p.add_stage(StageSpec("Negotiation", 70))
    p.add_stage(StageSpec("First", 5), position=0)
    assert names(p) == ["First", "À contacter", "Offer send", "Negotiation", "Won", "Lost"]
    with pytest.raises(InvalidInput):
        p.add_stage(StageSpec("Won again", 100, WON))


def test_reordering_needs_every_stage_once():
    p = sales_squad()
    ids = [s.id for s in p.ordered]
    p.reorder([ids[1], ids[0], ids[2], ids[3]])
    assert names(p) == ["Offer send", "À contacter", "Won", "Lost"]
    for wrong in (ids[:3], [*ids, ids[0]], [ids[0], ids[0], ids[2], ids[3]]):
        with pytest.raises(InvalidInput):
            p.reorder(wrong)


def test_the_won_and_lost_stages_cannot_be_removed_nor_turned_open():
    p = sales_squad()
    won = p.stage_of_kind(WON)
    with pytest.raises(InvalidInput):
        p.remove_stage(won.id)
    with pytest.raises(InvalidInput):
        p.update_stage(won.id, {"kind": "open"})
    assert p.stage_of_kind(WON) == won


def test_removing_the_proposal_stage_clears_the_setting_and_compacts_positions():
    p = sales_squad()
    proposal = p.settings.proposal_stage_id
    assert proposal is not None
    p.remove_stage(proposal)
    assert p.settings.proposal_stage_id is None
    assert names(p) == ["À contacter", "Won", "Lost"]
    assert [s.position for s in p.ordered] == [0, 1, 2]


def test_the_last_open_stage_stays():
    p = Pipeline.create(
        name="x",
        currency="EUR",
        stages=[StageSpec("Open", 10), StageSpec("W", 100, WON), StageSpec("L", 0, LOST)],
    )
    with pytest.raises(InvalidInput):
        p.remove_stage(p.first_open_stage.id)


def test_updates_report_whether_something_changed_and_refuse_unknown_fields():
    p = sales_squad()
    assert not p.update({"name": "SALES SQUAD", "settings": {}})
    assert p.update({"team": "sales", "settings": {"title_date_prefix": True}})
    assert (p.team, p.settings.title_date_prefix) == ("sales", True)
    with pytest.raises(InvalidInput):
        p.update({"archived": True})
    with pytest.raises(InvalidInput):
        p.update({"settings": {"colour": "red"}})


def test_stage_edits_keep_the_rules():
    p = sales_squad()
    first = p.first_open_stage
    assert p.update_stage(first.id, {"name": " Nouveau ", "probability": 15}).name == "Nouveau"
    with pytest.raises(NameTaken) as taken:
        p.update_stage(first.id, {"name": "OFFER SEND"})
    assert taken.value.extra["errors"][0]["field"] == "name"
    with pytest.raises(InvalidInput):
        p.update_stage(first.id, {"position": 3})


def test_an_archived_pipeline_is_read_only():
    p = sales_squad()
    p.archive()
    assert p.archived
    for change in (
        lambda: p.update({"name": "New"}),
        lambda: p.add_stage(StageSpec("More", 30)),
        lambda: p.reorder([s.id for s in p.ordered]),
        lambda: p.remove_stage(p.first_open_stage.id),
        lambda: p.update_stage(p.first_open_stage.id, {"probability": 1}),
        p.archive,
    ):
        with pytest.raises(Conflict):
            change()
    assert p.name == "SALES SQUAD"


def test_the_default_pipeline_cannot_be_archived():
    p = sales_squad()
    p.is_default = True
    with pytest.raises(Conflict):
        p.archive()


def test_if_match_checks_the_version():
    p = sales_squad()
    p.check_version(None)
    p.check_version(1)
    with pytest.raises(PreconditionFailed):
        p.check_version(2)


@pytest.mark.parametrize("name", ["À CONTACTER", "a\u0300 contacter", " à  contacter ", "OFFER SEND"])
def test_a_stage_named_like_another_whatever_its_case_is_refused(name):
    p = sales_squad()
    with pytest.raises(NameTaken) as taken:
        p.add_stage(StageSpec(name, 30))
    assert (taken.value.status, taken.value.code) == (409, "stage_name_taken")
    assert names(p) == ["À contacter", "Offer send", "Won", "Lost"]


def test_the_proposal_stage_is_found_whatever_its_case():
    p = Pipeline.create(name="P", currency="EUR", stages=specs(), proposal_stage="OFFER SEND")
    assert p.settings.proposal_stage_id == p.ordered[1].id
