"""Admin settings of case handling, mounted at `/v1`: SLA targets per priority, and the members of each
team's round-robin (`/sla-targets`, `/teams/{team}/members`)."""

from typing import Annotated

from fastapi import APIRouter, Path

from crm_cases.domain.sla import SlaTarget
from crm_cases.entrypoints.schemas import SlaTargetBody, SlaTargets, TeamMembers
from crm_cases.service_layer import case_admin
from crm_shared.runtime import BusDep

router = APIRouter(tags=["case settings"])
ADMIN_ONLY: dict[int | str, dict[str, str]] = {403: {"description": "Only admin"}}
TeamName = Annotated[str, Path(min_length=1, max_length=64)]


def _targets(targets: list[SlaTarget]) -> SlaTargets:
    return SlaTargets(targets=[SlaTargetBody.model_validate(vars(t)) for t in targets])


@router.get("/sla-targets", summary="SLA targets per priority", responses=ADMIN_ONLY)
async def get_sla_targets(bus: BusDep) -> SlaTargets:
    return _targets(await bus.read(case_admin.get_sla_targets))


@router.put(
    "/sla-targets",
    summary="Replace the SLA targets",
    description="Minutes to the first response and to the resolution, per priority; they apply to cases "
    "opened or re-prioritised from now on. A priority without a target gets no due times.",
    responses=ADMIN_ONLY,
)
async def put_sla_targets(body: SlaTargets, bus: BusDep) -> SlaTargets:
    targets = [
        SlaTarget(t.priority.value, t.first_response_minutes, t.resolution_minutes) for t in body.targets
    ]
    return _targets(await bus.execute(case_admin.set_sla_targets, targets=targets))


@router.get("/teams/{team}/members", summary="A team's members, in round-robin order", responses=ADMIN_ONLY)
async def get_team_members(team: TeamName, bus: BusDep) -> TeamMembers:
    return TeamMembers(members=await bus.read(case_admin.get_team_members, team=team))


@router.put(
    "/teams/{team}/members",
    summary="Replace a team's members (new cases without a known CSM go round-robin among them)",
    responses=ADMIN_ONLY,
)
async def put_team_members(team: TeamName, body: TeamMembers, bus: BusDep) -> TeamMembers:
    members = await bus.execute(case_admin.set_team_members, team=team, members=body.members)
    return TeamMembers(members=members)
