"""The read model of contacts and accounts (from the leads service's events): who a sender is, which
account they belong to, and who that account's CSM is."""

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import delete, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from crm_cases.adapters.directory_tables import (
    directory_accounts,
    directory_contact_emails,
    directory_contacts,
)
from crm_shared.text_keys import address_key

REPOINT_CONTACT = text(
    "UPDATE cases SET version = version + 1, contact_ids = "
    "ARRAY(SELECT DISTINCT x FROM unnest(array_replace(contact_ids, :old, :new)) AS x) "
    "WHERE :old = ANY(contact_ids)"
)


@dataclass(frozen=True, kw_only=True)
class KnownContact:
    id: UUID
    last_name: str = ""
    first_name: str | None = None
    language: str | None = None
    account_id: UUID | None = None
    account_ids: tuple[UUID, ...] = ()
    emails: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class KnownAccount:
    id: UUID
    name: str
    csm_id: str | None = None
    team: str | None = None


class DirectoryRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def contacts_by_email(self, email: str) -> list[KnownContact]:
        """The live contacts owning the address (merged ones point at their survivor instead)."""
        ids = await self._connection.execute(
            select(directory_contact_emails.c.contact_id)
            .join(directory_contacts)
            .where(directory_contact_emails.c.email == address_key(email))
            .where(directory_contacts.c.merged_into.is_(None))
            .order_by(directory_contact_emails.c.contact_id)
        )
        found = [await self.contact(i) for i in ids.scalars()]
        return [c for c in found if c is not None]

    async def contact(self, contact_id: UUID) -> KnownContact | None:
        row = (
            await self._connection.execute(
                select(directory_contacts).where(directory_contacts.c.id == contact_id)
            )
        ).first()
        if row is None:
            return None
        emails = await self._connection.execute(
            select(directory_contact_emails.c.email).where(
                directory_contact_emails.c.contact_id == contact_id
            )
        )
        values = row._asdict()
        values.pop("merged_into")
        return KnownContact(
            **values | {"account_ids": tuple(values["account_ids"] or ()), "emails": tuple(emails.scalars())}
        )

    async def save_contact(self, contact: KnownContact) -> None:
        values = {
            "id": contact.id,
            "first_name": contact.first_name,
            "last_name": contact.last_name,
            "language": contact.language,
            "account_id": contact.account_id,
            "account_ids": list(contact.account_ids),
        }
        await self._connection.execute(
            pg_insert(directory_contacts)
            .values(**values)
            .on_conflict_do_update(index_elements=["id"], set_=values)
        )
        await self._connection.execute(
            delete(directory_contact_emails).where(directory_contact_emails.c.contact_id == contact.id)
        )
        emails = sorted({address_key(e) for e in contact.emails if e.strip()})
        if emails:
            rows = [{"email": e, "contact_id": contact.id} for e in emails]
            await self._connection.execute(directory_contact_emails.insert(), rows)

    async def merge_contacts(self, survivor_id: UUID, merged_ids: Sequence[UUID]) -> None:
        """The merged contacts' addresses and cases go to the survivor."""
        survivor = await self.contact(survivor_id)
        for merged_id in merged_ids:
            merged = await self.contact(merged_id)
            if merged is None:
                continue
            if survivor is not None:
                survivor = KnownContact(**vars(survivor) | {"emails": (*survivor.emails, *merged.emails)})
            await self._connection.execute(
                delete(directory_contact_emails).where(directory_contact_emails.c.contact_id == merged_id)
            )
            await self._connection.execute(
                directory_contacts.update()
                .where(directory_contacts.c.id == merged_id)
                .values(merged_into=survivor_id)
            )
            await self._connection.execute(REPOINT_CONTACT, {"old": merged_id, "new": survivor_id})
        if survivor is not None:
            await self.save_contact(survivor)

    async def account(self, account_id: UUID) -> KnownAccount | None:
        """The account, or the survivor it was merged into."""
        row = (
            await self._connection.execute(
                select(directory_accounts).where(directory_accounts.c.id == account_id)
            )
        ).first()
        if row is None:
            return None
        if row.merged_into is not None and row.merged_into != account_id:
            return await self.account(row.merged_into)
        values = row._asdict()
        values.pop("merged_into")
        return KnownAccount(**values)

    async def save_account(self, account: KnownAccount) -> None:
        values = vars(account)
        await self._connection.execute(
            pg_insert(directory_accounts)
            .values(**values)
            .on_conflict_do_update(index_elements=["id"], set_=values)
        )

    async def merge_accounts(self, survivor_id: UUID, merged_ids: Sequence[UUID]) -> None:
        """Marks the merged accounts and re-points contacts and cases at the survivor."""
        for merged_id in merged_ids:
            await self._connection.execute(
                directory_accounts.update()
                .where(directory_accounts.c.id == merged_id)
                .values(merged_into=survivor_id)
            )
            await self._connection.execute(
                text(
                    "UPDATE directory_contacts SET "
                    "account_id = CASE WHEN account_id = :old THEN :new ELSE account_id END, "
                    "account_ids = array_replace(account_ids, :old, :new) WHERE :old = ANY(account_ids) "
                    "OR account_id = :old"
                ),
                {"old": merged_id, "new": survivor_id},
            )
            await self._connection.execute(
                text("UPDATE cases SET account_id = :new, version = version + 1 WHERE account_id = :old"),
                {"old": merged_id, "new": survivor_id},
            )
