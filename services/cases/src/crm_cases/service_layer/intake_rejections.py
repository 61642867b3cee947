"""Mail kept outside the intake proper, as raw bytes and a record, with InboundMailRejected: refused
as oversized, or quarantined because the intake could not take it in (nothing of it is parsed here,
so nothing in it can stop it from being kept)."""

import re
from datetime import UTC, datetime
from uuid import UUID

from crm_cases.adapters.intake_repository import IntakeRecord
from crm_cases.domain.intake_policy import IntakeState, Source
from crm_cases.domain.mail import UnusableMail
from crm_cases.domain.model import IntakeOutcome
from crm_cases.service_layer.intake import Delivery, IntakeResult, rejected
from crm_cases.service_layer.intake_routing import Route
from crm_cases.service_layer.unit_of_work import CasesUnitOfWork
from crm_shared.auth import Principal

KEPT_BYTES = 64 * 1024  # the headers and the start of the body, for inspection
_MESSAGE_ID = re.compile(rb"^message-id:[ \t]*(<[!-;=?-~]{1,250}>)", re.IGNORECASE | re.MULTILINE)


async def record_oversized(
    *,
    uow: CasesUnitOfWork,
    actor: Principal,
    head: bytes,
    digest: str,
    size: int,
    mailbox: str,
    source: Source = "webhook",
) -> None:
    """Stored once per delivery (a retried refusal is not recorded twice)."""
    arrived = Delivery(head[:KEPT_BYTES], mailbox.strip().lower()[:320], digest, datetime.now(UTC), source)
    decided = Route(IntakeOutcome.REJECTED, IntakeState.REJECTED, f"oversized: {size} bytes")
    await _keep(uow, arrived, decided)


async def quarantine(
    *, uow: CasesUnitOfWork, actor: Principal, arrived: Delivery, reason: str
) -> IntakeResult:
    """The whole mail kept unparsed and quarantined with the reason; re-processing it runs the intake
    again. A redelivery of a mail already stored is left as it is."""
    decided = Route(IntakeOutcome.REJECTED, IntakeState.QUARANTINED, reason)
    raw_message_id = await _keep(uow, arrived, decided)
    if raw_message_id is None:
        return IntakeResult(None)
    return IntakeResult(decided.outcome, raw_message_id, None, reason, decided.state)


async def _keep(uow: CasesUnitOfWork, arrived: Delivery, decided: Route) -> UUID | None:
    found = _MESSAGE_ID.search(_header_block(arrived.raw))
    reason = decided.reason or ""
    unparsed = UnusableMail(reason, found.group(1).decode() if found else None)
    stored = arrived.keep(unparsed.message_id, decided)
    if not await uow.raw_messages.claim(stored):
        return None
    record = IntakeRecord(stored.id, None, arrived.source, decided.state, reason, (), arrived.at)
    await uow.intake.record(record)
    uow.publish(rejected(arrived, stored.id, unparsed, reason))
    return stored.id


def _header_block(raw: bytes) -> bytes:
    return raw[:KEPT_BYTES].split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
