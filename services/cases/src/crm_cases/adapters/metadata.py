"""The one MetaData of the cases database (with the shared outbox and inbox tables)."""

from crm_shared.db import make_metadata

metadata = make_metadata()
