"""Fakes for the cases unit tests: in-memory repositories behind the unit of work's interface, and the
real test mails of ../shared/testdata/emails with the outcomes their MANIFEST.md expects."""

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from uuid import UUID

import pytest

from crm_cases.domain.model import Case, CaseMessage, RawMessage
from crm_shared.errors import NotFound

EMAILS = Path(
    os.environ.get("CRM_TESTDATA_EMAILS", Path(__file__).resolve().parents[5] / "shared/testdata/emails")
)


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
class FakeUnitOfWork:
    cases: FakeCases = field(default_factory=FakeCases)
    raw_messages: FakeRawMessages = field(default_factory=FakeRawMessages)


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork()


@pytest.fixture(scope="session")
def email_file() -> Callable[[str], bytes]:
    if not EMAILS.is_dir():
        pytest.skip(f"test mails not found at {EMAILS} (set CRM_TESTDATA_EMAILS)")
    return lambda name: (EMAILS / name).read_bytes()
