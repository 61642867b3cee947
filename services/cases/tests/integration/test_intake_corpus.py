"""Acceptance: every test mail of tests/data/emails through the intake, once over SMTP and once
over the signed webhook, in the manifest's feed order; each ends as MANIFEST.md says and none crashes."""

import re
import time
from collections.abc import AsyncIterator

import aiosmtplib
import pytest
from sqlalchemy import func, select

from crm_cases.adapters.tables import raw_messages
from crm_cases.bootstrap import definition
from crm_cases.config import Settings
from crm_cases.domain.intake_signature import sign
from crm_shared.infra.process import free_port
from crm_shared.settings import KafkaSettings
from crm_shared.testing.service import RunningService, running_service, wait_listening
from tests.data import EMAILS

pytestmark = pytest.mark.integration

SECRET = "corpus-secret"
THREAD = ("mikel__example06.eml", "mikel__example07.eml")  # replies to mikel__example01.eml
RULES: tuple[tuple[str, frozenset[str]], ...] = (
    ("IGNORE as auto-reply", frozenset({"ignored_auto_reply"})),
    ("IGNORE as bounce/auto-reply", frozenset({"ignored_bounce", "ignored_auto_reply"})),
    ("IGNORE as bounce", frozenset({"ignored_bounce"})),
    ("IGNORE", frozenset({"ignored_bounce"})),
    ("REJECT", frozenset({"rejected"})),
    ("QUARANTINE or NEW", frozenset({"rejected", "case_opened"})),
    ("Precedence: bulk", frozenset({"ignored_auto_reply", "case_opened"})),
    ("NEW", frozenset({"case_opened"})),
    ("REPLY", frozenset({"case_opened"})),  # the referenced helpdesk's ids are unknown here: NEW
)


def _manifest() -> dict[str, str]:
    rows: dict[str, str] = {}
    path = EMAILS / "MANIFEST.md"
    for line in path.read_text().splitlines() if path.is_file() else ():
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)]
        if len(cells) > 6 and cells[1].startswith("`") and ".eml`" in cells[1]:
            rows[cells[1].split("`")[1]] = cells[4]
    return rows


MANIFEST = _manifest()


def expected(name: str) -> frozenset[str]:
    if name in THREAD:
        return frozenset({"appended"})
    return next(outcomes for start, outcomes in RULES if MANIFEST[name].startswith(start))


def feed_order() -> list[str]:
    """Sorted, which already puts mikel__example01 before its replies 06 and 07."""
    names = sorted(MANIFEST)
    assert names.index("mikel__example01.eml") < names.index(THREAD[0]) < names.index(THREAD[1])
    return names


@pytest.fixture(scope="module")
async def service(kafka_bootstrap: str, make_database) -> AsyncIterator[RunningService]:
    settings = Settings(
        database_url=make_database("cases_corpus"),
        kafka=KafkaSettings(bootstrap_servers=kafka_bootstrap),
        smtp_port=free_port(),
        webhook_secret=SECRET,
    )
    async with running_service(definition(settings)) as running:
        await wait_listening(settings.smtp_port)
        yield running


async def _latest(service: RunningService, mailbox: str) -> tuple[int, str | None]:
    async with service.runtime.engine.connect() as connection:
        count = (
            await connection.execute(
                select(func.count()).select_from(raw_messages).where(raw_messages.c.mailbox == mailbox)
            )
        ).scalar_one()
        last = (
            await connection.execute(
                select(raw_messages.c.outcome)
                .where(raw_messages.c.mailbox == mailbox)
                .order_by(raw_messages.c.received_at.desc())
                .limit(1)
            )
        ).scalar()
    return count, last


async def test_every_test_mail_over_smtp_ends_as_the_manifest_says(service):
    mailbox = "smtp-corpus@crm.example"
    port = service.runtime.settings.smtp_port
    wrong: list[str] = []
    for n, name in enumerate(feed_order(), start=1):
        async with aiosmtplib.SMTP(hostname="127.0.0.1", port=port, timeout=30) as smtp:
            _, reply = await smtp.sendmail("relay@test.example", [mailbox], (EMAILS / name).read_bytes())
        assert reply.startswith("2.0.0"), f"{name}: {reply}"
        count, outcome = await _latest(service, mailbox)
        assert count == n, f"{name} was not stored"
        if outcome not in expected(name):
            wrong.append(f"{name}: {outcome}, expected {MANIFEST[name]}")
    assert not wrong, "\n".join(wrong)


async def test_every_test_mail_over_the_webhook_ends_as_the_manifest_says(service):
    wrong: list[str] = []
    for name in feed_order():
        body = (EMAILS / name).read_bytes()
        stamp = str(int(time.time()))
        response = await service.http.post(
            "/v1/inbound/mail?mailbox=webhook-corpus@crm.example",
            content=body,
            headers={
                "Content-Type": "message/rfc822",
                "X-Timestamp": stamp,
                "X-Signature": sign(SECRET, stamp, body),
            },
        )
        assert response.status_code == 202, f"{name}: {response.text}"
        outcome = response.json()["outcome"]
        if outcome not in expected(name):
            wrong.append(f"{name}: {outcome} ({response.json()['reason']}), expected {MANIFEST[name]}")
    assert not wrong, "\n".join(wrong)
