"""Contracts: the billing set up once a deal is won. One contract per won deal, active for a term."""

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from uuid import UUID

from crm_quotes.domain import events
from crm_shared.domain import Aggregate
from crm_shared.errors import InvalidInput
from crm_shared.ids import new_id

TERM_MONTHS = 12
MAX_TITLE_LENGTH = 255
_CURRENCY = re.compile(r"^[A-Z]{3}$")


class ContractStatus(StrEnum):
    ACTIVE = "active"


def add_months(day: date, months: int) -> date:
    """Same day `months` later, clamped to the last day of a shorter month (Feb 29 -> Feb 28)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def start_date_of(won_at: datetime) -> date:
    """The UTC calendar day of the win; a timestamp without an offset is taken as UTC."""
    if won_at.tzinfo is None:
        won_at = won_at.replace(tzinfo=UTC)
    return won_at.astimezone(UTC).date()


def term(start: date, months: int = TERM_MONTHS) -> tuple[date, date]:
    return start, add_months(start, months)


@dataclass(eq=False, kw_only=True)
class Contract(Aggregate):
    id: UUID
    deal_id: UUID
    account_id: UUID | None = None
    title: str
    start_date: date
    end_date: date
    budget_minor: int
    currency: str
    owner_id: str
    csm_id: str | None = None
    status: ContractStatus = ContractStatus.ACTIVE
    created_at: datetime

    @classmethod
    def for_won_deal(
        cls,
        *,
        deal_id: UUID,
        account_id: UUID | None,
        title: str,
        won_at: datetime,
        budget_minor: int,
        currency: str,
        owner_id: str,
        csm_id: str | None,
    ) -> "Contract":
        _check(title=title, budget_minor=budget_minor, currency=currency, owner_id=owner_id)
        start, end = term(start_date_of(won_at))
        contract = cls(
            id=new_id(),
            deal_id=deal_id,
            account_id=account_id,
            title=title.strip(),
            start_date=start,
            end_date=end,
            budget_minor=budget_minor,
            currency=currency,
            owner_id=owner_id,
            csm_id=csm_id,
            created_at=datetime.now(UTC),
        )
        contract.record(contract._created())
        return contract

    def _created(self) -> events.ContractCreated:
        return events.ContractCreated(
            contract_id=self.id,
            deal_id=self.deal_id,
            account_id=self.account_id,
            title=self.title,
            start_date=self.start_date,
            end_date=self.end_date,
            budget_minor=self.budget_minor,
            currency=self.currency,
            owner_id=self.owner_id,
            csm_id=self.csm_id,
        )


def _check(*, title: str, budget_minor: int, currency: str, owner_id: str) -> None:
    if not title.strip() or len(title.strip()) > MAX_TITLE_LENGTH:
        raise InvalidInput("title", f"a contract needs a title of 1 to {MAX_TITLE_LENGTH} characters")
    if budget_minor < 0:
        raise InvalidInput("budget_minor", "a budget cannot be negative")
    if not _CURRENCY.match(currency):
        raise InvalidInput("currency", "expected an ISO 4217 code such as EUR")
    if not owner_id.strip():
        raise InvalidInput("owner_id", "a contract needs an owner")
