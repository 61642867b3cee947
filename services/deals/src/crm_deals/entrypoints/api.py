"""HTTP API of one deal (`/v1/deals`): create, read, edit, move, win, lose and reopen.

Lists and boards are in `views_api`, pipelines in `pipelines_api`. Every answer about a deal carries its
ETag (its version); every command takes `If-Match` and refuses a stale one with 412. Amounts are in
minor units, net of VAT and media purchases. Paths match deal ids only (`:uuid`), so that fixed paths
beside them (such as the CSV export) reach their own routes.
"""

import json
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Body, Request, Response, status

from crm_deals.adapters.tables import idempotency_keys
from crm_deals.domain.model import Deal
from crm_deals.entrypoints.schemas import (
    DealCreate,
    DealLose,
    DealLostPublic,
    DealMove,
    DealPipelineMove,
    DealPublic,
    DealReopen,
    DealUpdate,
)
from crm_deals.service_layer import use_cases
from crm_deals.service_layer.closing import Potential
from crm_shared.http import idempotency
from crm_shared.http.conditional import PRECONDITION_RESPONSES, IfMatch, expected_version, set_etag
from crm_shared.http.idempotency import IdempotencyKey, execute_idempotent
from crm_shared.runtime import BusDep

router = APIRouter(tags=["deals"])

Responses = dict[int | str, dict[str, Any]]
CHANGE_RESPONSES: Responses = {
    403: {"description": "Not a role that may do this, or (CSM, Support) not the deal's owner"},
    409: {"description": "Refused in the deal's state (closed, archived pipeline...)"},
    422: {"description": "Invalid input; `errors` names the fields"},
    **PRECONDITION_RESPONSES,
}
CLOSE_RESPONSES: Responses = CHANGE_RESPONSES | {403: {"description": "Only sales and admin"}}


def _answer(deal: Deal, response: Response) -> DealPublic:
    set_etag(response, deal.version)
    return DealPublic.of(deal)


def _created(deal: Deal) -> idempotency.Response:
    return idempotency.Response.json(status.HTTP_201_CREATED, DealPublic.of(deal).model_dump(mode="json"))


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=DealPublic,
    summary="Open a deal",
    description="In the default pipeline unless `pipeline_id` is given, at the bottom of its first open "
    "stage unless `stage_id` is given. The owner is the caller unless `owner_id` names another active "
    "user (Sales only); the team is the owner's. A retry with the same `Idempotency-Key` replays the "
    "first response (header `Idempotent-Replayed: true`).",
    responses=CHANGE_RESPONSES,
)
async def create_deal(
    body: DealCreate, bus: BusDep, request: Request, idempotency_key: IdempotencyKey = None
) -> Response:
    answer = await execute_idempotent(
        bus,
        use_cases.create_deal,
        table=idempotency_keys,
        key=idempotency_key,
        route=f"POST {request.url.path}",
        request=body.model_dump(mode="json"),
        render=_created,
        pipeline_id=body.pipeline_id,
        stage_id=body.stage_id,
        values=body.values(),
    )
    response = answer.as_http()
    created = json.loads(answer.content)
    set_etag(response, created["version"])
    response.headers["Location"] = f"{request.url.path}/{created['id']}"
    return response


@router.get("/{deal_id:uuid}", summary="A deal (its ETag is its version)")
async def get_deal(deal_id: UUID, bus: BusDep, response: Response) -> DealPublic:
    return _answer(await bus.read(use_cases.get_deal, deal_id=deal_id), response)


@router.patch(
    "/{deal_id:uuid}",
    summary="Change fields of a deal",
    description="Only the fields sent change; `null` clears an optional field and `probability: null` "
    "restores the stage's default. Publishes `DealUpdated` with each field's before and after.",
    responses=CHANGE_RESPONSES,
)
async def update_deal(
    deal_id: UUID, body: DealUpdate, bus: BusDep, response: Response, if_match: IfMatch = None
) -> DealPublic:
    deal = await bus.execute(
        use_cases.update_deal,
        deal_id=deal_id,
        changes=body.values(),
        expected_version=expected_version(if_match),
    )
    return _answer(deal, response)


@router.post(
    "/{deal_id:uuid}/move",
    summary="Move a deal on its pipeline's board (another stage, or another place in its stage)",
    description="Between `after_id` (above) and `before_id` (below), deals of the target stage; with "
    "neither, at the bottom. A stage change publishes `DealStageChanged`, a reorder `DealUpdated`.",
    responses=CHANGE_RESPONSES,
)
async def move_deal(
    deal_id: UUID, body: DealMove, bus: BusDep, response: Response, if_match: IfMatch = None
) -> DealPublic:
    deal = await bus.execute(
        use_cases.move_deal,
        deal_id=deal_id,
        stage_id=body.stage_id,
        before_id=body.before_id,
        after_id=body.after_id,
        expected_version=expected_version(if_match),
    )
    return _answer(deal, response)


@router.post(
    "/{deal_id:uuid}/move-pipeline",
    summary="Move an open deal to another pipeline",
    description="Into `stage_id`, else the open stage of the same name, else of the same position.",
    responses=CHANGE_RESPONSES,
)
async def move_deal_to_pipeline(
    deal_id: UUID, body: DealPipelineMove, bus: BusDep, response: Response, if_match: IfMatch = None
) -> DealPublic:
    deal = await bus.execute(
        use_cases.move_deal_to_pipeline,
        deal_id=deal_id,
        pipeline_id=body.pipeline_id,
        stage_id=body.stage_id,
        expected_version=expected_version(if_match),
    )
    return _answer(deal, response)


@router.post(
    "/{deal_id:uuid}/reopen",
    summary="Reopen a won or lost deal (sales)",
    responses=CLOSE_RESPONSES,
)
async def reopen_deal(
    deal_id: UUID,
    bus: BusDep,
    response: Response,
    body: Annotated[DealReopen | None, Body()] = None,
    if_match: IfMatch = None,
) -> DealPublic:
    deal = await bus.execute(
        use_cases.reopen_deal,
        deal_id=deal_id,
        stage_id=body.stage_id if body else None,
        expected_version=expected_version(if_match),
    )
    return _answer(deal, response)


@router.post("/{deal_id:uuid}/win", summary="Mark a deal won (sales)", responses=CLOSE_RESPONSES)
async def win_deal(deal_id: UUID, bus: BusDep, response: Response, if_match: IfMatch = None) -> DealPublic:
    deal = await bus.execute(use_cases.win_deal, deal_id=deal_id, expected_version=expected_version(if_match))
    return _answer(deal, response)


@router.post(
    "/{deal_id:uuid}/lose",
    summary="Mark a deal lost (sales), with potential: a follow-up deal in the cold-leads pipeline",
    responses=CLOSE_RESPONSES,
)
async def lose_deal(
    deal_id: UUID, body: DealLose, bus: BusDep, response: Response, if_match: IfMatch = None
) -> DealLostPublic:
    potential = None if body.potential is None else Potential(**body.potential.model_dump())
    deal, follow_up = await bus.execute(
        use_cases.lose_deal,
        deal_id=deal_id,
        reason=body.reason,
        potential=potential,
        expected_version=expected_version(if_match),
    )
    set_etag(response, deal.version)
    public = DealPublic.of(deal).model_dump()
    return DealLostPublic(**public, follow_up_deal_id=follow_up.id if follow_up else None)
