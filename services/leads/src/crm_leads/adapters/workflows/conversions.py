"""Lead conversions: what each converted lead became, and the accounts a conversion may duplicate."""

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Row, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from crm_leads.adapters.accounts.tables import accounts
from crm_leads.adapters.workflows.tables import lead_conversions
from crm_leads.domain.events import DealRequest
from crm_leads.domain.workflows.conversion import AccountSummary, ConversionRecord, company_key
from crm_shared.text_keys import address_key


class ConversionRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, record: ConversionRecord) -> None:
        deal = record.deal
        await self._connection.execute(
            lead_conversions.insert().values(
                lead_id=record.lead_id,
                account_id=record.account_id,
                account_created=record.account_created,
                contact_id=record.contact_id,
                contact_created=record.contact_created,
                deal_title=deal.title if deal else None,
                deal_amount_minor=deal.amount_minor if deal else None,
                deal_currency=deal.currency if deal else None,
                deal_owner_id=deal.owner_id if deal else None,
                deal_pipeline_id=deal.pipeline_id if deal else None,
                deal_stage_id=deal.stage_id if deal else None,
                deal_expected_close_date=deal.expected_close_date if deal else None,
                converted_by=record.converted_by,
                converted_at=record.converted_at,
            )
        )

    async def get(self, lead_id: UUID) -> ConversionRecord | None:
        query = select(lead_conversions).where(lead_conversions.c.lead_id == lead_id)
        row = (await self._connection.execute(query)).first()
        return _record(row) if row else None

    async def account_candidates(self, *, name: str, email_domain: str | None) -> list[AccountSummary]:
        """Accounts that are the same company by `likely_duplicates`' rules: the same company key
        (stored, computed in Python: ADR 0006) or the same email domain."""
        key = company_key(name)
        conditions: list[ColumnElement[bool]] = [accounts.c.name_key == key] if key else []
        if email_domain:
            conditions.append(accounts.c.email_domain == address_key(email_domain))
        if not conditions:
            return []
        query = select(accounts.c.id, accounts.c.name, accounts.c.email_domain).where(
            or_(*conditions), accounts.c.merged_into.is_(None)
        )
        rows: Iterable[Row[Any]] = await self._connection.execute(query.limit(500))
        return [AccountSummary(row.id, row.name, row.email_domain) for row in rows]


def _record(row: Row[Any]) -> ConversionRecord:
    deal = (
        DealRequest(
            title=row.deal_title,
            amount_minor=row.deal_amount_minor,
            currency=row.deal_currency,
            owner_id=row.deal_owner_id,
            pipeline_id=row.deal_pipeline_id,
            stage_id=row.deal_stage_id,
            expected_close_date=row.deal_expected_close_date,
        )
        if row.deal_title is not None
        else None
    )
    return ConversionRecord(
        lead_id=row.lead_id,
        account_id=row.account_id,
        account_created=row.account_created,
        contact_id=row.contact_id,
        contact_created=row.contact_created,
        deal=deal,
        converted_by=row.converted_by,
        converted_at=row.converted_at,
    )
