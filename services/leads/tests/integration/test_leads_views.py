"""Lead lists over HTTP: my/open views, every filter, every sort paged by keyset cursors, the kanban."""

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from crm_leads.bootstrap import definition
from crm_leads.config import Settings
from crm_shared.auth import Role
from crm_shared.settings import KafkaSettings
from crm_shared.testing.service import RunningService, auth_headers, running_service

pytestmark = pytest.mark.integration

ALICE = auth_headers("alice", Role.SALES, team="north")
BOB = auth_headers("bob", Role.SALES, team="south")
SUPPORT = auth_headers("support-1", Role.SUPPORT)
VIP = {"name": "vip", "colour": "#ff0000"}
PEOPLE = [
    # (creator, last name, company, email, score, source, tags, key account)
    (ALICE, "Lovelace", "Analytical Engines", "ada@analytical.example", 5, "event", [VIP], True),
    (ALICE, "Babbage", "Difference Works", "charles@difference.example", 3, "phone", [], False),
    (BOB, "Hopper", "Navy Compilers", "grace@navy.example", 3, "event", [VIP], False),
    (BOB, "Turing", "Bletchley", "alan@bletchley.example", 0, "web_form", [], True),
    (ALICE, "Hamilton", "Apollo Software", "margaret@apollo.example", 4, "email", [], False),
    (BOB, "Lamarr", "Frequency Hopping", "hedy@hopping.example", 3, "event", [], False),
    (ALICE, "Johnson", "Orbital Maths", "katherine@orbital.example", 1, "phone", [VIP], False),
]


@pytest.fixture(scope="module")
async def leads(kafka_bootstrap: str, make_database) -> AsyncIterator[RunningService]:
    settings = Settings(
        database_url=make_database("leads_views"),
        kafka=KafkaSettings(bootstrap_servers=kafka_bootstrap),
        relay_poll_interval_s=0.5,
    )
    async with running_service(definition(settings)) as service:
        for creator, name, company, email, score, source, tags, key in PEOPLE:
            body = {"last_name": name, "company_name": company, "email": email, "score": score,
                    "source": source, "tags": tags, "key_account": key}  # fmt: skip
            assert (await service.http.post("/v1/leads", json=body, headers=creator)).status_code == 201
        yield service


async def names(leads: RunningService, query: str, headers=SUPPORT) -> list[str]:
    response = await leads.http.get(f"/v1/leads?limit=200&{query}", headers=headers)
    assert response.status_code == 200, response.text
    return [lead["last_name"] for lead in response.json()["items"]]


async def every_page(leads: RunningService, query: str, size: int = 2) -> list[dict]:
    found, cursor = [], None
    while True:
        suffix = f"&cursor={cursor}" if cursor else ""
        page = (await leads.http.get(f"/v1/leads?limit={size}&{query}{suffix}", headers=SUPPORT)).json()
        found += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return found


async def test_filters(leads):
    assert set(await names(leads, "mine=true", ALICE)) == {"Lovelace", "Babbage", "Hamilton", "Johnson"}
    assert set(await names(leads, "owner_id=bob")) == {"Hopper", "Turing", "Lamarr"}
    assert set(await names(leads, "team=south")) == {"Hopper", "Turing", "Lamarr"}
    assert set(await names(leads, "source=event")) == {"Lovelace", "Hopper", "Lamarr"}
    assert set(await names(leads, "tag=vip")) == {"Lovelace", "Hopper", "Johnson"}
    assert set(await names(leads, "tag=vip&source=event&owner_id=alice")) == {"Lovelace"}
    assert set(await names(leads, "score_min=3&score_max=4")) == {"Babbage", "Hopper", "Hamilton", "Lamarr"}
    assert set(await names(leads, "key_account=true")) == {"Lovelace", "Turing"}
    assert set(await names(leads, "q=HOPP")) == {"Hopper", "Lamarr"}  # name and company
    assert set(await names(leads, "q=analytical.example")) == {"Lovelace"}  # email
    assert await names(leads, "q=100%25") == []  # a literal %, not a wildcard
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat().replace("+", "%2B")
    assert len(await names(leads, f"created_to={future}")) == 7
    assert await names(leads, f"created_from={future}") == []


async def test_open_and_status_views(leads):
    [turing] = (await leads.http.get("/v1/leads?q=turing", headers=BOB)).json()["items"]
    lost = await leads.http.post(f"/v1/leads/{turing['id']}/lose", json={"reason": "no budget"}, headers=BOB)
    assert lost.status_code == 200
    try:
        assert "Turing" not in await names(leads, "open=true")
        assert len(await names(leads, "open=true")) == 6
        assert await names(leads, "status=lost") == ["Turing"]
        assert set(await names(leads, "status=lost&status=to_process")) == {p[1] for p in PEOPLE}
    finally:
        await leads.http.post(f"/v1/leads/{turing['id']}/reopen", headers=BOB)


@pytest.mark.parametrize(
    ("sort", "key", "reverse"),
    [
        ("-created_at", "created_at", True),
        ("created_at", "created_at", False),
        ("-updated_at", "updated_at", True),
        ("score", "score", False),
        ("-score", "score", True),
        ("name", "last_name", False),
        ("-name", "last_name", True),
    ],
)
async def test_every_sort_pages_without_gaps_or_repeats(leads, sort, key, reverse):
    found = await every_page(leads, f"sort={sort}")
    assert len(found) == len(PEOPLE)
    assert len({lead["id"] for lead in found}) == len(PEOPLE)
    # Ties (three leads score 3) are broken by id, in the sort's direction.
    expected = sorted(found, key=lambda lead: (lead[key], lead["id"]), reverse=reverse)
    assert [lead["id"] for lead in found] == [lead["id"] for lead in expected]


async def test_a_cursor_only_fits_its_sort(leads):
    page = (await leads.http.get("/v1/leads?limit=2&sort=score", headers=SUPPORT)).json()
    response = await leads.http.get(f"/v1/leads?sort=name&cursor={page['next_cursor']}", headers=SUPPORT)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "cursor"
    assert (await leads.http.get("/v1/leads?cursor=!!", headers=SUPPORT)).status_code == 422


async def test_kanban_counts_every_status_and_shows_the_top_of_each(leads):
    [hopper] = (await leads.http.get("/v1/leads?q=grace", headers=BOB)).json()["items"]
    await leads.http.post(f"/v1/leads/{hopper['id']}/move", json={"status": "nurturing"}, headers=BOB)
    board = (await leads.http.get("/v1/leads/kanban?limit=2", headers=SUPPORT)).json()
    assert [c["status"]["key"] for c in board] == [
        "to_process", "marketing_qualification", "sales_qualification", "nurturing", "converted", "lost",
    ]  # fmt: skip
    counts = {c["status"]["key"]: c["count"] for c in board}
    assert counts == {"to_process": 6, "marketing_qualification": 0, "sales_qualification": 0,
                      "nurturing": 1, "converted": 0, "lost": 0}  # fmt: skip
    first = board[0]
    assert len(first["items"]) == 2
    query = f"status=to_process&sort=position&limit=10&cursor={first['next_cursor']}"
    rest = (await leads.http.get(f"/v1/leads?{query}", headers=SUPPORT)).json()["items"]
    assert len(rest) == 4
    assert {i["id"] for i in first["items"]}.isdisjoint(i["id"] for i in rest)
    mine = (await leads.http.get("/v1/leads/kanban?mine=true", headers=ALICE)).json()
    assert sum(c["count"] for c in mine) == 4


async def test_lists_are_read_by_every_role_but_need_a_token(leads):
    counts = await asyncio.gather(
        *(names(leads, "", h) for h in (ALICE, SUPPORT, auth_headers("c", Role.CSM)))
    )
    assert {len(c) for c in counts} == {7}
    assert (await leads.http.get("/v1/leads")).status_code == 401
