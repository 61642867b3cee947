"""In-memory stand-ins of the workflow repositories: conversions, assignment rules, web-to-lead forms,
their submissions and rate windows (see `fake_repositories` for the common ground)."""

from datetime import datetime
from typing import Any
from uuid import UUID

from crm_leads.domain.duplicates.matching import company_key
from crm_leads.domain.workflows.assignment import AssignmentRule, RuleKind
from crm_leads.domain.workflows.conversion import AccountSummary, ConversionRecord
from crm_leads.domain.workflows.intake import IntakeForm
from crm_shared.errors import NotFound
from crm_shared.text_keys import address_key
from services.leads.tests.unit.fake_repositories import FakeDatabase, FakeTable, live, newest_first


class FakeConversions:
    def __init__(self, db: FakeDatabase) -> None:
        self.db = db

    async def add(self, record: ConversionRecord) -> None:
        assert record.lead_id not in self.db.conversions, "a lead is converted once (primary key)"
        self.db.conversions[record.lead_id] = record

    async def get(self, lead_id: UUID) -> ConversionRecord | None:
        found: ConversionRecord | None = self.db.conversions.get(lead_id)
        return found

    async def account_candidates(self, *, name: str, email_domain: str | None) -> list[AccountSummary]:
        """The same company key, or the same email domain, as the real look-up."""
        key, domain = company_key(name), address_key(email_domain) if email_domain else None
        return [
            AccountSummary(a.id, a.name, a.email_domain)
            for a in live(self.db.accounts.values())
            if (key and company_key(a.name) == key) or (domain and a.email_domain == domain)
        ]


class FakeRules(FakeTable[AssignmentRule]):
    name = "rules"

    async def matching(self, *, team: str | None, source: str | None) -> list[AssignmentRule]:
        return [
            await self.get(rule.id)
            for rule in self.rows.values()
            if rule.active
            and (
                (rule.kind is RuleKind.BY_SOURCE and rule.source == source)
                or (rule.kind is RuleKind.ROUND_ROBIN and rule.team == team)
            )
        ]

    async def listed(self, *, team: str | None, after: UUID | None, limit: int) -> list[AssignmentRule]:
        found = [r for r in self.rows.values() if team is None or r.team == team]
        return newest_first(found, after=after, limit=limit)


class FakeForms(FakeTable[IntakeForm]):
    name = "forms"

    async def by_key(self, form_key: str) -> IntakeForm:
        for form in self.rows.values():
            if form.form_key == form_key:
                return await self.get(form.id)
        raise NotFound("form", form_key)

    async def key_taken(self, form_key: str) -> bool:
        return any(form.form_key == form_key for form in self.rows.values())

    async def page(self, *, after: UUID | None, limit: int) -> list[IntakeForm]:
        return newest_first(self.rows.values(), after=after, limit=limit)


class FakeSubmissions:
    def __init__(self, db: FakeDatabase) -> None:
        self.db = db

    async def add(self, **values: Any) -> None:
        self.db.submissions.append(dict(values))

    async def of_lead(self, lead_id: UUID, *, after: UUID | None, limit: int) -> list[dict[str, Any]]:
        found = sorted((s for s in self.db.submissions if s["lead_id"] == lead_id), key=lambda s: s["id"])
        return [dict(s) for s in reversed(found) if after is None or s["id"] < after][:limit]


class FakeRateWindows:
    def __init__(self, db: FakeDatabase) -> None:
        self.db = db

    async def hit(self, *, client: str, window_start: datetime) -> int:
        key = (client, window_start)
        self.db.rate_windows[key] = self.db.rate_windows.get(key, 0) + 1
        return self.db.rate_windows[key]

    async def forget_before(self, moment: datetime) -> None:
        for key in [k for k in self.db.rate_windows if k[1] < moment]:
            del self.db.rate_windows[key]
