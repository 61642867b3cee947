from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Self

from crm_leads.adapters.accounts.deal_facts import DealFactRepository
from crm_leads.adapters.accounts.repositories import AccountRepository, ContactRepository
from crm_leads.adapters.duplicates.candidates import DuplicateCandidates
from crm_leads.adapters.duplicates.merge_links import MergeLinks
from crm_leads.adapters.history.repository import HistoryRepository
from crm_leads.adapters.locks import AdvisoryLocks
from crm_leads.adapters.repositories import LeadRepository, ReferenceRepository, StatusRepository
from crm_leads.adapters.transfer.repositories import TransferRepository
from crm_leads.adapters.workflows.assignment_rules import RuleRepository
from crm_leads.adapters.workflows.conversions import ConversionRepository
from crm_leads.adapters.workflows.intake import FormRepository, FormSubmissions, RateWindows
from crm_leads.service_layer.history.timeline import history_entries
from crm_shared.db import SqlUnitOfWork


class LeadsUnitOfWork(SqlUnitOfWork):
    """Every repository and query object of the service, on the transaction's connection."""

    leads: LeadRepository
    statuses: StatusRepository
    references: ReferenceRepository
    accounts: AccountRepository
    contacts: ContactRepository
    deal_facts: DealFactRepository
    duplicate_candidates: DuplicateCandidates
    merge_links: MergeLinks
    conversions: ConversionRepository
    assignment_rules: RuleRepository
    forms: FormRepository
    form_submissions: FormSubmissions
    rate_windows: RateWindows
    transfers: TransferRepository
    history: HistoryRepository
    locks: AdvisoryLocks

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        connection, track = self.connection, self.track
        self.leads = LeadRepository(connection, track)
        self.statuses = StatusRepository(connection)
        self.references = ReferenceRepository(connection)
        self.accounts = AccountRepository(connection, track)
        self.contacts = ContactRepository(connection, track)
        self.deal_facts = DealFactRepository(connection)
        self.duplicate_candidates = DuplicateCandidates(connection)
        self.merge_links = MergeLinks(connection)
        self.conversions = ConversionRepository(connection)
        self.assignment_rules = RuleRepository(connection, track)
        self.forms = FormRepository(connection, track)
        self.form_submissions = FormSubmissions(connection)
        self.rate_windows = RateWindows(connection)
        self.transfers = TransferRepository(connection)
        self.history = HistoryRepository(connection)
        self.locks = AdvisoryLocks(connection)
        return self

    @asynccontextmanager
    async def savepoint(self) -> AsyncIterator[None]:
        """What runs inside is undone alone when it raises (one row of an import), the rest stays."""
        async with self.connection.begin_nested():
            yield

    async def project(self, domain_events: list[object]) -> None:
        """Every domain event of the transaction lands in the timelines of the records it is about."""
        await self.history.add(
            history_entries(domain_events),
            occurred_at=datetime.now(UTC),
            correlation_id=self.context.correlation_id,
        )
