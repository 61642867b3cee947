"""Rules of the case aggregate: statuses, reopening, SLA due times, round-robin, merges, and that
internal notes never leave the helpdesk."""

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from crm_cases.domain import events
from crm_cases.domain.assignment import Assignment, next_in_rotation
from crm_cases.domain.case_messages import CaseMessage, quote_last, thread_of
from crm_cases.domain.case_values import AssignmentRule, CaseStatus, Direction, LinkKind, Priority
from crm_cases.domain.mail import InboundMail
from crm_cases.domain.model import Case, Profile
from crm_cases.domain.sla import DueTimes, SlaTarget, sla_state
from crm_shared.errors import Conflict

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def mail(sender: str = "ann@customer.example", text: str = "It broke.", **kw: object) -> InboundMail:
    values: dict[str, object] = {
        "sender_email": sender,
        "sender_name": "Ann",
        "subject": "Broken",
        "text": text,
    }
    return InboundMail(**(values | kw))  # type: ignore[arg-type]


def opened(profile: Profile | None = None, at: datetime = T0) -> Case:
    case = Case.open_from_email(
        number="CASE-1", mail=mail(), message_id="<m1@x>", mailbox="help@us.example", raw_message_id=uuid4(),
        at=at, profile=profile or Profile(),
    )  # fmt: skip
    case.pull_events()
    return case


def statuses(case: Case) -> list[tuple[str, str, str]]:
    return [
        (e.from_status, e.to_status, e.changed_by)
        for e in case.pull_events()
        if isinstance(e, events.CaseStatusChanged)
    ]


def test_agents_move_statuses_freely_but_never_back_to_new() -> None:
    case = opened()
    for status in (CaseStatus.ON_HOLD, CaseStatus.RESOLVED, CaseStatus.PENDING_CUSTOMER, CaseStatus.CLOSED):
        case.change_status(status, by="agent-1", at=T0)
    assert statuses(case)[-1] == ("pending_customer", "closed", "agent-1")
    assert case.closed_at == T0
    with pytest.raises(Conflict):
        case.change_status(CaseStatus.NEW, by="agent-1", at=T0)
    assert case.status is CaseStatus.CLOSED


def test_a_status_unchanged_records_nothing() -> None:
    case = opened()
    case.change_status(CaseStatus.NEW, by="agent-1", at=T0)
    assert case.pull_events() == []


@pytest.mark.parametrize("status", [CaseStatus.PENDING_CUSTOMER, CaseStatus.RESOLVED, CaseStatus.CLOSED])
def test_a_customer_reply_reopens_a_waiting_or_finished_case(status: CaseStatus) -> None:
    case = opened()
    case.change_status(status, by="agent-1", at=T0)
    case.pull_events()
    case.receive_email(mail=mail(), message_id="<m2@x>", raw_message_id=uuid4(), at=T0 + timedelta(days=1))
    assert case.status is CaseStatus.OPEN
    assert statuses(case) == [(status.value, "open", "customer")]
    assert case.resolved_at is None
    assert case.closed_at is None


def test_a_customer_reply_to_an_open_case_changes_no_status() -> None:
    case = opened()
    case.change_status(CaseStatus.ON_HOLD, by="agent-1", at=T0)
    case.pull_events()
    case.receive_email(mail=mail(), message_id="<m2@x>", raw_message_id=uuid4(), at=T0)
    assert case.status is CaseStatus.ON_HOLD
    added = [e for e in case.pull_events() if isinstance(e, events.CaseMessageAdded)]
    assert [e.reopened for e in added] == [False]


def test_the_reopen_window_counts_from_the_closing() -> None:
    case = opened()
    case.change_status(CaseStatus.CLOSED, by="agent-1", at=T0)
    assert not case.closed_longer_than(14, T0 + timedelta(days=14))
    assert case.closed_longer_than(14, T0 + timedelta(days=14, seconds=1))
    case.change_status(CaseStatus.RESOLVED, by="agent-1", at=T0)
    assert not case.closed_longer_than(14, T0 + timedelta(days=400))


def test_sla_due_times_come_from_the_priority_target() -> None:
    due = DueTimes.of(SlaTarget("urgent", 30, 240), T0)
    assert due == DueTimes(T0 + timedelta(minutes=30), T0 + timedelta(hours=4))
    assert DueTimes.of(None, T0) == DueTimes()
    case = opened(Profile(due=due))
    assert (case.first_response_due_at, case.resolution_due_at) == (due.first_response, due.resolution)


def test_sla_state_breached_due_soon_or_met() -> None:
    due = DueTimes(T0 + timedelta(minutes=30), T0 + timedelta(hours=4))
    state = lambda now, responded=False, finished=False: sla_state(  # noqa: E731
        due=due, responded=responded, finished=finished, now=now
    )
    assert state(T0) == "due_soon"
    assert state(T0 + timedelta(minutes=31)) == "breached"
    assert state(T0 + timedelta(minutes=31), responded=True) is None
    assert state(T0 + timedelta(hours=3, minutes=30), responded=True) == "due_soon"
    assert state(T0 + timedelta(hours=5), responded=True, finished=True) is None


def test_a_new_priority_recomputes_the_due_times() -> None:
    case = opened(Profile(due=DueTimes.of(SlaTarget("normal", 60, 600), T0)))
    new_due = DueTimes.of(SlaTarget("urgent", 15, 120), case.created_at)
    case.update({"priority": Priority.URGENT}, by="agent-1", at=T0 + timedelta(minutes=5), due=new_due)
    [updated] = case.pull_events()
    assert isinstance(updated, events.CaseUpdated)
    assert updated.changed["priority"] == ("normal", "urgent")
    assert updated.changed["first_response_due_at"][1] == (T0 + timedelta(minutes=15)).isoformat()
    assert case.resolution_due_at == T0 + timedelta(hours=2)


def test_round_robin_takes_turns_and_survives_members_leaving() -> None:
    team = ["a", "b", "c"]
    turns, last = [], None
    for _ in range(5):
        last = next_in_rotation(team, last)
        turns.append(last)
    assert turns == ["a", "b", "c", "a", "b"]
    assert next_in_rotation(["a", "c"], "b") == "a"
    assert next_in_rotation([], "a") is None


def test_a_new_case_is_assigned_and_says_by_which_rule() -> None:
    case = Case.open_from_email(
        number="CASE-2", mail=mail(), message_id="<m1@x>", mailbox="help@us.example", raw_message_id=uuid4(),
        at=T0, profile=Profile(team="support", assignment=Assignment("csm-9", AssignmentRule.ACCOUNT_CSM)),
    )  # fmt: skip
    opened_event, assigned = case.pull_events()
    assert isinstance(opened_event, events.CaseOpened)
    assert opened_event.assignee_id == "csm-9"
    assert isinstance(assigned, events.CaseAssigned)
    assert (assigned.to_assignee, assigned.rule, assigned.team) == ("csm-9", "account_csm", "support")


def test_an_unknown_sender_is_flagged_and_a_known_contacts_language_wins() -> None:
    assert opened().unknown_contact
    known = opened(Profile(contact_ids=(uuid4(),), contact_language="fr", contact_emails=("ann2@c.example",)))
    assert not known.unknown_contact
    assert known.language == "fr"
    assert known.has_participant("ANN2@c.example")
    assert known.has_participant("ann@customer.example")


def test_participants_are_who_wrote_or_was_in_copy() -> None:
    case = opened()
    case.receive_email(
        mail=mail("bob@customer.example", cc=("carol@customer.example",), to=("help@us.example",)),
        message_id="<m2@x>",
        raw_message_id=uuid4(),
        at=T0,
    )
    assert case.has_participant("bob@customer.example")
    assert case.has_participant("carol@customer.example")
    assert not case.has_participant("help@us.example")
    assert not case.has_participant("eve@else.example")


def test_addresses_with_non_ascii_capitals_are_one_participant() -> None:
    profile = Profile(contact_ids=(uuid4(),), contact_emails=("ÉLODIE.MÜLLER@ÉCOLE.FR",))
    case = Case.open_from_email(
        number="CASE-2", mail=mail("ÖRSTED@ÅSE.EXAMPLE"), message_id="<m1@x>", mailbox="Aide@Société.example",
        raw_message_id=uuid4(), at=T0, profile=profile,
    )  # fmt: skip
    assert case.participants == ("örsted@åse.example", "élodie.müller@école.fr")
    assert case.is_requested_by("Örsted@Åse.example")
    assert case.has_participant("élodie.müller@École.fr")
    # Decomposed accents, as some mail clients send them, name the same address.
    assert case.has_participant("E\u0301lodie.Mu\u0308ller@e\u0301cole.fr")
    case.receive_email(
        mail=mail("Élodie.Müller@école.fr", to=("AIDE@SOCIÉTÉ.EXAMPLE",)), message_id="<m2@x>",
        raw_message_id=uuid4(), at=T0,
    )  # fmt: skip
    assert case.participants == ("örsted@åse.example", "élodie.müller@école.fr")  # the helpdesk stays out


def test_merge_closes_and_marks_the_merged_case() -> None:
    survivor, merged = opened(), opened()
    merged.contact_ids = (uuid4(),)
    merged.merge_into(survivor, by="agent-1", at=T0)
    assert merged.status is CaseStatus.CLOSED
    assert merged.merged_into == survivor.id
    assert merged.contact_ids[0] in survivor.contact_ids
    assert not survivor.unknown_contact
    kinds = [type(e).__name__ for e in merged.pull_events()]
    assert kinds == ["CaseStatusChanged", "CaseMerged"]
    with pytest.raises(Conflict):
        merged.change_status(CaseStatus.OPEN, by="agent-1", at=T0)
    with pytest.raises(Conflict):
        survivor.merge_into(survivor, by="agent-1", at=T0)


def test_links_refuse_the_case_itself() -> None:
    case = opened()
    with pytest.raises(Conflict):
        case.link(case, kind=LinkKind.RELATED, by="agent-1", at=T0)


def note(case: Case, text: str) -> CaseMessage:
    return CaseMessage.internal(
        case_id=case.id, author="agent-1", author_name=None, subject="s", text=text, at=T0
    )


def test_internal_notes_publish_no_body_and_are_never_quoted_nor_threaded() -> None:
    case = opened()
    case.add_note(note(case, "SECRET: customer owes us money"))
    [added] = case.pull_events()
    assert isinstance(added, events.CaseMessageAdded)
    assert (added.direction, added.visibility, added.body_text, added.body_html) == (
        "internal",
        "internal",
        None,
        None,
    )
    assert "SECRET" not in repr(added)
    inbound = CaseMessage.inbound(
        case_id=case.id, mail=mail(), message_id="<m1@x>", raw_message_id=uuid4(), at=T0
    )
    history = [inbound, note(case, "SECRET note")]
    assert thread_of(history) == ("<m1@x>", ("<m1@x>",))
    assert "SECRET" not in quote_last(history, "en")
    assert "> It broke." in quote_last(history, "en")
    assert quote_last(history, "fr").startswith("Le 2026-11-02 09:00 UTC, Ann a écrit :")


def test_the_first_reply_meets_the_first_response_and_opens_a_new_case() -> None:
    case = opened()
    reply = CaseMessage(
        id=uuid4(), case_id=case.id, direction=Direction.OUTBOUND, author="agent-1", message_id="<r@us>",
        in_reply_to="<m1@x>", references=("<m1@x>",), subject="[CASE-1] Broken", body_text="Fixed.",
        quoted="> It broke.", to=("ann@customer.example",), received_at=T0 + timedelta(minutes=5),
    )  # fmt: skip
    case.reply(reply, by="agent-1")
    added, changed = case.pull_events()
    assert isinstance(added, events.CaseMessageAdded)
    assert isinstance(changed, events.CaseStatusChanged)
    assert added.body_text == "Fixed.\n\n> It broke."
    assert added.in_reply_to == "<m1@x>"
    assert case.first_responded_at == T0 + timedelta(minutes=5)
    assert case.status is CaseStatus.OPEN
