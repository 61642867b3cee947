"""In-memory stand-in of the look-ups of imports and exports: external ids, records by email."""

from collections.abc import Sequence
from uuid import UUID

from crm_shared.text_keys import address_key
from services.leads.tests.unit.fake_repositories import FakeDatabase, live

MAX_MERGE_CHAIN = 20


class FakeTransfers:
    def __init__(self, db: FakeDatabase) -> None:
        self.db = db

    async def record_of(self, kind: str, external_id: str) -> UUID | None:
        record = self.db.external_ids.get((kind, external_id))
        rows = getattr(self.db, kind)
        for _ in range(MAX_MERGE_CHAIN):
            if record is None or record not in rows or rows[record].merged_into is None:
                return record
            record = rows[record].merged_into
        return record

    async def external_ids(self, kind: str, record_ids: Sequence[UUID]) -> dict[UUID, str]:
        return {r: e for (k, e), r in self.db.external_ids.items() if k == kind and r in record_ids}

    async def add(self, kind: str, external_id: str, record_id: UUID) -> None:
        assert (kind, external_id) not in self.db.external_ids, "primary key violated"
        self.db.external_ids[(kind, external_id)] = record_id

    async def leads_with_email(self, address: str) -> list[UUID]:
        found = [x.id for x in live(self.db.leads.values()) if address in {e.address for e in x.emails}]
        return sorted(found)[:2]

    async def contacts_with_email(self, address: str) -> list[UUID]:
        return sorted(c.id for c in live(self.db.contacts.values()) if address in c.emails)[:2]

    async def accounts_with_domain(self, domain: str) -> list[UUID]:
        return sorted(a.id for a in live(self.db.accounts.values()) if a.email_domain == address_key(domain))[
            :2
        ]
