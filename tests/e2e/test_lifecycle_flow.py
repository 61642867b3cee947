"""Lifecycle over HTTP and Kafka only: a won deal makes its contact and account current customers; a lost
deal on a second contact of the same account makes that contact a lost prospect."""

from typing import Any
from uuid import uuid4

import httpx
import pytest

from crm_shared.infra.stack import LocalStack
from tests.e2e.helpers import SALES, eventually

pytestmark = pytest.mark.e2e


async def convert(
    http: httpx.AsyncClient, leads_url: str, lead: dict[str, Any], **choices: Any
) -> dict[str, Any]:
    created = await http.post(f"{leads_url}/v1/leads", json=lead, headers=SALES)
    assert created.status_code == 201, created.text
    body = {"deal": {"title": f"Site for {lead['last_name']}", "amount_minor": 500_000, "currency": "EUR"}}
    converted = await http.post(
        f"{leads_url}/v1/leads/{created.json()['id']}/convert", json=body | choices, headers=SALES
    )
    assert converted.status_code == 200, converted.text
    return {"lead_id": created.json()["id"], **converted.json()}


async def test_deal_outcomes_set_contact_and_account_lifecycle(stack: LocalStack):
    leads, deals = stack.url("leads"), stack.url("deals")
    domain = f"lifecycle-{uuid4().hex[:8]}.example"
    async with httpx.AsyncClient(timeout=10) as http:

        async def deal_of(lead_id: str) -> dict[str, Any] | None:
            page = (await http.get(f"{deals}/v1/deals?limit=200", headers=SALES)).json()
            return next((d for d in page["items"] if d["lead_id"] == lead_id), None)

        async def states_are(path: str, prospect: str, customer: str) -> dict[str, Any] | None:
            body = (await http.get(f"{leads}{path}", headers=SALES)).json()
            return body if (body["prospect_state"], body["customer_state"]) == (prospect, customer) else None

        first = await convert(
            http,
            leads,
            {"first_name": "Ada", "last_name": "Lovelace", "company_name": f"Engines {domain}",
             "email": f"ada@{domain}"},
        )  # fmt: skip
        account_id, ada = first["account"]["id"], first["contact"]["id"]
        deal = await eventually(lambda: deal_of(first["lead_id"]), "the deal opened by LeadConverted")
        assert deal["contact_id"] == ada
        await eventually(
            lambda: states_are(f"/v1/contacts/{ada}", "current", "none"), "Ada a current prospect"
        )

        won = await http.post(f"{deals}/v1/deals/{deal['id']}/win", headers=SALES)
        assert won.status_code == 200, won.text
        await eventually(
            lambda: states_are(f"/v1/contacts/{ada}", "none", "current"), "Ada a current customer"
        )
        await eventually(
            lambda: states_are(f"/v1/accounts/{account_id}", "none", "current"),
            "the account a current customer",
        )

        second = await convert(
            http,
            leads,
            {"first_name": "Charles", "last_name": "Babbage", "email": f"charles@{domain}"},
            account={"id": account_id},
        )
        charles = second["contact"]["id"]
        assert second["contact"]["account_id"] == account_id
        other = await eventually(lambda: deal_of(second["lead_id"]), "the second deal")
        lost = await http.post(
            f"{deals}/v1/deals/{other['id']}/lose", json={"reason": "budget"}, headers=SALES
        )
        assert lost.status_code == 200, lost.text
        await eventually(
            lambda: states_are(f"/v1/contacts/{charles}", "lost", "none"), "Charles a lost prospect"
        )

        # The account keeps its won deal: a customer, and not a lost prospect.
        account = (await http.get(f"{leads}/v1/accounts/{account_id}", headers=SALES)).json()
        assert (account["prospect_state"], account["customer_state"]) == ("none", "current")
        lost_prospects = (await http.get(f"{leads}/v1/contacts?prospect_state=lost", headers=SALES)).json()
        assert charles in {c["id"] for c in lost_prospects["items"]}
        assert ada not in {c["id"] for c in lost_prospects["items"]}
        related = (await http.get(f"{leads}/v1/contacts/{ada}/related", headers=SALES)).json()
        assert [c["id"] for c in related["items"]] == [charles]
