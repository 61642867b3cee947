"""Lead assignment: take charge, bulk assignment, and the rules that assign new leads."""

from uuid import UUID

from crm_leads.domain.model import Lead
from crm_leads.domain.workflows.assignment import AssignmentRule, RuleKind, assign, choose_rule
from crm_leads.service_layer.unit_of_work import LeadsUnitOfWork
from crm_shared.auth import Principal, Role, authorize
from crm_shared.errors import InvalidInput, NotFound

ASSIGNERS = (Role.SALES,)
READERS = (Role.SALES, Role.CSM, Role.SUPPORT)
MAX_BULK = 500


async def take_charge(*, uow: LeadsUnitOfWork, actor: Principal, lead_id: UUID) -> Lead:
    """Assign the lead to the caller."""
    authorize(actor, *ASSIGNERS)
    lead = await uow.leads.get(lead_id, for_update=True)
    if assign(lead, to_owner=actor.user_id, by=actor.user_id, team=actor.team):
        await uow.leads.update(lead)
    return lead


async def assign_leads(
    *, uow: LeadsUnitOfWork, actor: Principal, lead_ids: list[UUID], owner_id: str, team: str | None
) -> list[Lead]:
    """All or nothing: an unknown or converted lead fails the whole batch (the transaction rolls back)."""
    authorize(actor, *ASSIGNERS)
    if len(set(lead_ids)) > MAX_BULK:
        raise InvalidInput("lead_ids", f"at most {MAX_BULK} leads at once")
    changed = []
    for lead_id in sorted(set(lead_ids)):  # a stable lock order: two bulk calls cannot deadlock
        try:
            lead = await uow.leads.get(lead_id, for_update=True)
        except NotFound as exc:
            raise InvalidInput("lead_ids", exc.detail) from exc
        if assign(lead, to_owner=owner_id, by=actor.user_id, team=team):
            await uow.leads.update(lead)
        changed.append(lead)
    return changed


async def assign_by_rules(
    *, uow: LeadsUnitOfWork, lead: Lead, team: str | None, by: str
) -> AssignmentRule | None:
    """Apply the first matching rule to a new lead; its rotation advances under the rule's row lock."""
    rule = choose_rule(
        await uow.assignment_rules.matching(team=team, source=lead.source), team=team, source=lead.source
    )
    if rule is None:
        return None
    locked = await uow.assignment_rules.get(rule.id, for_update=True)
    owner = locked.next_owner()
    await uow.assignment_rules.update(locked)
    assign(lead, to_owner=owner, by=by, team=team, rule=locked.name)
    return locked


async def create_rule(
    *,
    uow: LeadsUnitOfWork,
    actor: Principal,
    name: str,
    kind: RuleKind,
    members: list[str],
    team: str | None,
    source: str | None,
    priority: int,
) -> AssignmentRule:
    authorize(actor)  # admin only
    rule = AssignmentRule.create(
        name=name, kind=kind, members=members, team=team, source=source, priority=priority
    )
    await uow.assignment_rules.add(rule)
    return rule


async def change_rule(
    *,
    uow: LeadsUnitOfWork,
    actor: Principal,
    rule_id: UUID,
    version: int | None,
    members: list[str] | None,
    active: bool | None,
    priority: int | None,
) -> AssignmentRule:
    authorize(actor)
    rule = await uow.assignment_rules.get(rule_id)
    rule.check_version(version)
    rule.change(members=members, active=active, priority=priority)
    await uow.assignment_rules.update(rule)
    return rule


async def list_rules(
    *, uow: LeadsUnitOfWork, actor: Principal, team: str | None, after: UUID | None, limit: int
) -> list[AssignmentRule]:
    authorize(actor, *READERS)
    return await uow.assignment_rules.listed(team=team, after=after, limit=limit)
