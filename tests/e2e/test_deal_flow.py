"""The sales process on the agency's pipelines, over HTTP and Kafka only.

A lead converted into SALES SQUAD moves through its stages; a CSM's close request with a wrong signed
amount is refused, the amount corrected, the request approved -> DealWon -> a contract in quotes. A deal
lost with potential waits in COLD LEADS; a contract renewal event opens a deal in CLIENTS SQUAD - CSM.
"""

from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from crm_shared.events.quotes import ContractRenewalDue
from crm_shared.infra.demo import ARCHIVED, PIPELINES
from crm_shared.infra.stack import LocalStack
from crm_shared.testing.publish import publish_event
from tests.e2e.helpers import ADMIN, CSM, SALES, eventually

pytestmark = pytest.mark.e2e

SIGNED_OFFER = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


async def agency_pipelines(http: httpx.AsyncClient, deals: str) -> dict[str, dict[str, Any]]:
    """The demo set, created through the API when this stack does not have it yet."""
    listed = await http.get(f"{deals}/v1/pipelines", params={"include_archived": "true"}, headers=ADMIN)
    names = {p["name"] for p in listed.json()}
    for pipeline in PIPELINES:
        if pipeline["name"] not in names:
            made = await http.post(f"{deals}/v1/pipelines", json=pipeline, headers=ADMIN)
            assert made.status_code == 201, made.text
            if pipeline["name"] in ARCHIVED:
                await http.post(f"{deals}/v1/pipelines/{made.json()['id']}/archive", headers=ADMIN)
    listed = await http.get(f"{deals}/v1/pipelines", params={"include_archived": "true"}, headers=ADMIN)
    return {p["name"]: p for p in listed.json()}


def stage(pipeline: dict[str, Any], name: str) -> str:
    return str(next(s["id"] for s in pipeline["stages"] if s["name"] == name))


async def test_agency_sales_process(stack: LocalStack, kafka_bootstrap: str) -> None:
    deals, leads, quotes = stack.url("deals"), stack.url("leads"), stack.url("quotes")
    async with httpx.AsyncClient(timeout=10) as http:
        pipelines = await agency_pipelines(http, deals)
        sales_squad = pipelines["SALES SQUAD"]

        # A lead converted straight into SALES SQUAD.
        lead = (
            await http.post(
                f"{leads}/v1/leads",
                json={"first_name": "Hedy", "last_name": "Lamarr", "company_name": "Frequency Hopping"},
                headers=SALES,
            )
        ).json()
        converted = await http.post(
            f"{leads}/v1/leads/{lead['id']}/convert",
            json={
                "deal": {
                    "title": "Site vitrine",
                    "amount_minor": 900_000,
                    "currency": "EUR",
                    "pipeline_id": sales_squad["id"],
                }
            },
            headers=SALES,
        )
        assert converted.status_code == 200, converted.text

        async def deal_of_lead() -> dict[str, Any] | None:
            page = await http.get(
                f"{deals}/v1/deals", params={"pipeline_id": sales_squad["id"], "limit": 200}, headers=SALES
            )
            return next((d for d in page.json()["items"] if d["lead_id"] == lead["id"]), None)

        deal = await eventually(deal_of_lead, "the deal opened in SALES SQUAD by LeadConverted")
        assert deal["stage_id"] == stage(sales_squad, "À contacter")
        assert deal["title"].endswith("Site vitrine")
        assert deal["title"][:4].isdigit()

        # Moved through its stages on the board.
        for name in ("En contact", "Offer send"):
            target = {"stage_id": stage(sales_squad, name)}
            moved = await http.post(f"{deals}/v1/deals/{deal['id']}/move", json=target, headers=SALES)
            assert moved.status_code == 200, moved.text
        deal = moved.json()
        assert deal["stage_id"] == stage(sales_squad, "Offer send")
        history = (await http.get(f"{deals}/v1/deals/{deal['id']}/history", headers=SALES)).json()
        assert [p["stage_name"] for p in history["periods"]] == ["À contacter", "En contact", "Offer send"]

        # A CSM asks for the win with a signed offer whose amount differs from the deal's.
        requested = await http.post(
            f"{deals}/v1/deals/{deal['id']}/close-requests",
            data={"outcome": "won", "signed_amount_minor": "950000", "comment": "signé ce matin"},
            files={"file": ("offre signée.pdf", SIGNED_OFFER, "application/pdf")},
            headers=CSM,
        )
        assert requested.status_code == 201, requested.text
        request = requested.json()
        refused = await http.post(f"{deals}/v1/close-requests/{request['id']}/approve", headers=SALES)
        assert refused.status_code == 409, refused.text
        assert (await http.get(f"{deals}/v1/deals/{deal['id']}", headers=SALES)).json()["status"] == "open"

        # Sales corrects the amount (kept in the deal's history), then approves.
        current = await http.get(f"{deals}/v1/deals/{deal['id']}", headers=SALES)
        corrected = await http.patch(
            f"{deals}/v1/deals/{deal['id']}",
            json={"amount_minor": 950_000},
            headers=SALES | {"If-Match": current.headers["ETag"]},
        )
        assert corrected.status_code == 200, corrected.text
        approved = await http.post(f"{deals}/v1/close-requests/{request['id']}/approve", headers=SALES)
        assert approved.status_code == 200, approved.text
        won = (await http.get(f"{deals}/v1/deals/{deal['id']}", headers=SALES)).json()
        assert won["status"] == "won"
        assert won["amount_minor"] == 950_000
        offer = await http.get(f"{deals}/v1/close-requests/{request['id']}/signed-offer", headers=SALES)
        assert offer.content == SIGNED_OFFER

        async def contract() -> dict[str, Any] | None:
            page = (await http.get(f"{quotes}/v1/contracts?deal_id={deal['id']}", headers=SALES)).json()
            return page["items"][0] if page["items"] else None

        found = await eventually(contract, "the contract set up by DealWon")
        assert found["budget_minor"] == 950_000

        # A deal lost with potential waits in COLD LEADS until its recontact date.
        other = await http.post(
            f"{deals}/v1/deals",
            json={"title": "Refonte intranet", "amount_minor": 400_000, "pipeline_id": sales_squad["id"]},
            headers=SALES,
        )
        assert other.status_code == 201, other.text
        recontact = date.today() + timedelta(days=90)
        lost = await http.post(
            f"{deals}/v1/deals/{other.json()['id']}/lose",
            json={"reason": "budget gelé", "potential": {"recontact_on": recontact.isoformat()}},
            headers=SALES,
        )
        assert lost.status_code == 200, lost.text
        follow_up_id = lost.json()["follow_up_deal_id"]
        follow_up = (await http.get(f"{deals}/v1/deals/{follow_up_id}", headers=SALES)).json()
        assert follow_up["pipeline_id"] == pipelines["COLD LEADS"]["id"]
        assert follow_up["recontact_on"] == recontact.isoformat()
        assert follow_up["follow_up_of"] == other.json()["id"]

        # The contract nears its end: a renewal deal opens in CLIENTS SQUAD - CSM, for the CSM.
        renewal_start = date.fromisoformat(found["end_date"]) + timedelta(days=1)
        await publish_event(
            kafka_bootstrap,
            ContractRenewalDue(
                contract_id=found["id"],
                deal_id=deal["id"],
                account_id=found["account_id"],
                title=found["title"],
                end_date=date.fromisoformat(found["end_date"]),
                renewal_start=renewal_start,
                renewal_end=renewal_start.replace(year=renewal_start.year + 1) - timedelta(days=1),
                budget_minor=found["budget_minor"],
                currency=found["currency"],
                owner_id=found["owner_id"],
                csm_id="bruno",
            ),
        )
        csm_pipeline = pipelines["CLIENTS SQUAD - CSM"]

        async def renewal() -> dict[str, Any] | None:
            page = await http.get(
                f"{deals}/v1/deals", params={"pipeline_id": csm_pipeline["id"], "limit": 200}, headers=CSM
            )
            return next((d for d in page.json()["items"] if d["renewal_of_contract"] == found["id"]), None)

        renewed = await eventually(renewal, "the renewal deal opened by ContractRenewalDue")
        assert renewed["owner_id"] == "bruno"
        assert renewed["amount_minor"] == 950_000
        assert renewed["account_id"] == found["account_id"]
