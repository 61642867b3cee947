"""Stage periods: when each deal entered and left each stage, written from the deals' domain events."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Row, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from crm_deals.adapters.tables import deal_stage_periods
from crm_deals.domain import events


class StagePeriodRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def record(self, domain_events: Iterable[object]) -> None:
        for event in domain_events:
            entry = stage_entry(event)
            if entry is not None:
                await self._enter(*entry)

    async def of_deal(self, deal_id: UUID) -> list[Row[Any]]:
        query = (
            select(deal_stage_periods)
            .where(deal_stage_periods.c.deal_id == deal_id)
            .order_by(deal_stage_periods.c.entered_at, deal_stage_periods.c.id)
        )
        return list((await self._connection.execute(query)).all())

    async def _enter(
        self, deal_id: UUID, pipeline_id: UUID, stage: tuple[UUID, str, str], at: datetime, by: str
    ) -> None:
        await self._connection.execute(
            update(deal_stage_periods)
            .where(deal_stage_periods.c.deal_id == deal_id, deal_stage_periods.c.left_at.is_(None))
            .values(left_at=at)
        )
        stage_id, name, kind = stage
        await self._connection.execute(
            deal_stage_periods.insert().values(
                deal_id=deal_id,
                pipeline_id=pipeline_id,
                stage_id=stage_id,
                stage_name=name,
                stage_kind=kind,
                entered_at=at,
                entered_by=by,
            )
        )


Entry = tuple[UUID, UUID, tuple[UUID, str, str], datetime, str]


def stage_entry(event: object) -> Entry | None:
    """(deal, pipeline, (stage id, name, kind), when, by) for the events that change a deal's stage."""
    match event:
        case events.DealCreated():
            stage = (event.stage_id, event.stage_name, "open")
            return event.deal_id, event.pipeline_id, stage, event.created_at, event.created_by
        case events.DealStageChanged():
            stage = (event.to_stage, event.to_stage_name, event.to_stage_kind)
            return event.deal_id, event.to_pipeline, stage, event.changed_at, event.changed_by
        case events.DealWon():
            stage = (event.to_stage, event.to_stage_name, "won")
            return event.deal_id, event.pipeline_id, stage, event.won_at, event.won_by
        case events.DealLost():
            stage = (event.to_stage, event.to_stage_name, "lost")
            return event.deal_id, event.pipeline_id, stage, event.lost_at, event.lost_by
        case events.DealReopened():
            stage = (event.to_stage, event.to_stage_name, "open")
            return event.deal_id, event.pipeline_id, stage, event.reopened_at, event.reopened_by
    return None
