"""What agents do with a case, through the bus on the in-memory unit of work: the reply goes out as the
notifier must send it (our Message-ID, threaded on the customer's last mail, tagged subject, quoted
history), an internal note is never published with a body, statuses move freely except back to new,
assignment and merges publish what changed, and stale versions are refused."""

from datetime import timedelta

import pytest

from crm_cases.domain.model import CaseStatus, Channel, LinkKind, Priority
from crm_cases.domain.sla import SlaTarget
from crm_cases.service_layer import case_commands, use_cases
from crm_cases.service_layer.case_commands import Reply
from crm_shared.auth import Principal, Role
from crm_shared.errors import Conflict, Forbidden, PreconditionFailed
from crm_shared.events.cases import (
    CaseAssigned,
    CaseMerged,
    CaseMessageAdded,
    CasesLinked,
    CaseStatusChanged,
    CaseUpdatedV2,
)
from services.cases.tests.unit.fakes import FakeCasesUnitOfWork, bus, take_in_mail

AGENT = Principal(user_id="agent-1", roles=frozenset({Role.SUPPORT}), email="agent@crm.example")
SALES = Principal(user_id="sales-1", roles=frozenset({Role.SALES}))
QUESTION = (
    b"From: Ada <ada@customer.example>\r\nTo: support@crm.example\r\nSubject: Printer on fire\r\n"
    b"Message-ID: <q@customer.example>\r\n\r\nIt burns.\r\n"
)


async def mailed_case(uow: FakeCasesUnitOfWork):
    case = (await take_in_mail(uow, QUESTION)).case
    uow.outbox.clear()  # what the tests below publish, only
    return case


async def run(uow: FakeCasesUnitOfWork, command, **kwargs):
    return await bus(uow, AGENT).execute(command, **kwargs)


async def test_an_agents_reply_is_published_ready_to_send_threaded_on_the_customers_mail(uow):
    case = await mailed_case(uow)
    reply = Reply(body_text="We are on it.", cc=("boss@customer.example",))

    answered = await run(
        uow,
        case_commands.reply_to_case,
        case_id=case.id,
        reply=reply,
        hostname="crm.example",
        expected_version=None,
    )

    [added] = uow.published(CaseMessageAdded)
    assert (added.direction, added.visibility, added.author) == ("outbound", "public", "agent-1")
    assert added.message_id.endswith("@crm.example>")
    assert (added.in_reply_to, added.references) == ("<q@customer.example>", ["<q@customer.example>"])
    assert (added.to, added.cc) == (["ada@customer.example"], ["boss@customer.example"])
    assert added.subject == f"[{case.number}] Printer on fire"
    assert added.body_text.startswith("We are on it.\n\nOn ")
    assert added.body_text.endswith("wrote:\n> It burns.")  # the customer's mail, quoted
    [status] = uow.published(CaseStatusChanged)
    assert (status.from_status, status.to_status, status.reason) == ("new", "open", "answered")
    assert answered.first_responded_at is not None


async def test_an_internal_note_is_published_without_body_recipients_or_thread(uow):
    case = await mailed_case(uow)

    await run(
        uow,
        case_commands.add_note,
        case_id=case.id,
        body_text="Customer is on a legacy plan.",
        expected_version=None,
    )

    [added] = uow.published(CaseMessageAdded)
    assert (added.direction, added.visibility) == ("internal", "internal")
    assert (added.body_text, added.body_html, added.subject, added.message_id) == (None, None, None, None)
    assert (added.to, added.cc, added.in_reply_to, added.references) == ([], [], None, [])
    assert "legacy" not in added.model_dump_json()
    [note] = [m for m in await uow.cases.messages(case.id) if not m.public]
    assert note.body_text == "Customer is on a legacy plan."  # kept for the agents

    await run(
        uow,
        case_commands.reply_to_case,
        case_id=case.id,
        reply=Reply(body_text="Done."),
        hostname="h",
        expected_version=None,
    )
    reply = uow.published(CaseMessageAdded)[-1]
    assert "legacy" not in reply.body_text  # a note is never quoted to the customer
    assert note.message_id not in reply.references


async def test_statuses_move_freely_but_never_back_to_new(uow):
    case = await mailed_case(uow)
    for status in (CaseStatus.PENDING_CUSTOMER, CaseStatus.RESOLVED, CaseStatus.OPEN, CaseStatus.CLOSED):
        await run(
            uow,
            case_commands.change_status,
            case_id=case.id,
            status=status,
            reason=None,
            expected_version=None,
        )
    assert [(e.from_status, e.to_status) for e in uow.published(CaseStatusChanged)] == [
        ("new", "pending_customer"),
        ("pending_customer", "resolved"),
        ("resolved", "open"),
        ("open", "closed"),
    ]
    with pytest.raises(Conflict):
        await run(
            uow,
            case_commands.change_status,
            case_id=case.id,
            status=CaseStatus.NEW,
            reason=None,
            expected_version=None,
        )
    assert uow.cases.rows[case.id].status is CaseStatus.CLOSED


async def test_a_stale_version_or_a_sales_user_changes_nothing(uow):
    case = await mailed_case(uow)
    with pytest.raises(PreconditionFailed):
        await run(
            uow,
            case_commands.change_status,
            case_id=case.id,
            status=CaseStatus.OPEN,
            reason=None,
            expected_version=99,
        )
    with pytest.raises(Forbidden):
        await bus(uow, SALES).execute(use_cases.get_case, case_id=case.id)
    assert (uow.outbox, uow.cases.rows[case.id].status) == ([], CaseStatus.NEW)


async def test_manual_assignment_says_who_and_how(uow):
    case = await mailed_case(uow)
    await run(uow, case_commands.assign_case, case_id=case.id, assignee_id="agent-2", expected_version=None)
    await run(uow, case_commands.assign_case, case_id=case.id, assignee_id="agent-2", expected_version=None)
    [assigned] = uow.published(CaseAssigned)  # the second one changed nothing
    assert (assigned.from_assignee, assigned.to_assignee, assigned.assigned_by, assigned.rule) == (
        None,
        "agent-2",
        "agent-1",
        "manual",
    )


async def test_a_case_opened_by_hand_takes_its_teams_turn_and_its_priority_sla(uow):
    uow.case_settings.members["emea"] = ["ann", "bob"]
    uow.case_settings.targets["urgent"] = SlaTarget("urgent", 15, 120)
    values = {
        "subject": "Call: outage",
        "requester_email": "Ann@Customer.example",
        "priority": Priority.URGENT,
    }

    case = await run(uow, case_commands.create_case, values=values, team="emea")

    assert (case.channel, case.requester_email, case.assignee_id) == (
        Channel.API,
        "ann@customer.example",
        "ann",
    )
    assert case.first_response_due_at == case.created_at + timedelta(minutes=15)
    [assigned] = uow.published(CaseAssigned)
    assert (assigned.rule, assigned.assigned_by) == ("round_robin", "agent-1")


async def test_a_new_priority_recomputes_the_due_times_and_publishes_typed_changes(uow):
    uow.case_settings.targets["high"] = SlaTarget("high", 30, 240)
    case = await mailed_case(uow)
    await run(
        uow,
        case_commands.update_case,
        case_id=case.id,
        changes={"priority": Priority.HIGH},
        expected_version=None,
    )
    [updated] = uow.published(CaseUpdatedV2)
    assert (updated.changes.priority.before, updated.changes.priority.after) == ("normal", "high")
    assert updated.changes.resolution_due_at.after == case.created_at + timedelta(minutes=240)


async def test_merge_moves_the_messages_and_closes_the_merged_case(uow):
    first = await mailed_case(uow)
    second = (await take_in_mail(uow, QUESTION.replace(b"<q@", b"<q2@"))).case
    uow.outbox.clear()

    survivor = await run(
        uow, case_commands.merge_case, case_id=second.id, into_case_id=first.id, expected_version=None
    )

    assert survivor.id == first.id
    assert len(await uow.cases.messages(first.id)) == 2
    assert await uow.cases.messages(second.id) == []
    [merged] = uow.published(CaseMerged)
    assert (merged.merged_id, merged.survivor_id, merged.merged_by) == (second.id, first.id, "agent-1")
    [closed] = uow.published(CaseStatusChanged)
    assert (closed.case_id, closed.to_status, closed.reason) == (
        second.id,
        "closed",
        f"merged into {first.number}",
    )
    with pytest.raises(Conflict):  # a merged case takes no more work
        await run(uow, case_commands.add_note, case_id=second.id, body_text="x", expected_version=None)
    with pytest.raises(Conflict):
        await run(
            uow, case_commands.merge_case, case_id=first.id, into_case_id=first.id, expected_version=None
        )


async def test_two_cases_are_linked_once(uow):
    first = await mailed_case(uow)
    second = (await take_in_mail(uow, QUESTION.replace(b"<q@", b"<q2@"))).case
    await run(uow, case_commands.link_cases, case_id=first.id, other_id=second.id, kind=LinkKind.DUPLICATE)
    with pytest.raises(Conflict):
        await run(uow, case_commands.link_cases, case_id=second.id, other_id=first.id, kind=LinkKind.RELATED)
    [linked] = uow.published(CasesLinked)
    assert (linked.case_id, linked.linked_case_id, linked.kind) == (first.id, second.id, "duplicate")
    assert await uow.cases.links(second.id) == [(first.id, LinkKind.DUPLICATE)]
