"""Flows 1-4 over HTTP and SMTP only: lead, conversion, deal, win, contract, reminder, mail."""

from datetime import date

import httpx
import pytest

from crm_shared.infra.mail_sink import MailSink
from crm_shared.infra.stack import LocalStack
from tests.e2e.helpers import ADMIN, CSM, SALES, eventually, mail_to

pytestmark = pytest.mark.e2e


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for candidate in range(day.day, 27, -1):
        try:
            return day.replace(year=year, month=month, day=candidate)
        except ValueError:
            continue
    return day.replace(year=year, month=month, day=min(day.day, 28))


async def test_lead_to_contract_reminder_and_win_mail(stack: LocalStack, mail_sink: MailSink):
    async with httpx.AsyncClient(timeout=10) as http:
        registered = await http.put(
            f"{stack.url('notifier')}/v1/recipients/alice",
            json={"email": "alice@agency.example", "name": "Alice", "language": "en"},
            headers=ADMIN,
        )
        assert registered.status_code in (200, 201), registered.text

        lead = (
            await http.post(
                f"{stack.url('leads')}/v1/leads",
                json={"first_name": "Ada", "last_name": "Lovelace", "company_name": "Analytical Engines"},
                headers=SALES,
            )
        ).json()
        converted = await http.post(
            f"{stack.url('leads')}/v1/leads/{lead['id']}/convert",
            json={
                # The demo data may hold an account of that name: open a new one all the same.
                "account": {"confirm_new": True},
                "deal": {"title": "Engine website", "amount_minor": 1_250_000, "currency": "EUR"},
            },
            headers=SALES,
        )
        assert converted.status_code == 200, converted.text

        async def deal_of_lead() -> dict | None:
            page = (await http.get(f"{stack.url('deals')}/v1/deals?limit=200", headers=SALES)).json()
            return next((d for d in page["items"] if d["lead_id"] == lead["id"]), None)

        deal = await eventually(deal_of_lead, "the deal opened by LeadConverted")
        assert deal["amount_minor"] == 1_250_000
        assert deal["account_id"] == converted.json()["account"]["id"]

        assert (
            await http.post(f"{stack.url('deals')}/v1/deals/{deal['id']}/win", headers=CSM)
        ).status_code == 403
        won = await http.post(f"{stack.url('deals')}/v1/deals/{deal['id']}/win", headers=SALES)
        assert won.status_code == 200, won.text

        async def contract() -> dict | None:
            page = (
                await http.get(f"{stack.url('quotes')}/v1/contracts?deal_id={deal['id']}", headers=SALES)
            ).json()
            return page["items"][0] if page["items"] else None

        found = await eventually(contract, "the contract set up by DealWon")
        start = date.fromisoformat(found["start_date"])
        assert date.fromisoformat(found["end_date"]) == add_months(start, 12)
        assert found["budget_minor"] == 1_250_000

        async def reminder() -> dict | None:
            url = f"{stack.url('notifier')}/v1/reminders?contract_id={found['id']}"
            page = (await http.get(url, headers=ADMIN)).json()
            return page["items"][0] if page["items"] else None

        stored = await eventually(reminder, "the renewal reminder stored by ContractCreated")
        assert stored["due_at"].startswith(add_months(date.fromisoformat(found["end_date"]), -1).isoformat())

    mail = await mail_to(mail_sink, "alice@agency.example", "Engine website")
    body = mail.get_content()
    assert "Engine website" in body
    # 1 250 000 minor units = 12 500.00 EUR, written in the recipient's locale
    assert "12" in body
    assert "500" in body
