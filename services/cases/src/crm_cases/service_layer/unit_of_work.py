from typing import Self

from crm_cases.adapters.repositories import CaseRepository, RawMessageRepository
from crm_shared.db import SqlUnitOfWork


class CasesUnitOfWork(SqlUnitOfWork):
    cases: CaseRepository
    raw_messages: RawMessageRepository

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.cases = CaseRepository(self.connection, self.track)
        self.raw_messages = RawMessageRepository(self.connection)
        return self
