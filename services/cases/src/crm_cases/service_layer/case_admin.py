"""Admin settings of case handling: SLA targets per priority and the members of each team's rotation."""

from collections.abc import Sequence

from crm_cases.domain.sla import SlaTarget
from crm_cases.service_layer.unit_of_work import CasesUnitOfWork
from crm_shared.auth import Principal, authorize
from crm_shared.errors import InvalidInput


async def get_sla_targets(*, uow: CasesUnitOfWork, actor: Principal) -> list[SlaTarget]:
    authorize(actor)
    return await uow.case_settings.sla_targets()


async def set_sla_targets(
    *, uow: CasesUnitOfWork, actor: Principal, targets: Sequence[SlaTarget]
) -> list[SlaTarget]:
    """Replaces every target; they apply to cases opened (or re-prioritised) from now on."""
    authorize(actor)
    priorities = [t.priority for t in targets]
    if len(set(priorities)) != len(priorities):
        raise InvalidInput("targets", "one target per priority")
    await uow.case_settings.replace_sla_targets(targets)
    return await uow.case_settings.sla_targets()


async def get_team_members(*, uow: CasesUnitOfWork, actor: Principal, team: str) -> list[str]:
    authorize(actor)
    return await uow.case_settings.team_members(team)


async def set_team_members(
    *, uow: CasesUnitOfWork, actor: Principal, team: str, members: Sequence[str]
) -> list[str]:
    """The rotation's order is the given order; the cursor carries on from the last member served."""
    authorize(actor)
    if len(set(members)) != len(members):
        raise InvalidInput("members", "each member once")
    await uow.case_settings.replace_team_members(team, members)
    return await uow.case_settings.team_members(team)
