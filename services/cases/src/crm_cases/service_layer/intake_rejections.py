"""Mail refused before the intake proper (oversized): kept as a record, with InboundMailRejected."""

import re
from datetime import UTC, datetime

from crm_cases.adapters.intake_repository import IntakeRecord
from crm_cases.domain.intake_policy import IntakeState, Source
from crm_cases.domain.model import IntakeOutcome
from crm_cases.service_layer.intake import Delivery, rejected
from crm_cases.service_layer.intake_routing import Route, intake_store
from crm_cases.service_layer.unit_of_work import CasesUnitOfWork

KEPT_BYTES = 64 * 1024  # the headers and the start of the body, for inspection
_MESSAGE_ID = re.compile(rb"^message-id:\s*(<[!-;=?-~]{1,250}>)", re.IGNORECASE | re.MULTILINE)


async def record_oversized(
    uow: CasesUnitOfWork, *, head: bytes, digest: str, size: int, mailbox: str, source: Source = "webhook"
) -> None:
    """Stored once per delivery (a retried refusal is not recorded twice)."""
    kept = head[:KEPT_BYTES]
    header_block = kept.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    found = _MESSAGE_ID.search(header_block)
    message_id = found.group(1).decode() if found else None
    arrived = Delivery(kept, mailbox.strip().lower()[:320], digest, datetime.now(UTC), source)
    reason = f"oversized: {size} bytes"
    decided = Route(IntakeOutcome.REJECTED, IntakeState.REJECTED, reason)
    stored = arrived.keep(message_id, decided)
    if not await uow.raw_messages.claim(stored):
        return
    record = IntakeRecord(stored.id, None, source, IntakeState.REJECTED, reason, (), arrived.at)
    await intake_store(uow).record(record)
    uow.publish(rejected(arrived, stored.id, None, reason))
