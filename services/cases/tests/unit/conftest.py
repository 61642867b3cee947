"""Fakes for the cases unit tests: in-memory repositories behind the unit of work's interface, and the
real test mails of tests/data/emails with the outcomes their MANIFEST.md expects."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

import pytest

from crm_cases.domain.model import Case, CaseMessage, RawMessage
from crm_shared.errors import NotFound
from tests.data import EMAILS


@dataclass
class FakeCases:
    rows: dict[UUID, Case] = field(default_factory=dict)
    stored: list[CaseMessage] = field(default_factory=list)
    sequence: int = 1000

    async def next_number(self) -> str:
        self.sequence += 1
        return f"CASE-{self.sequence}"

    async def add(self, case: Case) -> None:
        self.rows[case.id] = case
        self._write(case)

    async def update(self, case: Case) -> None:
        case.version += 1
        self._write(case)

    async def get(self, case_id: UUID, *, for_update: bool = False) -> Case:
        if case_id not in self.rows:
            raise NotFound("case", case_id)
        return self.rows[case_id]

    async def by_number(self, number: str, *, for_update: bool = False) -> Case | None:
        return next((c for c in self.rows.values() if c.number == number), None)

    async def case_of_messages(self, message_ids: tuple[str, ...]) -> UUID | None:
        owners = {m.message_id: m.case_id for m in self.stored}  # the latest holder wins
        return next((owners[i] for i in message_ids if i in owners), None)

    async def messages(self, case_id: UUID) -> list[CaseMessage]:
        return [m for m in self.stored if m.case_id == case_id]

    def _write(self, case: Case) -> None:
        self.stored.extend(case.new_messages)
        case.new_messages.clear()


@dataclass
class FakeRawMessages:
    rows: list[RawMessage] = field(default_factory=list)

    async def claim(self, message: RawMessage) -> bool:
        key = (message.mailbox, message.message_id, message.digest)
        if any((r.mailbox, r.message_id, r.digest) == key for r in self.rows):
            return False
        self.rows.append(message)
        return True


@dataclass
class FakeIntake:
    """The intake's own records (see adapters/intake_repository.py), in memory."""

    records: dict[UUID, Any] = field(default_factory=dict)
    teams: dict[str, Any] = field(default_factory=dict)
    bounced: dict[str, Any] = field(default_factory=dict)

    async def record(self, record: Any) -> None:
        self.records[record.raw_message_id] = record

    async def accepted_since(self, sender: str, since: datetime) -> int:
        return sum(
            r.sender == sender and r.received_at >= since and r.state == "accepted"
            for r in self.records.values()
        )

    async def mailbox(self, address: str) -> Any:
        return self.teams.get(address)

    async def mark_bounced(
        self, address: str, *, case_id: UUID | None, reason: str | None, at: datetime
    ) -> None:
        self.bounced[address] = (case_id, reason, at)


class FakeDirectory:
    """No known contacts nor accounts: every sender is an unknown contact."""

    async def contacts_by_email(self, email: str) -> list[Any]:
        return []

    async def account(self, account_id: UUID) -> Any:
        return None


class FakeCaseSettings:
    """No SLA targets, no team members."""

    async def sla_target(self, priority: str) -> Any:
        return None

    async def take_turn(self, team: str) -> str | None:
        return None


@dataclass
class FakeUnitOfWork:
    cases: FakeCases = field(default_factory=FakeCases)
    raw_messages: FakeRawMessages = field(default_factory=FakeRawMessages)
    intake: FakeIntake = field(default_factory=FakeIntake)
    directory: FakeDirectory = field(default_factory=FakeDirectory)
    case_settings: FakeCaseSettings = field(default_factory=FakeCaseSettings)
    published: list[Any] = field(default_factory=list)

    def publish(self, event: Any) -> None:
        self.published.append(event)


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork()


@pytest.fixture(scope="session")
def email_file() -> Callable[[str], bytes]:
    return lambda name: (EMAILS / name).read_bytes()
