"""Status rules: open to open freely; converted and lost only through their actions; lost reopens."""

import pytest

from crm_leads.domain import events
from crm_leads.domain.accounts.account import Account
from crm_leads.domain.model import Lead, LeadStatus
from crm_leads.domain.statuses import StatusBoard, StatusDefinition, default_statuses
from crm_shared.errors import Conflict, InvalidInput, NotFound
from crm_shared.text_keys import NameTaken

BOARD = StatusBoard(default_statuses())


def lead() -> Lead:
    new = Lead.create(last_name="Lovelace", email="ada@analytical.example")
    new.pull_events()
    return new


def status_events(new: Lead) -> list[tuple[str, str]]:
    moves = [e for e in new.pull_events() if isinstance(e, events.LeadStatusChanged)]
    return [(e.from_status, e.to_status) for e in moves]


@pytest.mark.parametrize("target", BOARD.open_keys[1:])
def test_any_open_status_moves_to_any_open_status(target):
    new = lead()
    new.move(BOARD.move_target(target), rank=None, by="alice")
    assert new.status == target
    assert status_events(new) == [("to_process", target)]


def test_moving_within_the_same_column_only_reorders():
    new = lead()
    new.move(BOARD.move_target("to_process"), rank=-5.0, by="alice")
    assert new.rank == -5.0
    assert new.pull_events() == []


@pytest.mark.parametrize("closed", ["converted", "lost"])
def test_closed_statuses_are_not_kanban_targets(closed):
    with pytest.raises(Conflict):
        BOARD.move_target(closed)
    new = lead()
    with pytest.raises(Conflict):
        new.move(BOARD.get(closed), rank=None, by="alice")
    assert new.status is LeadStatus.TO_PROCESS
    assert new.pull_events() == []


def test_unknown_status_is_not_found():
    with pytest.raises(NotFound):
        BOARD.move_target("nowhere")


def test_losing_needs_a_reason_and_records_it():
    new = lead()
    with pytest.raises(InvalidInput):
        new.lose(BOARD.loss_target(None), reason="  ", by="alice")
    new.lose(BOARD.loss_target(None), reason="went with a competitor", by="alice")
    assert (new.status, new.lost_reason) == ("lost", "went with a competitor")
    [event] = new.pull_events()
    assert event == events.LeadStatusChanged(new.id, "to_process", "lost", "alice", "went with a competitor")


def test_a_lost_lead_does_not_move_and_is_lost_once():
    new = lead()
    new.lose(BOARD.loss_target(None), reason="no budget", by="alice")
    with pytest.raises(Conflict):
        new.move(BOARD.move_target("nurturing"), rank=None, by="alice")
    with pytest.raises(Conflict):
        new.lose(BOARD.loss_target(None), reason="again", by="alice")


def test_a_lost_lead_reopens_to_the_first_open_status():
    new = lead()
    new.move(BOARD.move_target("nurturing"), rank=None, by="alice")
    new.lose(BOARD.loss_target(None), reason="no budget", by="alice")
    new.reopen(BOARD.first_open(), by="bob")
    assert (new.status, new.lost_reason, new.lost_at) == ("to_process", None, None)
    assert status_events(new)[-1] == ("lost", "to_process")


def test_only_lost_leads_reopen():
    with pytest.raises(Conflict):
        lead().reopen(BOARD.first_open(), by="alice")


def test_converted_and_open_statuses_are_not_loss_statuses():
    with pytest.raises(InvalidInput):
        BOARD.loss_target("converted")
    with pytest.raises(InvalidInput):
        BOARD.loss_target("nurturing")


def test_a_converted_lead_is_read_only():
    new = lead()
    new.convert(account=Account.open_from(new), contact=None, deal=None, by="alice")
    assert status_events(new) == [("to_process", "converted")]
    for change in (
        lambda: new.update({"score": 3}, by="alice"),
        lambda: new.move(BOARD.move_target("nurturing"), rank=None, by="alice"),
        lambda: new.lose(BOARD.loss_target(None), reason="x", by="alice"),
        lambda: new.reopen(BOARD.first_open(), by="alice"),
    ):
        with pytest.raises(Conflict) as refused:
            change()
        assert refused.value.status == 409
    assert new.status is LeadStatus.CONVERTED


def test_custom_statuses_take_their_place_and_closed_ones_are_losses():
    board = StatusBoard(
        [
            *default_statuses(),
            StatusDefinition(key="new", label_en="New", label_fr="Nouveau", position=-1, is_open=True),
            StatusDefinition(key="spam", label_en="Spam", label_fr="Spam", position=9, is_open=False),
        ]
    )
    assert board.first_open().key == "new"
    assert board.loss_target("spam").key == "spam"
    with pytest.raises(Conflict):
        board.move_target("spam")


def test_removing_statuses():
    with pytest.raises(Conflict):
        BOARD.check_removable("lost", leads_in_it=0)
    with pytest.raises(Conflict):
        BOARD.check_removable("nurturing", leads_in_it=2)
    BOARD.check_removable("nurturing", leads_in_it=0)
    single = StatusBoard([s for s in default_statuses() if not s.is_open or s.key == "nurturing"])
    with pytest.raises(Conflict):
        single.check_removable("nurturing", leads_in_it=0)


def test_reordering_needs_every_status_once():
    board = StatusBoard(default_statuses())
    with pytest.raises(InvalidInput):
        board.reordered(["lost", "converted"])
    keys = [s.key for s in reversed(board.statuses)]
    assert [s.key for s in board.reordered(keys)] == keys
    assert [s.position for s in board.reordered(keys)] == list(range(6))


@pytest.mark.parametrize(
    ("label_en", "label_fr", "field"),
    [
        ("TO PROCESS", "Nouveau", "label_en"),
        ("Fresh", "À TRAITER", "label_fr"),
        ("Fresh", "a\u0300 traiter", "label_fr"),
    ],
)
def test_a_label_another_status_has_in_its_language_is_taken(label_en, label_fr, field):
    new = StatusDefinition(key="fresh", label_en=label_en, label_fr=label_fr, position=0, is_open=True)
    with pytest.raises(NameTaken) as taken:
        BOARD.check_new(new)
    assert (taken.value.code, taken.value.extra["errors"][0]["field"]) == ("status_label_taken", field)


def test_labels_python_keeps_apart_are_two_statuses_and_a_key_is_unique():
    board = StatusBoard(
        [
            *default_statuses(),
            StatusDefinition(key="izmir", label_en="İzmir", label_fr="İzmir", position=9, is_open=True),
        ]
    )
    board.check_new(
        StatusDefinition(key="izmir_2", label_en="izmir", label_fr="izmir", position=9, is_open=True)
    )
    with pytest.raises(NameTaken) as taken:
        board.check_new(
            StatusDefinition(key="izmir", label_en="Other", label_fr="Autre", position=9, is_open=True)
        )
    assert taken.value.extra["errors"][0]["field"] == "key"
