from typing import Self

from crm_quotes.adapters.repositories import ContractRepository
from crm_shared.db import SqlUnitOfWork


class QuotesUnitOfWork(SqlUnitOfWork):
    contracts: ContractRepository

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.contracts = ContractRepository(self.connection, self.track)
        return self
