"""Who owns a lead: taking charge, bulk assignment, and the rules that assign new leads.

A rule rotates through its members (round-robin); a single member makes it a fixed assignment. Rules of
kind `by_source` match a lead's source, rules of kind `round_robin` match its team; the more specific
(by source) wins, then the lower priority number, then the older rule.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from uuid import UUID

from crm_leads.domain.duplicates.merge import ensure_not_merged
from crm_leads.domain.model import Lead
from crm_shared.domain import Aggregate, DomainEvent
from crm_shared.errors import Conflict, InvalidInput
from crm_shared.ids import new_id


class RuleKind(StrEnum):
    ROUND_ROBIN = "round_robin"
    BY_SOURCE = "by_source"


@dataclass(frozen=True)
class LeadAssigned(DomainEvent):
    lead_id: UUID
    from_owner: str | None
    to_owner: str
    team: str | None
    assigned_by: str
    rule: str | None = None


@dataclass(eq=False, kw_only=True)
class AssignmentRule(Aggregate):
    id: UUID
    name: str
    kind: RuleKind
    team: str | None = None
    source: str | None = None
    members: list[str] = field(default_factory=list)
    position: int = 0
    priority: int = 100
    active: bool = True
    created_at: datetime

    @classmethod
    def create(
        cls,
        *,
        name: str,
        kind: RuleKind,
        members: list[str],
        team: str | None = None,
        source: str | None = None,
        priority: int = 100,
    ) -> "AssignmentRule":
        rule = cls(
            id=new_id(),
            name=name,
            kind=kind,
            team=team,
            source=source,
            members=members,
            priority=priority,
            created_at=datetime.now(UTC),
        )
        rule.check()
        return rule

    def check(self) -> None:
        if not self.members:
            raise InvalidInput("members", "a rule needs at least one member")
        if len(set(self.members)) != len(self.members):
            raise InvalidInput("members", "members must be distinct")
        if self.kind is RuleKind.ROUND_ROBIN and not self.team:
            raise InvalidInput("team", "a round-robin rule rotates within a team")
        if self.kind is RuleKind.BY_SOURCE and not self.source:
            raise InvalidInput("source", "a by-source rule names the source it matches")

    def change(self, *, members: list[str] | None, active: bool | None, priority: int | None) -> None:
        if members is not None and members != self.members:
            self.members, self.position = members, 0
        self.active = self.active if active is None else active
        self.priority = self.priority if priority is None else priority
        self.check()

    def matches(self, *, team: str | None, source: str | None) -> bool:
        if not self.active:
            return False
        if self.kind is RuleKind.BY_SOURCE:
            return source is not None and self.source == source and (self.team in (None, team))
        return team is not None and self.team == team

    def next_owner(self) -> str:
        """The member whose turn it is; the rotation moves on (persist the rule to keep it)."""
        owner = self.members[self.position % len(self.members)]
        self.position = (self.position + 1) % len(self.members)
        return owner


def choose_rule(
    rules: Iterable[AssignmentRule], *, team: str | None, source: str | None
) -> AssignmentRule | None:
    matching = [r for r in rules if r.matches(team=team, source=source)]
    matching.sort(key=lambda r: (r.kind is not RuleKind.BY_SOURCE, r.priority, r.created_at))
    return matching[0] if matching else None


def assign(lead: Lead, *, to_owner: str, by: str, team: str | None = None, rule: str | None = None) -> bool:
    """Give the lead (and its team, when given) to `to_owner`; False (no event) if nothing changes."""
    ensure_not_merged("lead", lead)
    if lead.is_converted:
        raise Conflict(f"lead {lead.id} is converted and read-only", code="lead_converted")
    if lead.owner_id == to_owner and team in (None, lead.team):
        return False
    previous, lead.owner_id = lead.owner_id, to_owner
    lead.team = team or lead.team
    lead.updated_at = datetime.now(UTC)
    lead.record(LeadAssigned(lead.id, previous, to_owner, team, by, rule))
    return True
