"""Repositories of the deals service."""

from collections.abc import Iterable
from dataclasses import asdict
from datetime import date
from typing import Any
from uuid import UUID

from pydantic_core import to_jsonable_python
from sqlalchemy import Row, Uuid, cast, delete, func, select, true
from sqlalchemy.dialects.postgresql import ARRAY, insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from crm_deals.adapters.tables import deal_revisions, deals, pipelines, stages
from crm_deals.domain.model import Deal, DealStatus
from crm_deals.domain.pipelines import SETTING_NAMES, Pipeline, PipelineSettings, Stage, StageKind
from crm_shared.db.repository import TableRepository
from crm_shared.errors import Conflict, NotFound, PreconditionFailed
from crm_shared.text_keys import NameTaken, casefold_key

NAME_KEY_CONSTRAINT = "uq_pipelines_name_key"


def deal_search_text(title: str, description: str | None) -> str:
    """What the deals' text filter matches: title and description, casefolded (ADR 0006)."""
    return casefold_key(f"{title} {description or ''}")


class DealRepository(TableRepository[Deal]):
    """Deals; each saved version also lands in `deal_revisions`, the deal's state as of any date."""

    table, kind = deals, Deal

    def from_row(self, row: Row[Any]) -> Deal:
        values = row._asdict()
        values.pop("search_text")
        return Deal(
            **values
            | {
                "status": DealStatus(values["status"]),
                "contact_ids": tuple(values["contact_ids"]),
                "tags": tuple(values["tags"]),
            }
        )

    async def add(self, aggregate: Deal) -> None:
        await super().add(aggregate)
        await self._revise(aggregate)

    async def update(self, aggregate: Deal) -> None:
        await super().update(aggregate)
        await self._revise(aggregate)

    async def by_lead(self, lead_id: UUID) -> Deal | None:
        found = await self.find(select(deals).where(deals.c.lead_id == lead_id))
        return found[0] if found else None

    async def by_renewal(self, contract_id: UUID, start: date) -> Deal | None:
        query = select(deals).where(
            deals.c.renewal_of_contract == contract_id, deals.c.renewal_start == start
        )
        found = await self.find(query)
        return found[0] if found else None

    async def count_in_stage(self, stage_id: UUID) -> int:
        query = select(func.count()).select_from(deals).where(deals.c.stage_id == stage_id)
        return int((await self._connection.execute(query)).scalar_one())

    async def last_rank(self, stage_id: UUID, *, besides: UUID | None = None) -> float | None:
        """The rank of the stage's last deal, found on the board index (stage, rank) without reading
        the stage's deals; `besides` leaves one deal out (the one being moved)."""
        query = select(func.max(deals.c.rank)).where(deals.c.stage_id == stage_id)
        if besides is not None:
            query = query.where(deals.c.id != besides)
        last = (await self._connection.execute(query)).scalar_one()
        return None if last is None else float(last)

    async def in_stage(self, stage_id: UUID, *, for_update: bool = False) -> list[Deal]:
        query = select(deals).where(deals.c.stage_id == stage_id).order_by(deals.c.rank, deals.c.id)
        return await self.find(query.with_for_update() if for_update else query)

    async def open_of_account(self, account_id: UUID, *, besides: UUID) -> list[Deal]:
        query = select(deals).where(
            deals.c.account_id == account_id, deals.c.status == DealStatus.OPEN, deals.c.id != besides
        )
        return await self.find(query.order_by(deals.c.id).with_for_update())

    async def referring_to(self, column: str, ids: Iterable[UUID]) -> list[Deal]:
        """Deals naming any of `ids` as their account, or as a primary or secondary contact."""
        wanted = list(ids)
        if column == "account_id":
            condition = deals.c.account_id.in_(wanted)
        else:
            condition = deals.c.contact_id.in_(wanted) | deals.c.contact_ids.overlap(
                cast(wanted, ARRAY(Uuid))
            )
        return await self.find(select(deals).where(condition).order_by(deals.c.id).with_for_update())

    def _row(self, aggregate: Deal) -> dict[str, Any]:
        search_text = deal_search_text(aggregate.title, aggregate.description)
        return self._values(aggregate) | {"search_text": search_text}

    def _values(self, aggregate: Deal) -> dict[str, Any]:
        """The deal's own fields, as its revisions keep them."""
        row = super()._row(aggregate)
        return row | {"contact_ids": list(aggregate.contact_ids), "tags": list(aggregate.tags)}

    async def _revise(self, deal: Deal) -> None:
        await self._connection.execute(
            deal_revisions.insert().values(
                deal_id=deal.id,
                version=deal.version,
                at=deal.updated_at,
                by=deal.updated_by,
                pipeline_id=deal.pipeline_id,
                stage_id=deal.stage_id,
                status=deal.status.value,
                snapshot=to_jsonable_python(self._values(deal)),
            )
        )


class PipelineRepository:
    """Pipelines are read and written whole, with their stages; the pipeline row carries the version."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def get(self, pipeline_id: UUID, *, for_update: bool = False) -> Pipeline:
        found = await self._load(pipelines.c.id == pipeline_id, for_update=for_update)
        if not found:
            raise NotFound("pipeline", pipeline_id)
        return found[0]

    async def default(self) -> Pipeline:
        found = await self._load(pipelines.c.is_default.is_(True))
        if not found:
            raise NotFound("pipeline", "default")
        return found[0]

    async def cold_leads(self) -> Pipeline:
        """Where deals lost with potential wait; the first by name when several are flagged."""
        found = await self._load(
            pipelines.c.is_cold_leads_pipeline.is_(True) & pipelines.c.archived.is_(False)
        )
        if not found:
            raise Conflict(
                "no pipeline takes cold leads: flag one in its settings", code="no_cold_leads_pipeline"
            )
        return found[0]

    async def renewals(self) -> Pipeline:
        """Where renewal deals open; the first by name when several are flagged."""
        found = await self._load(pipelines.c.is_renewal_pipeline.is_(True) & pipelines.c.archived.is_(False))
        if not found:
            raise Conflict("no pipeline takes renewals: flag one in its settings", code="no_renewal_pipeline")
        return found[0]

    async def all(self, *, include_archived: bool = False) -> list[Pipeline]:
        return await self._load(true() if include_archived else pipelines.c.archived.is_(False))

    async def name_taken(self, name: str, *, besides: UUID | None = None) -> bool:
        query = select(pipelines.c.id).where(pipelines.c.name_key == casefold_key(name))
        if besides is not None:
            query = query.where(pipelines.c.id != besides)
        return (await self._connection.execute(query)).first() is not None

    async def add(self, pipeline: Pipeline) -> None:
        await self._write_row(pipeline, pipelines.insert().values(**_pipeline_row(pipeline)))
        await self._save_stages(pipeline)

    async def update(self, pipeline: Pipeline) -> None:
        """Optimistic concurrency, as for the other aggregates: the row must still be at the version read."""
        values = _pipeline_row(pipeline) | {"version": pipeline.version + 1}
        result = await self._write_row(
            pipeline,
            pipelines.update()
            .where(pipelines.c.id == pipeline.id, pipelines.c.version == pipeline.version)
            .values(**values),
        )
        if result.rowcount != 1:
            raise PreconditionFailed(f"Pipeline {pipeline.id} was changed meanwhile")
        pipeline.version += 1
        await self._save_stages(pipeline)

    async def _write_row(self, pipeline: Pipeline, statement: Any) -> Any:
        """A name taken by a concurrent transaction after the use case's check is still a clear 409."""
        try:
            async with self._connection.begin_nested():
                return await self._connection.execute(statement)
        except IntegrityError as exc:
            if NAME_KEY_CONSTRAINT in str(exc.orig):
                detail = f"a pipeline is already named {pipeline.name!r}"
                raise NameTaken("name", detail, "pipeline_name_taken") from exc
            raise

    async def _save_stages(self, pipeline: Pipeline) -> None:
        kept = [s.id for s in pipeline.stages]
        await self._connection.execute(
            delete(stages).where(stages.c.pipeline_id == pipeline.id, stages.c.id.not_in(kept))
        )
        rows = [asdict(s) | {"pipeline_id": pipeline.id, "kind": s.kind.value} for s in pipeline.stages]
        upsert = insert(stages).values(rows)
        columns = ("name", "position", "probability", "kind")
        await self._connection.execute(
            upsert.on_conflict_do_update(
                index_elements=[stages.c.id], set_={c: upsert.excluded[c] for c in columns}
            )
        )

    async def _load(self, condition: Any, *, for_update: bool = False) -> list[Pipeline]:
        query = select(pipelines).where(condition).order_by(pipelines.c.name)
        rows = (await self._connection.execute(query.with_for_update() if for_update else query)).all()
        if not rows:
            return []
        stage_rows = (
            await self._connection.execute(
                select(stages)
                .where(stages.c.pipeline_id.in_([r.id for r in rows]))
                .order_by(stages.c.position)
            )
        ).all()
        return [_pipeline(r, [s for s in stage_rows if s.pipeline_id == r.id]) for r in rows]


def _pipeline(row: Row[Any], stage_rows: list[Row[Any]]) -> Pipeline:
    return Pipeline(
        id=row.id,
        name=row.name,
        currency=row.currency,
        team=row.team,
        archived=row.archived,
        is_default=row.is_default,
        version=row.version,
        settings=PipelineSettings(**{name: getattr(row, name) for name in SETTING_NAMES}),
        stages=tuple(Stage(s.id, s.name, s.position, s.probability, StageKind(s.kind)) for s in stage_rows),
    )


def _pipeline_row(pipeline: Pipeline) -> dict[str, Any]:
    return asdict(pipeline.settings) | {
        "id": pipeline.id,
        "name": pipeline.name,
        "name_key": casefold_key(pipeline.name),
        "currency": pipeline.currency,
        "team": pipeline.team,
        "archived": pipeline.archived,
        "is_default": pipeline.is_default,
        "version": pipeline.version,
    }
