"""Repositories of the deals service."""

from typing import Any
from uuid import UUID

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncConnection

from crm_deals.adapters.tables import deals, pipelines, stages
from crm_deals.domain.model import Deal, DealStatus, Pipeline, Stage, StageKind
from crm_shared.db.repository import TableRepository
from crm_shared.errors import NotFound


class DealRepository(TableRepository[Deal]):
    table, kind = deals, Deal

    def from_row(self, row: Row[Any]) -> Deal:
        values = row._asdict()
        return Deal(**values | {"status": DealStatus(values["status"])})

    async def by_lead(self, lead_id: UUID) -> Deal | None:
        found = await self.find(select(deals).where(deals.c.lead_id == lead_id))
        return found[0] if found else None

    async def list(
        self, *, owner_id: str | None, status: DealStatus | None, after: UUID | None, limit: int
    ) -> list[Deal]:
        return await self.page(after=after, limit=limit, equal={"owner_id": owner_id, "status": status})


class PipelineRepository:
    """Pipelines are read whole, with their stages; they change through their own use cases."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def get(self, pipeline_id: UUID) -> Pipeline:
        found = await self._load(pipelines.c.id == pipeline_id)
        if not found:
            raise NotFound("pipeline", pipeline_id)
        return found[0]

    async def default(self) -> Pipeline:
        found = await self._load(pipelines.c.is_default.is_(True))
        if not found:
            raise NotFound("pipeline", "default")
        return found[0]

    async def all(self) -> list[Pipeline]:
        return await self._load(pipelines.c.archived.is_(False))

    async def _load(self, condition: Any) -> list[Pipeline]:
        rows = (
            await self._connection.execute(select(pipelines).where(condition).order_by(pipelines.c.name))
        ).all()
        if not rows:
            return []
        stage_rows = (
            await self._connection.execute(
                select(stages)
                .where(stages.c.pipeline_id.in_([r.id for r in rows]))
                .order_by(stages.c.position)
            )
        ).all()
        return [
            Pipeline(
                id=r.id,
                name=r.name,
                currency=r.currency,
                stages=tuple(
                    Stage(s.id, s.name, s.position, s.probability, StageKind(s.kind))
                    for s in stage_rows
                    if s.pipeline_id == r.id
                ),
            )
            for r in rows
        ]
