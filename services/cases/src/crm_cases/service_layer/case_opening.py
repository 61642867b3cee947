"""What a new case gets from the service's data: the sender recognised as contacts of an account, an
assignee (the account's CSM, else the next in the team's rotation) and SLA due times."""

from datetime import datetime
from uuid import UUID

from crm_cases.adapters.case_directory import KnownAccount, KnownContact
from crm_cases.domain.assignment import NOBODY, Assignment
from crm_cases.domain.case_values import AssignmentRule, Priority
from crm_cases.domain.model import Profile
from crm_cases.domain.sla import DueTimes
from crm_cases.service_layer.unit_of_work import CasesUnitOfWork

LANGUAGES = frozenset({"fr", "en"})


async def profile_for(
    uow: CasesUnitOfWork,
    *,
    email: str | None,
    team: str | None,
    priority: Priority,
    at: datetime,
    related_case_id: UUID | None = None,
) -> Profile:
    contacts = await uow.directory.contacts_by_email(email) if email else []
    account_id = _account_of(contacts)
    account = await uow.directory.account(account_id) if account_id else None
    team = team or (account.team if account else None)
    target = await uow.case_settings.sla_target(priority)
    return Profile(
        account_id=account.id if account else account_id,
        contact_ids=tuple(c.id for c in contacts),
        contact_emails=tuple(e for c in contacts for e in c.emails),
        contact_language=_language(contacts),
        team=team,
        assignment=await _assignment(uow, account, team),
        due=DueTimes.of(target, at),
        related_case_id=related_case_id,
    )


async def _assignment(uow: CasesUnitOfWork, account: KnownAccount | None, team: str | None) -> Assignment:
    """The account's CSM knows the customer; otherwise the team takes turns (the cursor only moves
    when a turn is actually used)."""
    if account is not None and account.csm_id:
        return Assignment(account.csm_id, AssignmentRule.ACCOUNT_CSM)
    if team:
        member = await uow.case_settings.take_turn(team)
        if member is not None:
            return Assignment(member, AssignmentRule.ROUND_ROBIN)
    return NOBODY


def _account_of(contacts: list[KnownContact]) -> UUID | None:
    """The primary account of the first contact that has one; else the only account any of them has."""
    primary = next((c.account_id for c in contacts if c.account_id), None)
    if primary is not None:
        return primary
    linked = {a for c in contacts for a in c.account_ids}
    return next(iter(linked)) if len(linked) == 1 else None


def _language(contacts: list[KnownContact]) -> str | None:
    for contact in contacts:
        language = (contact.language or "")[:2].lower()
        if language in LANGUAGES:
            return language
    return None
