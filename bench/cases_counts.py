"""Cases suite: what a run stored, read back from the database and compared with what was sent.

No mail lost or doubled: one raw message per mail sent (the dedupe key is mailbox + Message-ID +
digest, so two deliveries of one mail are one row), every outcome as predicted (cases_corpus), one
case per case-opening mail and one inbound case message per mail on a case.
"""

from collections import Counter
from typing import Any

from sqlalchemy import distinct, func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncEngine

from crm_cases.adapters.tables import case_messages, cases, raw_messages
from crm_cases.domain.model import IntakeOutcome

OPENED, APPENDED = str(IntakeOutcome.CASE_OPENED), str(IntakeOutcome.APPENDED)


async def stored(engine: AsyncEngine, mailbox: str) -> dict[str, Any]:
    """Rows of one mailbox: raw messages (and distinct deliveries), outcomes, cases, inbound messages."""
    mine = raw_messages.c.mailbox == mailbox
    delivery = tuple_(raw_messages.c.message_id, raw_messages.c.digest)
    async with engine.connect() as connection:
        raw, deliveries = (
            await connection.execute(select(func.count(), func.count(distinct(delivery))).where(mine))
        ).one()
        outcomes = await connection.execute(
            select(raw_messages.c.outcome, func.count()).where(mine).group_by(raw_messages.c.outcome)
        )
        opened = (
            await connection.execute(select(func.count()).where(cases.c.mailbox == mailbox))
        ).scalar_one()
        inbound = (
            await connection.execute(
                select(func.count())
                .select_from(case_messages.join(cases, cases.c.id == case_messages.c.case_id))
                .where(cases.c.mailbox == mailbox, case_messages.c.direction == "inbound")
            )
        ).scalar_one()
    return {
        "raw_messages": int(raw),
        "distinct_deliveries": int(deliveries),
        "outcomes": {str(outcome): int(n) for outcome, n in outcomes},
        "cases": int(opened),
        "inbound_case_messages": int(inbound),
    }


def checks(
    found: dict[str, Any], sent: int, expected: Counter[str], *, threading: bool = True
) -> list[dict[str, Any]]:
    """Each check: what, expected, found, ok. With `threading` False (concurrent deliveries of a reply
    and the mail it answers), opened/appended may trade places: only their sum is checked."""
    opened, appended = expected[OPENED], expected[APPENDED]
    outcomes = found["outcomes"]
    pairs: list[tuple[str, Any, Any]] = [
        ("raw messages = mails sent", sent, found["raw_messages"]),
        ("distinct deliveries = raw messages", found["raw_messages"], found["distinct_deliveries"]),
        ("inbound case messages = opened + appended", opened + appended, found["inbound_case_messages"]),
    ]
    if threading:
        pairs += [
            ("outcomes as predicted", dict(sorted(expected.items())), dict(sorted(outcomes.items()))),
            ("cases = case-opening mails", opened, found["cases"]),
        ]
    else:
        others = {k: v for k, v in expected.items() if k not in (OPENED, APPENDED)}
        pairs.append(
            ("machine mail and quarantine as predicted", others,
             {k: v for k, v in sorted(outcomes.items()) if k not in (OPENED, APPENDED)}),
        )  # fmt: skip
    return [{"what": what, "expected": want, "found": got, "ok": want == got} for what, want, got in pairs]


def failed(result: dict[str, Any]) -> list[str]:
    """The failed checks anywhere in a measurement's result, as lines to print."""
    lines = []
    for name, part in result.items():
        if not isinstance(part, dict):
            continue
        for check in part.get("checks", []):
            if not check["ok"]:
                lines.append(f"{name}: {check['what']}: expected {check['expected']}, found {check['found']}")
    return lines
