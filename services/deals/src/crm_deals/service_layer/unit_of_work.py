from typing import Self

from crm_deals.adapters.close_requests import CloseRequestRepository
from crm_deals.adapters.deal_queries import DealQueries
from crm_deals.adapters.directories import AccountDirectory, UserDirectory
from crm_deals.adapters.report_queries import ReportQueries
from crm_deals.adapters.repositories import DealRepository, PipelineRepository
from crm_deals.adapters.stage_history import StagePeriodRepository
from crm_deals.service_layer.callers import remember
from crm_shared.auth import Principal
from crm_shared.db import SqlUnitOfWork


class DealsUnitOfWork(SqlUnitOfWork):
    deals: DealRepository
    pipelines: PipelineRepository
    stage_periods: StagePeriodRepository
    accounts: AccountDirectory
    users: UserDirectory
    close_requests: CloseRequestRepository
    deal_queries: DealQueries
    """Read-only lists and board figures."""
    reports: ReportQueries
    """Read-only history, forecast and reports."""

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.deals = DealRepository(self.connection, self.track)
        self.pipelines = PipelineRepository(self.connection)
        self.stage_periods = StagePeriodRepository(self.connection)
        self.accounts = AccountDirectory(self.connection)
        self.users = UserDirectory(self.connection)
        self.close_requests = CloseRequestRepository(self.connection, self.track)
        self.deal_queries = DealQueries(self.connection)
        self.reports = ReportQueries(self.connection)
        return self

    async def enter_command(self, actor: Principal) -> None:
        """Every writing caller is remembered in the users directory (deal owners are checked there)."""
        await remember(self.users, actor)

    async def project(self, domain_events: list[object]) -> None:
        """The stage history moves with the deals, in the same transaction."""
        await self.stage_periods.record(domain_events)
