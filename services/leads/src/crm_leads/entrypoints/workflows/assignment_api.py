"""HTTP API of lead assignment: take charge, bulk assign, assignment rules."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response

from crm_leads.entrypoints.schemas import LeadPublic
from crm_leads.entrypoints.workflows.schemas import (
    BulkAssign,
    BulkAssigned,
    RuleCreate,
    RulePublic,
    RuleUpdate,
)
from crm_leads.service_layer.workflows import assignment
from crm_shared.http.conditional import IfMatch, expected_version, set_etag
from crm_shared.pagination import MAX_PAGE_SIZE, Page, decode_cursor, page_of
from crm_shared.runtime import BusDep

leads_router = APIRouter(tags=["leads"])
rules_router = APIRouter(tags=["assignment rules"])


@leads_router.post(
    "/{lead_id}/take-charge",
    summary="Assign the lead to me",
    description="Sales and admin; publishes LeadAssigned unless the lead is already mine.",
)
async def take_charge(lead_id: UUID, bus: BusDep) -> LeadPublic:
    return LeadPublic.of(await bus.execute(assignment.take_charge, lead_id=lead_id))


@leads_router.post(
    "/assignments",
    summary="Assign several leads to one owner",
    description="All or nothing: an unknown or converted lead fails the whole request and nothing "
    "changes. Sales and admin only. One LeadAssigned per lead whose owner changes.",
)
async def assign_leads(body: BulkAssign, bus: BusDep) -> BulkAssigned:
    leads = await bus.execute(
        assignment.assign_leads, lead_ids=body.lead_ids, owner_id=body.owner_id, team=body.team
    )
    return BulkAssigned(assigned=[lead.id for lead in leads])


@rules_router.post("", status_code=201, summary="Create an assignment rule (admin)")
async def create_rule(body: RuleCreate, bus: BusDep) -> RulePublic:
    return RulePublic.of(await bus.execute(assignment.create_rule, **body.model_dump()))


@rules_router.get("", summary="List assignment rules")
async def list_rules(
    bus: BusDep,
    team: str | None = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
) -> Page[RulePublic]:
    found = await bus.read(assignment.list_rules, team=team, after=decode_cursor(cursor), limit=limit)
    return page_of(found, limit=limit, public=RulePublic.of)


@rules_router.patch(
    "/{rule_id}",
    summary="Change a rule's members, priority or active flag (admin)",
    description="Changing the members restarts the rotation. `If-Match` with the version: 412 if stale.",
)
async def change_rule(
    rule_id: UUID,
    body: RuleUpdate,
    bus: BusDep,
    response: Response,
    if_match: IfMatch = None,
) -> RulePublic:
    rule = await bus.execute(
        assignment.change_rule, rule_id=rule_id, version=expected_version(if_match), **body.model_dump()
    )
    set_etag(response, rule.version)
    return RulePublic.of(rule)
