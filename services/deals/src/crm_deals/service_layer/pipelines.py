"""Use cases of pipelines and stages: every role reads them, only Sales (and Admin) configure them."""

from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID

from crm_deals.domain.pipelines import Pipeline, Stage, StageKind, StageSpec
from crm_deals.service_layer.unit_of_work import DealsUnitOfWork
from crm_shared.auth import Principal, Role, authorize
from crm_shared.errors import Conflict, InvalidInput
from crm_shared.text_keys import NameTaken

READERS = (Role.SALES, Role.CSM, Role.SUPPORT)
CONFIGURERS = (Role.SALES,)


async def list_pipelines(
    *, uow: DealsUnitOfWork, actor: Principal, include_archived: bool = False
) -> list[Pipeline]:
    authorize(actor, *READERS)
    return await uow.pipelines.all(include_archived=include_archived)


async def get_pipeline(*, uow: DealsUnitOfWork, actor: Principal, pipeline_id: UUID) -> Pipeline:
    authorize(actor, *READERS)
    return await uow.pipelines.get(pipeline_id)


async def create_pipeline(
    *,
    uow: DealsUnitOfWork,
    actor: Principal,
    name: str,
    currency: str,
    team: str | None,
    stages: Sequence[StageSpec],
    proposal_stage: str | None,
    settings: Mapping[str, Any],
) -> Pipeline:
    authorize(actor, *CONFIGURERS)
    await _check_name_free(uow, name)
    pipeline = Pipeline.create(
        name=name,
        currency=currency,
        team=team,
        stages=stages,
        proposal_stage=proposal_stage,
        settings=settings,
    )
    await uow.pipelines.add(pipeline)
    return pipeline


async def update_pipeline(
    *,
    uow: DealsUnitOfWork,
    actor: Principal,
    pipeline_id: UUID,
    changes: Mapping[str, Any],
    expected_version: int | None,
) -> Pipeline:
    pipeline = await _for_change(uow, actor, pipeline_id, expected_version)
    if "name" in changes:
        await _check_name_free(uow, changes["name"], besides=pipeline_id)
    if pipeline.update(changes):
        await uow.pipelines.update(pipeline)
    return pipeline


async def add_stage(
    *,
    uow: DealsUnitOfWork,
    actor: Principal,
    pipeline_id: UUID,
    spec: StageSpec,
    position: int | None,
    expected_version: int | None,
) -> Pipeline:
    pipeline = await _for_change(uow, actor, pipeline_id, expected_version)
    pipeline.add_stage(spec, position=position)
    await uow.pipelines.update(pipeline)
    return pipeline


async def update_stage(
    *,
    uow: DealsUnitOfWork,
    actor: Principal,
    pipeline_id: UUID,
    stage_id: UUID,
    changes: Mapping[str, Any],
    expected_version: int | None,
) -> Pipeline:
    pipeline = await _for_change(uow, actor, pipeline_id, expected_version)
    kind = changes.get("kind")
    # The deals in a stage have the status of its kind; they would be left inconsistent.
    changes_kind = kind is not None and StageKind(kind) is not pipeline.stage(stage_id).kind
    if changes_kind and await uow.deals.count_in_stage(stage_id):
        raise Conflict("the kind of a stage with deals cannot change", code="stage_not_empty")
    pipeline.update_stage(stage_id, changes)
    await uow.pipelines.update(pipeline)
    return pipeline


async def reorder_stages(
    *,
    uow: DealsUnitOfWork,
    actor: Principal,
    pipeline_id: UUID,
    stage_ids: Sequence[UUID],
    expected_version: int | None,
) -> Pipeline:
    pipeline = await _for_change(uow, actor, pipeline_id, expected_version)
    pipeline.reorder(stage_ids)
    await uow.pipelines.update(pipeline)
    return pipeline


async def delete_stage(
    *,
    uow: DealsUnitOfWork,
    actor: Principal,
    pipeline_id: UUID,
    stage_id: UUID,
    move_deals_to: UUID | None,
    expected_version: int | None,
) -> Pipeline:
    """Refused while deals are in the stage, unless they move to `move_deals_to` in this transaction."""
    pipeline = await _for_change(uow, actor, pipeline_id, expected_version)
    pipeline.remove_stage(stage_id)
    target = None if move_deals_to is None else _target(pipeline, move_deals_to)
    before = await uow.pipelines.get(pipeline_id)  # still with the stage, for the deals' events
    for deal in await uow.deals.in_stage(stage_id, for_update=True):
        if target is None:
            raise Conflict(
                "deals are in this stage: move them first or give move_deals_to", "stage_not_empty"
            )
        # Each deal moves through its aggregate, so subscribers see a DealStageChanged per deal.
        deal.move(pipeline=before, stage=before.stage(target.id), by=actor.user_id, cause="stage_deleted")
        await uow.deals.update(deal)
    await uow.pipelines.update(pipeline)
    return pipeline


async def archive_pipeline(
    *, uow: DealsUnitOfWork, actor: Principal, pipeline_id: UUID, expected_version: int | None
) -> Pipeline:
    pipeline = await _for_change(uow, actor, pipeline_id, expected_version)
    pipeline.archive()
    await uow.pipelines.update(pipeline)
    return pipeline


async def _for_change(
    uow: DealsUnitOfWork, actor: Principal, pipeline_id: UUID, expected_version: int | None
) -> Pipeline:
    authorize(actor, *CONFIGURERS)
    pipeline = await uow.pipelines.get(pipeline_id, for_update=True)
    pipeline.check_version(expected_version)
    return pipeline


def _target(pipeline: Pipeline, stage_id: UUID) -> Stage:
    """After the removal: refuses the deleted stage itself and stages of other pipelines."""
    try:
        target = pipeline.stage(stage_id)
    except InvalidInput:
        raise InvalidInput("move_deals_to", "give another stage of the same pipeline") from None
    if target.kind is not StageKind.OPEN:
        raise InvalidInput("move_deals_to", "deals of an open stage move to another open stage")
    return target


async def _check_name_free(uow: DealsUnitOfWork, name: str, *, besides: UUID | None = None) -> None:
    if await uow.pipelines.name_taken(name, besides=besides):
        raise NameTaken("name", f"a pipeline is already named {name!r}", "pipeline_name_taken")
