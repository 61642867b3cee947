"""Flow 5 over SMTP and HTTP only: mail, case, acknowledgement, threaded reply; auto-replies open nothing."""

from email.message import EmailMessage
from email.utils import make_msgid

import aiosmtplib
import httpx
import pytest

from crm_shared.infra.mail_sink import MailSink
from crm_shared.infra.stack import LocalStack
from tests.e2e.helpers import SUPPORT, eventually, mail_to

pytestmark = pytest.mark.e2e
CUSTOMER = "dana@customer.example"


def customer_mail(subject: str, body: str, **headers: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = f"Dana Customer <{CUSTOMER}>"
    message["To"] = "support@crm.local"
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="customer.example")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return message


async def cases_of(http: httpx.AsyncClient, stack: LocalStack) -> list[dict]:
    url = f"{stack.url('cases')}/v1/cases?requester_email={CUSTOMER}&limit=200"
    return (await http.get(url, headers=SUPPORT)).json()["items"]


async def test_mail_opens_case_acknowledged_reply_threads(
    stack: LocalStack, mail_sink: MailSink, cases_smtp_port: int
):
    first = customer_mail("Printer on fire", "Our printer is on fire, please help.")
    await aiosmtplib.send(first, hostname="127.0.0.1", port=cases_smtp_port)

    async with httpx.AsyncClient(timeout=10) as http:
        opened = await eventually(lambda: cases_of(http, stack), "the case opened by the mail")
        assert len(opened) == 1
        case = opened[0]
        assert case["subject"] == "Printer on fire"

        ack = await mail_to(mail_sink, CUSTOMER, case["number"])
        assert ack["Auto-Submitted"] == "auto-replied"
        assert first["Message-ID"] in str(ack["In-Reply-To"])

        reply = customer_mail(
            f"Re: {ack['Subject']}",
            "Still burning.",
            In_Reply_To=str(ack["Message-ID"]),
            References=f"{ack['References']} {ack['Message-ID']}",
        )
        await aiosmtplib.send(reply, hostname="127.0.0.1", port=cases_smtp_port)

        async def two_messages() -> dict | None:
            detail = (await http.get(f"{stack.url('cases')}/v1/cases/{case['id']}", headers=SUPPORT)).json()
            return detail if len(detail["messages"]) == 2 else None

        await eventually(two_messages, "the reply appended to the same case")

        out_of_office = customer_mail(
            "Out of Office: Printer on fire", "I am away until Monday.", Auto_Submitted="auto-replied"
        )
        await aiosmtplib.send(out_of_office, hostname="127.0.0.1", port=cases_smtp_port)
        bounce_probe = customer_mail("A genuinely new problem", "The scanner is broken too.")
        await aiosmtplib.send(bounce_probe, hostname="127.0.0.1", port=cases_smtp_port)

        async def new_case() -> list[dict] | None:
            found = await cases_of(http, stack)
            return found if any(c["subject"] == "A genuinely new problem" for c in found) else None

        # The auto-reply was sent first: once the later mail has its case, the auto-reply was handled.
        subjects = sorted(c["subject"] for c in await eventually(new_case, "the second real case"))
        assert subjects == ["A genuinely new problem", "Printer on fire"]
