"""What agents do with cases: open one by hand, edit it, move its status, assign it, reply, add internal
notes, merge and link. Support and CSM (and Admin) only; every command takes the version read (If-Match)."""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from crm_cases.domain.case_messages import CaseMessage, quote_last, thread_of
from crm_cases.domain.case_values import AssignmentRule, CaseStatus, Channel, Direction, LinkKind, Priority
from crm_cases.domain.model import Case, Opening
from crm_cases.domain.sla import DueTimes
from crm_cases.service_layer.case_opening import profile_for
from crm_cases.service_layer.unit_of_work import CasesUnitOfWork
from crm_cases.service_layer.use_cases import WORKERS
from crm_shared.auth import Principal, authorize
from crm_shared.errors import Conflict
from crm_shared.ids import new_id


@dataclass(frozen=True, kw_only=True)
class Reply:
    body_text: str
    body_html: str | None = None
    cc: tuple[str, ...] = ()


def _now() -> datetime:
    return datetime.now(UTC)


async def _case(uow: CasesUnitOfWork, case_id: UUID, expected_version: int | None) -> Case:
    case = await uow.cases.get(case_id, for_update=True)
    case.check_version(expected_version)
    return case


async def create_case(
    *, uow: CasesUnitOfWork, actor: Principal, values: dict[str, Any], team: str | None = None
) -> Case:
    """A case opened by hand (phone call, web form relayed by an agent): same recognition, assignment
    and SLA as a mailed one."""
    authorize(actor, *WORKERS)
    at, priority = _now(), Priority(values.get("priority", Priority.NORMAL))
    profile = await profile_for(uow, email=values.get("requester_email"), team=team, priority=priority, at=at)
    opening = Opening(
        number=await uow.cases.next_number(),
        channel=Channel(values.pop("channel", Channel.API)),
        profile=profile,
        opened_by=actor.user_id,
        **values,
    )
    case = Case.open(opening, at=at)
    await uow.cases.add(case)
    return case


async def update_case(
    *,
    uow: CasesUnitOfWork,
    actor: Principal,
    case_id: UUID,
    changes: dict[str, Any],
    expected_version: int | None,
) -> Case:
    authorize(actor, *WORKERS)
    case = await _case(uow, case_id, expected_version)
    due = None
    if "priority" in changes:
        target = await uow.case_settings.sla_target(changes["priority"])
        due = DueTimes.of(target, case.created_at)
    case.update(changes, by=actor.user_id, at=_now(), due=due)
    await uow.cases.update(case)
    return case


async def change_status(
    *,
    uow: CasesUnitOfWork,
    actor: Principal,
    case_id: UUID,
    status: CaseStatus,
    reason: str | None,
    expected_version: int | None,
) -> Case:
    authorize(actor, *WORKERS)
    case = await _case(uow, case_id, expected_version)
    case.change_status(status, by=actor.user_id, at=_now(), reason=reason)
    await uow.cases.update(case)
    return case


async def assign_case(
    *,
    uow: CasesUnitOfWork,
    actor: Principal,
    case_id: UUID,
    assignee_id: str | None,
    expected_version: int | None,
) -> Case:
    authorize(actor, *WORKERS)
    case = await _case(uow, case_id, expected_version)
    case.assign(assignee_id, by=actor.user_id, rule=AssignmentRule.MANUAL, at=_now())
    await uow.cases.update(case)
    return case


async def reply_to_case(
    *,
    uow: CasesUnitOfWork,
    actor: Principal,
    case_id: UUID,
    reply: Reply,
    hostname: str,
    expected_version: int | None,
) -> Case:
    """An agent's answer, sent by the notifier exactly as published: our own Message-ID, threaded on the
    customer's last mail, the case tag in the subject, the last public message quoted (never a note)."""
    authorize(actor, *WORKERS)
    case = await _case(uow, case_id, expected_version)
    if not case.requester_email:
        raise Conflict(f"case {case.number} has no requester address to answer")
    history = await uow.cases.messages(case_id)
    in_reply_to, references = thread_of(history)
    message = CaseMessage(
        id=new_id(),
        case_id=case.id,
        direction=Direction.OUTBOUND,
        author=actor.user_id,
        author_name=actor.email,
        message_id=f"<{new_id()}@{hostname}>",
        in_reply_to=in_reply_to,
        references=references,
        subject=f"[{case.number}] {case.subject}",
        body_text=reply.body_text,
        body_html=reply.body_html,
        quoted=quote_last(history, case.language),
        to=(case.requester_email,),
        cc=reply.cc,
        received_at=_now(),
    )
    case.reply(message, by=actor.user_id)
    await uow.cases.update(case)
    return case


async def add_note(
    *, uow: CasesUnitOfWork, actor: Principal, case_id: UUID, body_text: str, expected_version: int | None
) -> Case:
    authorize(actor, *WORKERS)
    case = await _case(uow, case_id, expected_version)
    note = CaseMessage.internal(
        case_id=case.id,
        author=actor.user_id,
        author_name=actor.email,
        subject=case.subject,
        text=body_text,
        at=_now(),
    )
    case.add_note(note)
    await uow.cases.update(case)
    return case


async def merge_case(
    *, uow: CasesUnitOfWork, actor: Principal, case_id: UUID, into_case_id: UUID, expected_version: int | None
) -> Case:
    """Merges `case_id` into `into_case_id`; returns the survivor, which now holds every message."""
    authorize(actor, *WORKERS)
    if case_id == into_case_id:
        raise Conflict("a case cannot be merged into itself")
    first, second = sorted((case_id, into_case_id))  # lock in one order: two opposite merges never deadlock
    locked = {
        first: await uow.cases.get(first, for_update=True),
        second: await uow.cases.get(second, for_update=True),
    }
    merged, survivor = locked[case_id], locked[into_case_id]
    merged.check_version(expected_version)
    merged.merge_into(survivor, by=actor.user_id, at=_now())
    await uow.cases.update(merged)
    await uow.cases.update(survivor)
    await uow.cases.move_messages(from_case=merged.id, to_case=survivor.id)
    return survivor


async def link_cases(
    *, uow: CasesUnitOfWork, actor: Principal, case_id: UUID, other_id: UUID, kind: LinkKind
) -> Case:
    authorize(actor, *WORKERS)
    case = await uow.cases.get(case_id)
    other = await uow.cases.get(other_id)
    at = _now()
    case.link(other, kind=kind, by=actor.user_id, at=at)
    if not await uow.cases.link(case.id, other.id, kind=kind, by=actor.user_id, at=at):
        raise Conflict(f"cases {case.number} and {other.number} are already linked")
    uow.track(case)
    return case
