"""In-memory repositories of the cases unit of work, under the real ones' method names (see the adapters
named in each docstring); `fakes.FakeCasesUnitOfWork` puts them together."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any
from uuid import UUID

from crm_cases.adapters.case_directory import KnownAccount, KnownContact
from crm_cases.adapters.intake_repository import IntakeRecord, Mailbox
from crm_cases.domain.assignment import next_in_rotation
from crm_cases.domain.imap import FolderKey
from crm_cases.domain.intake_policy import IntakeState
from crm_cases.domain.mail import acknowledged_case
from crm_cases.domain.model import Attachment, Case, CaseMessage, IntakeOutcome, LinkKind, RawMessage
from crm_cases.domain.sla import SlaTarget
from crm_shared.errors import NotFound, PreconditionFailed
from crm_shared.text_keys import address_key


class FakeCases:
    """adapters/repositories.py CaseRepository: cases, their messages (written with the case that
    received them) and links. `refuse` maps a message subject to the faults its next writes meet."""

    def __init__(self, track: Callable[[Any], None], refuse: dict[str, list[BaseException]]) -> None:
        self.rows: dict[UUID, Case] = {}
        self.stored: list[CaseMessage] = []
        self.linked: list[tuple[UUID, UUID, LinkKind]] = []
        self.sequence = 1000
        self._track = track
        self._refuse = refuse

    async def next_number(self) -> str:
        self.sequence += 1
        return f"CASE-{self.sequence}"

    async def add(self, case: Case) -> None:
        self.rows[case.id] = case
        self._track(case)
        self._write_messages(case)

    async def update(self, case: Case) -> None:
        current = self.rows.get(case.id)
        if current is None or current.version != case.version:
            raise PreconditionFailed(f"Case {case.id} was changed meanwhile")
        case.version += 1
        self.rows[case.id] = case
        self._track(case)
        self._write_messages(case)

    async def get(self, case_id: UUID, *, for_update: bool = False) -> Case:
        if case_id not in self.rows:
            raise NotFound("case", case_id)
        return self.rows[case_id]

    async def by_number(self, number: str, *, for_update: bool = False) -> Case | None:
        return next((c for c in self.rows.values() if c.number == number), None)

    async def case_of_messages(self, message_ids: tuple[str, ...]) -> UUID | None:
        owners = {m.message_id: m.case_id for m in self.stored}  # the latest holder wins
        for message_id in message_ids:
            if message_id in owners:
                return owners[message_id]
            acknowledged = acknowledged_case(message_id)
            if acknowledged is not None and acknowledged in self.rows:
                return acknowledged
        return None

    async def messages(self, case_id: UUID) -> list[CaseMessage]:
        mine = [m for m in self.stored if m.case_id == case_id]
        return sorted(mine, key=lambda m: m.received_at)

    async def attachment(self, case_id: UUID, attachment_id: UUID) -> Attachment:
        for message in await self.messages(case_id):
            for attachment in message.attachments:
                if attachment.id == attachment_id:
                    return attachment
        raise NotFound("attachment", attachment_id)

    async def move_messages(self, *, from_case: UUID, to_case: UUID) -> None:
        for message in self.stored:
            if message.case_id == from_case:
                message.case_id = to_case

    async def link(self, case_id: UUID, other_id: UUID, *, kind: LinkKind, by: str, at: datetime) -> bool:
        if any({a, b} == {case_id, other_id} for a, b, _ in self.linked):
            return False
        self.linked.append((case_id, other_id, kind))
        return True

    async def links(self, case_id: UUID) -> list[tuple[UUID, LinkKind]]:
        return [(b if a == case_id else a, k) for a, b, k in self.linked if case_id in (a, b)]

    def _write_messages(self, case: Case) -> None:
        for message in case.new_messages:
            faults = self._refuse.get(message.subject)
            if faults:
                raise faults.pop(0)
        self.stored.extend(case.new_messages)
        case.new_messages.clear()


@dataclass
class FakeRawMessages:
    """adapters/repositories.py RawMessageRepository: each delivery stored once."""

    rows: list[RawMessage] = field(default_factory=list)

    async def claim(self, message: RawMessage) -> bool:
        key = (message.mailbox, message.message_id, message.digest)
        if any((r.mailbox, r.message_id, r.digest) == key for r in self.rows):
            return False
        self.rows.append(message)
        return True

    async def get(self, raw_message_id: UUID) -> RawMessage | None:
        return next((r for r in self.rows if r.id == raw_message_id), None)


class FakeIntake:
    """adapters/intake_repository.py IntakeRepository: what became of each raw mail, mailboxes' teams,
    bouncing addresses."""

    def __init__(self, raw_messages: FakeRawMessages) -> None:
        self.records: dict[UUID, IntakeRecord] = {}
        self.teams: dict[str, Mailbox] = {}
        self.bounced: dict[str, tuple[UUID | None, str | None, datetime]] = {}
        self._raw = raw_messages

    async def record(self, record: IntakeRecord) -> None:
        self.records[record.raw_message_id] = record

    async def set_outcome(self, raw_message_id: UUID, outcome: str, reason: str | None) -> None:
        rows = self._raw.rows
        rows[:] = [
            replace(r, outcome=IntakeOutcome(outcome), reason=reason) if r.id == raw_message_id else r
            for r in rows
        ]

    async def accepted_since(self, sender: str, since: datetime) -> int:
        return sum(
            r.sender == sender and r.received_at >= since and r.state is IntakeState.ACCEPTED
            for r in self.records.values()
        )

    async def get(self, raw_message_id: UUID, *, for_update: bool = False) -> IntakeRecord | None:
        record, raw = self.records.get(raw_message_id), await self._raw.get(raw_message_id)
        if record is None or raw is None:
            return None
        return replace(record, mailbox=raw.mailbox, message_id=raw.message_id, outcome=raw.outcome)

    async def quarantined(self, *, after: UUID | None, limit: int) -> list[IntakeRecord]:
        ids = sorted(i for i, r in self.records.items() if r.state is IntakeState.QUARANTINED)
        found = [await self.get(i) for i in ids if after is None or i > after]
        return [r for r in found if r is not None][:limit]

    async def mailbox(self, address: str) -> Mailbox | None:
        return self.teams.get(address)

    async def put_mailbox(self, mailbox: Mailbox) -> None:
        self.teams[mailbox.address] = mailbox

    async def mark_bounced(
        self, address: str, *, case_id: UUID | None, reason: str | None, at: datetime
    ) -> None:
        self.bounced[address] = (case_id, reason, at)

    async def is_bouncing(self, address: str) -> bool:
        return address in self.bounced


@dataclass
class FakeImapState:
    """adapters/imap_state.py SqlImapState: the folders' UIDVALIDITY and the UIDs taken (-> flagged)."""

    validity: dict[tuple[str, str], int] = field(default_factory=dict)
    uids: dict[tuple[FolderKey, int], bool] = field(default_factory=dict)

    async def sync_validity(self, key: FolderKey) -> bool:
        known = self.validity.get((key.mailbox, key.folder))
        self.validity[(key.mailbox, key.folder)] = key.uidvalidity
        if known in (None, key.uidvalidity):
            return False
        self.uids = {k: v for k, v in self.uids.items() if k[0].uidvalidity == key.uidvalidity}
        return True

    async def last_uid(self, key: FolderKey) -> int:
        return max((uid for k, uid in self.uids if k == key), default=0)

    async def unflagged(self, key: FolderKey) -> list[int]:
        return sorted(uid for (k, uid), flagged in self.uids.items() if k == key and not flagged)

    async def claim(self, key: FolderKey, uid: int) -> bool:
        if (key, uid) in self.uids:
            return False
        self.uids[(key, uid)] = False
        return True

    async def taken(self, key: FolderKey, uid: int, raw_message_id: UUID | None) -> None:
        assert (key, uid) in self.uids, "recorded as taken without a claim"

    async def flagged(self, key: FolderKey, uids: Sequence[int]) -> None:
        for uid in uids:
            if (key, uid) in self.uids:
                self.uids[(key, uid)] = True


class FakeDirectory:
    """adapters/case_directory.py DirectoryRepository: contacts and accounts from the leads service;
    merges re-point the cases, as the real one does."""

    def __init__(self, cases: FakeCases) -> None:
        self.contacts: dict[UUID, KnownContact] = {}
        self.accounts: dict[UUID, KnownAccount] = {}
        self.merged_contacts: dict[UUID, UUID] = {}
        self.merged_accounts: dict[UUID, UUID] = {}
        self._cases = cases

    async def contacts_by_email(self, email: str) -> list[KnownContact]:
        key = address_key(email)
        return sorted(
            (
                c
                for c in self.contacts.values()
                if c.id not in self.merged_contacts and key in {address_key(e) for e in c.emails}
            ),
            key=lambda c: c.id,
        )

    async def contact(self, contact_id: UUID) -> KnownContact | None:
        return self.contacts.get(contact_id)

    async def save_contact(self, contact: KnownContact) -> None:
        emails = tuple(sorted({address_key(e) for e in contact.emails if e.strip()}))
        self.contacts[contact.id] = replace(contact, emails=emails)

    async def merge_contacts(self, survivor_id: UUID, merged_ids: Sequence[UUID]) -> None:
        survivor = self.contacts.get(survivor_id)
        for merged_id in merged_ids:
            merged = self.contacts.get(merged_id)
            if merged is None:
                continue
            if survivor is not None:
                survivor = replace(survivor, emails=(*survivor.emails, *merged.emails))
            self.contacts[merged_id] = replace(merged, emails=())
            self.merged_contacts[merged_id] = survivor_id
            for case in self._cases.rows.values():
                if merged_id in case.contact_ids:
                    ids = (survivor_id if i == merged_id else i for i in case.contact_ids)
                    case.contact_ids = tuple(dict.fromkeys(ids))
                    case.version += 1
        if survivor is not None:
            await self.save_contact(survivor)

    async def account(self, account_id: UUID) -> KnownAccount | None:
        survivor = self.merged_accounts.get(account_id)
        if survivor is not None and survivor != account_id:
            return await self.account(survivor)
        return self.accounts.get(account_id)

    async def save_account(self, account: KnownAccount) -> None:
        self.accounts[account.id] = account

    async def merge_accounts(self, survivor_id: UUID, merged_ids: Sequence[UUID]) -> None:
        for merged_id in merged_ids:
            self.merged_accounts[merged_id] = survivor_id
            for contact in list(self.contacts.values()):
                if merged_id in contact.account_ids or contact.account_id == merged_id:
                    ids = tuple(survivor_id if a == merged_id else a for a in contact.account_ids)
                    primary = survivor_id if contact.account_id == merged_id else contact.account_id
                    self.contacts[contact.id] = replace(contact, account_id=primary, account_ids=ids)
            for case in self._cases.rows.values():
                if case.account_id == merged_id:
                    case.account_id, case.version = survivor_id, case.version + 1


@dataclass
class FakeCaseSettings:
    """adapters/case_settings.py CaseSettingsRepository: SLA targets, team members and the rotation."""

    targets: dict[str, SlaTarget] = field(default_factory=dict)
    members: dict[str, list[str]] = field(default_factory=dict)
    rotations: dict[str, str | None] = field(default_factory=dict)

    async def sla_targets(self) -> list[SlaTarget]:
        return [self.targets[p] for p in sorted(self.targets)]

    async def sla_target(self, priority: str) -> SlaTarget | None:
        return self.targets.get(priority)

    async def replace_sla_targets(self, targets: Sequence[SlaTarget]) -> None:
        self.targets = {t.priority: t for t in targets}

    async def team_members(self, team: str) -> list[str]:
        return list(self.members.get(team, []))

    async def replace_team_members(self, team: str, members: Sequence[str]) -> None:
        self.members[team] = list(members)

    async def take_turn(self, team: str) -> str | None:
        chosen = next_in_rotation(self.members.get(team, []), self.rotations.get(team))
        if chosen is not None:
            self.rotations[team] = chosen
        return chosen
