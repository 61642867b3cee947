"""Fixtures of the cases unit tests: a fresh in-memory unit of work (fakes.py), and the real test mails
of tests/data/emails with the outcomes their MANIFEST.md expects."""

from collections.abc import Callable

import pytest

from services.cases.tests.unit.fakes import FakeCasesUnitOfWork
from tests.data import EMAILS


@pytest.fixture
def uow() -> FakeCasesUnitOfWork:
    return FakeCasesUnitOfWork()


@pytest.fixture(scope="session")
def email_file() -> Callable[[str], bytes]:
    return lambda name: (EMAILS / name).read_bytes()
