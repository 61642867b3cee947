"""HTTP API of pipelines and stages (`/v1/pipelines`). Every change answers with the pipeline and its ETag."""

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Response, status

from crm_deals.domain.pipelines import Pipeline, StageSpec
from crm_deals.entrypoints.schemas import (
    PipelineCreate,
    PipelinePublic,
    PipelineUpdate,
    StageCreate,
    StageOrder,
    StageUpdate,
)
from crm_deals.service_layer import pipelines as use_cases
from crm_shared.http.conditional import PRECONDITION_RESPONSES, IfMatch, expected_version, set_etag
from crm_shared.runtime import BusDep

router = APIRouter(tags=["pipelines"])
CHANGE_RESPONSES: dict[int | str, dict[str, Any]] = {
    403: {"description": "Only sales and admin configure pipelines"},
    409: {"description": "The pipeline is archived, or the change is refused in its current state"},
    422: {"description": "The change breaks a rule (one won, one lost, at least one open stage...)"},
    **PRECONDITION_RESPONSES,
}


def _answer(pipeline: Pipeline, response: Response) -> PipelinePublic:
    set_etag(response, pipeline.version)
    return PipelinePublic.of(pipeline)


@router.get("", summary="Pipelines with their stages (archived ones on request)")
async def list_pipelines(bus: BusDep, include_archived: bool = False) -> list[PipelinePublic]:
    found = await bus.read(use_cases.list_pipelines, include_archived=include_archived)
    return [PipelinePublic.of(p) for p in found]


@router.post("", status_code=status.HTTP_201_CREATED, responses=CHANGE_RESPONSES)
async def create_pipeline(body: PipelineCreate, bus: BusDep, response: Response) -> PipelinePublic:
    settings = body.settings.model_dump(exclude={"proposal_stage"})
    pipeline = await bus.execute(
        use_cases.create_pipeline,
        name=body.name,
        currency=body.currency,
        team=body.team,
        stages=[StageSpec(s.name, s.probability, s.kind) for s in body.stages],
        proposal_stage=body.settings.proposal_stage,
        settings=settings,
    )
    return _answer(pipeline, response)


@router.get("/{pipeline_id}", summary="A pipeline (its ETag is its version)")
async def get_pipeline(pipeline_id: UUID, bus: BusDep, response: Response) -> PipelinePublic:
    return _answer(await bus.read(use_cases.get_pipeline, pipeline_id=pipeline_id), response)


@router.patch(
    "/{pipeline_id}", summary="Rename, change currency, team or settings", responses=CHANGE_RESPONSES
)
async def update_pipeline(
    pipeline_id: UUID, body: PipelineUpdate, bus: BusDep, response: Response, if_match: IfMatch = None
) -> PipelinePublic:
    pipeline = await bus.execute(
        use_cases.update_pipeline,
        pipeline_id=pipeline_id,
        changes=body.pipeline_changes(),
        expected_version=expected_version(if_match),
    )
    return _answer(pipeline, response)


@router.post("/{pipeline_id}/archive", summary="Archive (read-only from then on)", responses=CHANGE_RESPONSES)
async def archive_pipeline(
    pipeline_id: UUID, bus: BusDep, response: Response, if_match: IfMatch = None
) -> PipelinePublic:
    pipeline = await bus.execute(
        use_cases.archive_pipeline, pipeline_id=pipeline_id, expected_version=expected_version(if_match)
    )
    return _answer(pipeline, response)


@router.post("/{pipeline_id}/stages", status_code=status.HTTP_201_CREATED, responses=CHANGE_RESPONSES)
async def add_stage(
    pipeline_id: UUID, body: StageCreate, bus: BusDep, response: Response, if_match: IfMatch = None
) -> PipelinePublic:
    pipeline = await bus.execute(
        use_cases.add_stage,
        pipeline_id=pipeline_id,
        spec=body.spec(),
        position=body.position,
        expected_version=expected_version(if_match),
    )
    return _answer(pipeline, response)


@router.put("/{pipeline_id}/stages/order", summary="Reorder all stages", responses=CHANGE_RESPONSES)
async def reorder_stages(
    pipeline_id: UUID, body: StageOrder, bus: BusDep, response: Response, if_match: IfMatch = None
) -> PipelinePublic:
    pipeline = await bus.execute(
        use_cases.reorder_stages,
        pipeline_id=pipeline_id,
        stage_ids=body.stage_ids,
        expected_version=expected_version(if_match),
    )
    return _answer(pipeline, response)


@router.patch("/{pipeline_id}/stages/{stage_id}", responses=CHANGE_RESPONSES)
async def update_stage(
    pipeline_id: UUID,
    stage_id: UUID,
    *,
    body: StageUpdate,
    bus: BusDep,
    response: Response,
    if_match: IfMatch = None,
) -> PipelinePublic:
    pipeline = await bus.execute(
        use_cases.update_stage,
        pipeline_id=pipeline_id,
        stage_id=stage_id,
        changes=body.changes(),
        expected_version=expected_version(if_match),
    )
    return _answer(pipeline, response)


@router.delete(
    "/{pipeline_id}/stages/{stage_id}",
    summary="Delete a stage; its deals, if any, move to `move_deals_to` (same pipeline)",
    responses=CHANGE_RESPONSES,
)
async def delete_stage(
    pipeline_id: UUID,
    stage_id: UUID,
    *,
    bus: BusDep,
    response: Response,
    move_deals_to: UUID | None = None,
    if_match: IfMatch = None,
) -> PipelinePublic:
    pipeline = await bus.execute(
        use_cases.delete_stage,
        pipeline_id=pipeline_id,
        stage_id=stage_id,
        move_deals_to=move_deals_to,
        expected_version=expected_version(if_match),
    )
    return _answer(pipeline, response)
