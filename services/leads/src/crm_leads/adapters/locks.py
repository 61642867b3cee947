"""Transaction-scoped advisory locks: work on one key (a company, an email address) runs one at a time."""

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection


class AdvisoryLocks:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def acquire(self, *keys: str) -> None:
        """Held until the transaction ends; taken in a stable order so two callers cannot deadlock."""
        for key in sorted(set(keys)):
            await self._connection.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": key})
