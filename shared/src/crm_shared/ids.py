"""Identifiers made by the services: time-ordered UUIDv7, so primary keys index well."""

import uuid

import uuid_utils


def new_id() -> uuid.UUID:
    return uuid.UUID(bytes=uuid_utils.uuid7().bytes)
