"""Flow 5 over SMTP and HTTP only: a mail opens a case, the acknowledgement carries the case tag, the
customer's reply joins the case, the agent's reply goes out threaded, and an out-of-office answer to it
opens nothing and gets no answer. Internal notes never reach the customer."""

import asyncio
from collections.abc import AsyncIterator
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

import aiosmtplib
import httpx
import pytest

from crm_shared.infra.mail_sink import MailSink
from crm_shared.infra.stack import LocalStack
from tests.e2e.helpers import SUPPORT, eventually, mail_to

pytestmark = pytest.mark.e2e
CUSTOMER = "dana@customer.example"
OTHER = "eve@other.example"
HELPDESK = "support@crm.local"
QUIET_S = 4.0
"""How long nothing must happen after an auto-reply (once a later mail has been fully handled)."""


def customer_mail(subject: str, body: str, sender: str = CUSTOMER, **headers: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = f"Dana Customer <{sender}>"
    message["To"] = HELPDESK
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain=sender.partition("@")[2])
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return message


class Support:
    """The helpdesk seen from outside: its SMTP intake, its HTTP API, and the mail it sends."""

    def __init__(self, http: httpx.AsyncClient, stack: LocalStack, sink: MailSink, smtp_port: int) -> None:
        self.http, self.stack, self.sink, self.smtp_port = http, stack, sink, smtp_port

    async def deliver(self, message: EmailMessage) -> None:
        await aiosmtplib.send(message, hostname="127.0.0.1", port=self.smtp_port, recipients=[HELPDESK])

    async def cases_of(self, address: str) -> list[dict[str, Any]]:
        url = f"{self.stack.url('cases')}/v1/cases"
        response = await self.http.get(
            url, params={"requester_email": address, "limit": 200}, headers=SUPPORT
        )
        assert response.status_code == 200, response.text
        items: list[dict[str, Any]] = response.json()["items"]
        return items

    async def case(self, case_id: str) -> dict[str, Any]:
        response = await self.http.get(f"{self.stack.url('cases')}/v1/cases/{case_id}", headers=SUPPORT)
        assert response.status_code == 200, response.text
        detail: dict[str, Any] = response.json()
        return detail

    async def post(self, case_id: str, what: str, body: dict[str, Any]) -> None:
        url = f"{self.stack.url('cases')}/v1/cases/{case_id}/{what}"
        response = await self.http.post(url, json=body, headers=SUPPORT)
        assert response.status_code in (200, 201), response.text

    def mails_to(self, address: str) -> list[EmailMessage]:
        return [m for m in list(self.sink.messages) if address in str(m["To"]) + str(m["Cc"] or "")]


@pytest.fixture
async def support(stack: LocalStack, mail_sink: MailSink, cases_smtp_port: int) -> AsyncIterator[Support]:
    async with httpx.AsyncClient(timeout=10) as http:
        yield Support(http, stack, mail_sink, cases_smtp_port)


async def open_and_acknowledge(support: Support, first: EmailMessage) -> tuple[dict[str, Any], EmailMessage]:
    await support.deliver(first)
    [case] = await eventually(lambda: support.cases_of(CUSTOMER), "the case opened by the mail")
    assert case["subject"] == "Printer on fire"
    ack = await mail_to(support.sink, CUSTOMER, f"[{case['number']}]")
    assert ack["Subject"] == f"[{case['number']}] Printer on fire"
    assert ack["Auto-Submitted"] == "auto-replied"
    assert ack["From"] == HELPDESK
    assert ack["In-Reply-To"] == first["Message-ID"]
    return case, ack


async def customer_replies(support: Support, case: dict[str, Any], ack: EmailMessage) -> EmailMessage:
    reply = customer_mail(
        f"Re: {ack['Subject']}",
        "Still burning.",
        In_Reply_To=str(ack["Message-ID"]),
        References=f"{ack['References']} {ack['Message-ID']}",
    )
    await support.deliver(reply)

    async def joined() -> dict[str, Any] | None:
        detail = await support.case(case["id"])
        return detail if len(detail["messages"]) == 2 else None

    detail = await eventually(joined, "the reply appended to the same case")
    assert [c["id"] for c in await support.cases_of(CUSTOMER)] == [case["id"]]
    assert detail["messages"][1]["message_id"] == reply["Message-ID"]
    return reply


async def agent_replies(
    support: Support, case: dict[str, Any], first: EmailMessage, reply: EmailMessage
) -> EmailMessage:
    await support.post(case["id"], "notes", {"body_text": "Internal: customer sounds upset."})
    await support.post(case["id"], "replies", {"body_text": "Please unplug the printer."})

    async def agent_mail() -> EmailMessage | None:
        found = [m for m in support.mails_to(CUSTOMER) if "Please unplug" in _text(m)]
        return found[0] if found else None

    answer = await eventually(agent_mail, "the agent's reply in the customer's mailbox")
    outbound = [m for m in (await support.case(case["id"]))["messages"] if m["direction"] == "outbound"]
    assert [m["message_id"] for m in outbound] == [answer["Message-ID"]]
    assert f"[{case['number']}]" in answer["Subject"]
    assert answer["In-Reply-To"] == reply["Message-ID"]
    references = str(answer["References"]).split()
    assert references[0] == first["Message-ID"]
    assert references[-1] == reply["Message-ID"]
    assert "Auto-Submitted" not in answer
    assert answer["From"] == HELPDESK
    assert not any("Internal:" in _text(m) for m in support.sink.messages)
    return answer


def _text(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    return str(body.get_content()) if body is not None else ""


async def test_mail_case_acknowledgement_replies_and_no_loop(support: Support) -> None:
    first = customer_mail("Printer on fire", "Our printer is on fire, please help.")
    case, ack = await open_and_acknowledge(support, first)
    reply = await customer_replies(support, case, ack)
    answer = await agent_replies(support, case, first, reply)
    before = await support.case(case["id"])
    mails_before = len(support.mails_to(CUSTOMER))

    out_of_office = customer_mail(
        f"Automatic reply: {answer['Subject']}",
        "I am away until Monday.",
        Auto_Submitted="auto-replied",
        In_Reply_To=str(answer["Message-ID"]),
        References=f"{answer['References']} {answer['Message-ID']}",
    )
    await support.deliver(out_of_office)
    # A later, genuine mail from someone else: once it is acknowledged, the auto-reply was handled too.
    await support.deliver(customer_mail("Scanner broken", "The scanner is broken.", sender=OTHER))
    await mail_to(support.sink, OTHER, "Scanner broken")
    await asyncio.sleep(QUIET_S)

    assert [c["id"] for c in await support.cases_of(CUSTOMER)] == [case["id"]]
    after = await support.case(case["id"])
    assert len(after["messages"]) == len(before["messages"])
    assert after["status"] == before["status"]
    assert len(support.mails_to(CUSTOMER)) == mails_before
