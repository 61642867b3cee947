"""Assignment rules; the round-robin position is a column advanced under the rule row's lock."""

from typing import Any

from sqlalchemy import Row, and_, or_, select

from crm_leads.adapters.workflows.tables import assignment_rules
from crm_leads.domain.workflows.assignment import AssignmentRule, RuleKind
from crm_shared.db.repository import TableRepository


class RuleRepository(TableRepository[AssignmentRule]):
    table, kind = assignment_rules, AssignmentRule

    def from_row(self, row: Row[Any]) -> AssignmentRule:
        values = row._asdict()
        return AssignmentRule(
            **values | {"kind": RuleKind(values["kind"]), "members": list(values["members"])}
        )

    async def matching(self, *, team: str | None, source: str | None) -> list[AssignmentRule]:
        """Active rules that could apply; the domain picks one (`choose_rule`)."""
        table = self.table
        by_source = and_(table.c.kind == RuleKind.BY_SOURCE, table.c.source == source)
        by_team = and_(table.c.kind == RuleKind.ROUND_ROBIN, table.c.team == team)
        return await self.find(select(table).where(table.c.active, or_(by_source, by_team)))

    async def listed(self, *, team: str | None, after: Any, limit: int) -> list[AssignmentRule]:
        return await self.page(after=after, limit=limit, equal={"team": team})
