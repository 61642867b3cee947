"""Admin-configured settings of case handling: SLA targets per priority, and each team's members with
the round-robin cursor that hands out new cases."""

from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from crm_cases.adapters.tables import sla_targets, team_members, team_rotations
from crm_cases.domain.assignment import next_in_rotation
from crm_cases.domain.sla import SlaTarget


class CaseSettingsRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def sla_targets(self) -> list[SlaTarget]:
        rows = await self._connection.execute(select(sla_targets).order_by(sla_targets.c.priority))
        return [SlaTarget(**row._asdict()) for row in rows]

    async def sla_target(self, priority: str) -> SlaTarget | None:
        row = (
            await self._connection.execute(select(sla_targets).where(sla_targets.c.priority == priority))
        ).first()
        return SlaTarget(**row._asdict()) if row else None

    async def replace_sla_targets(self, targets: Sequence[SlaTarget]) -> None:
        await self._connection.execute(delete(sla_targets))
        if targets:
            await self._connection.execute(sla_targets.insert(), [vars(t) for t in targets])

    async def team_members(self, team: str) -> list[str]:
        rows = await self._connection.execute(
            select(team_members.c.user_id)
            .where(team_members.c.team == team)
            .order_by(team_members.c.position)
        )
        return list(rows.scalars())

    async def replace_team_members(self, team: str, members: Sequence[str]) -> None:
        await self._connection.execute(delete(team_members).where(team_members.c.team == team))
        if members:
            rows = [{"team": team, "user_id": user, "position": i} for i, user in enumerate(members)]
            await self._connection.execute(team_members.insert(), rows)

    async def take_turn(self, team: str) -> str | None:
        """The team member whose turn it is, moving the cursor in this transaction. The cursor row is
        locked, so concurrent intakes for one team queue up here and never hand out the same turn."""
        await self._connection.execute(
            pg_insert(team_rotations).values(team=team, last_user_id=None).on_conflict_do_nothing()
        )
        last = (
            await self._connection.execute(
                select(team_rotations.c.last_user_id).where(team_rotations.c.team == team).with_for_update()
            )
        ).scalar_one()
        chosen = next_in_rotation(await self.team_members(team), last)
        if chosen is not None:
            await self._connection.execute(
                team_rotations.update().where(team_rotations.c.team == team).values(last_user_id=chosen)
            )
        return chosen
