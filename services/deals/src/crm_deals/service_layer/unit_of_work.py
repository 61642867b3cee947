from typing import Self

from crm_deals.adapters.repositories import DealRepository, PipelineRepository
from crm_shared.db import SqlUnitOfWork


class DealsUnitOfWork(SqlUnitOfWork):
    deals: DealRepository
    pipelines: PipelineRepository

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.deals = DealRepository(self.connection, self.track)
        self.pipelines = PipelineRepository(self.connection)
        return self
