from typing import Self

from crm_leads.adapters.account_repositories import AccountRepository, ContactRepository
from crm_leads.adapters.repositories import LeadRepository
from crm_leads.adapters.workflow_repositories import WorkflowRepository
from crm_shared.db import SqlUnitOfWork


class LeadsUnitOfWork(SqlUnitOfWork):
    leads: LeadRepository
    accounts: AccountRepository
    contacts: ContactRepository
    workflows: WorkflowRepository

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.leads = LeadRepository(self.connection, self.track)
        self.accounts = AccountRepository(self.connection, self.track)
        self.contacts = ContactRepository(self.connection, self.track)
        self.workflows = WorkflowRepository(self.connection, self.track)
        return self
