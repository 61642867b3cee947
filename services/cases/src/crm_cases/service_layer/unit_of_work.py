from typing import Self

from crm_cases.adapters.case_directory import DirectoryRepository
from crm_cases.adapters.case_settings import CaseSettingsRepository
from crm_cases.adapters.imap_state import SqlImapState
from crm_cases.adapters.intake_repository import IntakeRepository
from crm_cases.adapters.repositories import CaseRepository, RawMessageRepository
from crm_shared.db import SqlUnitOfWork


class CasesUnitOfWork(SqlUnitOfWork):
    cases: CaseRepository
    raw_messages: RawMessageRepository
    intake: IntakeRepository
    """What became of each raw mail, mailboxes' teams, bouncing addresses."""
    imap: SqlImapState
    """Which UIDs of which IMAP folder were taken and flagged."""
    directory: DirectoryRepository
    case_settings: CaseSettingsRepository

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.cases = CaseRepository(self.connection, self.track)
        self.raw_messages = RawMessageRepository(self.connection)
        self.intake = IntakeRepository(self.connection)
        self.imap = SqlImapState(self.connection)
        self.directory = DirectoryRepository(self.connection)
        self.case_settings = CaseSettingsRepository(self.connection)
        return self
