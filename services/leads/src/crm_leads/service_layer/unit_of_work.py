from datetime import UTC, datetime
from typing import Self

from crm_leads.adapters.account_repositories import AccountRepository, ContactRepository
from crm_leads.adapters.history_repository import HistoryRepository
from crm_leads.adapters.repositories import LeadRepository, ReferenceRepository, StatusRepository
from crm_leads.adapters.workflow_repositories import WorkflowRepository
from crm_leads.service_layer.history import history_entries
from crm_shared.db import SqlUnitOfWork


class LeadsUnitOfWork(SqlUnitOfWork):
    leads: LeadRepository
    accounts: AccountRepository
    contacts: ContactRepository
    workflows: WorkflowRepository
    statuses: StatusRepository
    references: ReferenceRepository
    history: HistoryRepository

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.leads = LeadRepository(self.connection, self.track)
        self.accounts = AccountRepository(self.connection, self.track)
        self.contacts = ContactRepository(self.connection, self.track)
        self.workflows = WorkflowRepository(self.connection, self.track)
        self.statuses = StatusRepository(self.connection)
        self.references = ReferenceRepository(self.connection)
        self.history = HistoryRepository(self.connection)
        return self

    async def project(self, domain_events: list[object]) -> None:
        """Every domain event of the transaction lands in the timelines of the records it is about."""
        await self.history.add(
            history_entries(domain_events),
            occurred_at=datetime.now(UTC),
            correlation_id=self.context.correlation_id,
        )
