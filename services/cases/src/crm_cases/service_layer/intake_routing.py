"""Where a parsed mail goes: quarantine, ignored as machine mail, over the sender's rate limit, the case
it answers, or a new case. Reads only; `intake.py` applies the decision."""

from dataclasses import dataclass
from datetime import datetime

from crm_cases.domain.intake_policy import RATE_WINDOW, IntakePolicy, IntakeState, loop_reason
from crm_cases.domain.mail import (
    InboundMail,
    MailKind,
    UnusableMail,
    classify,
    tagged_case,
    thread_candidates,
)
from crm_cases.domain.model import Case, IntakeOutcome
from crm_cases.service_layer.unit_of_work import CasesUnitOfWork

IGNORED = {
    MailKind.AUTO_REPLY: IntakeOutcome.IGNORED_AUTO_REPLY,
    MailKind.BOUNCE: IntakeOutcome.IGNORED_BOUNCE,
}


@dataclass(frozen=True)
class Route:
    outcome: IntakeOutcome
    state: IntakeState
    reason: str | None = None
    case: Case | None = None
    kind: MailKind | None = None
    flag: str | None = None
    """Worth a look on the case (a subject tag quoted by a stranger)."""


async def route(
    uow: CasesUnitOfWork,
    mail: InboundMail | UnusableMail,
    *,
    mailbox: str,
    at: datetime,
    envelope_sender: str | None,
    policy: IntakePolicy,
) -> Route:
    if isinstance(mail, UnusableMail):
        return Route(IntakeOutcome.REJECTED, IntakeState.QUARANTINED, mail.reason)
    verdict = classify(mail, envelope_sender=envelope_sender, system_addresses=policy.own_addresses(mailbox))
    if verdict.kind is not MailKind.CUSTOMER:
        return Route(IGNORED[verdict.kind], IntakeState.IGNORED, verdict.reason, kind=verdict.kind)
    recent = await uow.intake.accepted_since(mail.sender_email, at - RATE_WINDOW)
    if policy.over_rate_limit(recent):
        return Route(IntakeOutcome.REJECTED, IntakeState.QUARANTINED, loop_reason(mail.sender_email, recent))
    case, reason = await thread(uow, mail)
    outcome = IntakeOutcome.CASE_OPENED if case is None else IntakeOutcome.APPENDED
    flag = reason if case is None and reason else None
    return Route(outcome, IntakeState.ACCEPTED, reason, case, MailKind.CUSTOMER, flag)


async def thread(uow: CasesUnitOfWork, mail: InboundMail) -> tuple[Case | None, str | None]:
    """The case a reply belongs to: by the Message-IDs it answers, else by a `[CASE-n]` subject tag
    from a participant of the case (anyone else quoting a tag gets a case of their own, flagged)."""
    case_id = await uow.cases.case_of_messages(thread_candidates(mail))
    if case_id is not None:
        return await uow.cases.get(case_id, for_update=True), "threaded by In-Reply-To/References"
    number = tagged_case(mail.subject)
    if number is None:
        return None, None
    case = await uow.cases.by_number(number, for_update=True)
    if case is None:
        return None, f"subject tag {number}: no such case"
    if not case.has_participant(mail.sender_email):
        return None, f"subject tag {number}: sender is not a participant"
    return case, f"threaded by subject tag {number}"
