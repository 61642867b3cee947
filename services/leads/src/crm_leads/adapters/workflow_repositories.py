"""Repositories of lead workflows: assignment rules, web-to-lead forms, idempotency keys."""

from sqlalchemy.ext.asyncio import AsyncConnection

from crm_shared.db.repository import Track


class WorkflowRepository:
    def __init__(self, connection: AsyncConnection, track: Track) -> None:
        self._connection = connection
        self._track = track
