"""Pipeline and stage names, tags and the text filter compare as Python's casefold() does, on the
C-locale cluster the tests run on (where SQL's lower() leaves "É" alone)."""

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from crm_shared.testing.service import RunningService
from services.deals.tests.integration.deal_support import SALES, create, deals_service

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
async def service(kafka_bootstrap: str, make_database) -> AsyncIterator[RunningService]:
    async with deals_service(kafka_bootstrap, make_database("deals_casefold")) as running:
        yield running


def pipeline(name: str, *open_stages: str) -> dict[str, Any]:
    stages = [{"name": s, "probability": 10} for s in open_stages or ("Découverte",)]
    stages += [
        {"name": "Won", "probability": 100, "kind": "won"},
        {"name": "Lost", "probability": 0, "kind": "lost"},
    ]
    return {"name": name, "stages": stages}


async def post_pipeline(service: RunningService, name: str, *stages: str) -> Any:
    return await service.http.post("/v1/pipelines", json=pipeline(name, *stages), headers=SALES)


def assert_name_taken(response: Any, code: str) -> None:
    assert response.status_code == 409, response.text
    body = response.json()
    assert response.headers["content-type"].startswith("application/problem+json")
    assert (body["type"].rsplit("/", 1)[1], body["errors"][0]["field"]) == (code, "name")


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("équipe île", "Équipe Île"),
        ("Équipe Île A", "Équipe Île A"),  # the same accented capitals: was a 500 from the exact index
        ("Équipe Île B", "ÉQUIPE  ÎLE B"),
        ("Straße Nord", "STRASSE NORD"),
        ("ΟΔΟΣ", "οδος"),
        (
            "Diyarbak\u0131r İl",
            "diyarbak\u0131r i\u0307l",
        ),  # Turkish İ folds to i + combining dot, as in Python
    ],
)
async def test_a_pipeline_name_clashing_whatever_its_case_is_a_409_naming_the_field(service, first, second):
    assert (await post_pipeline(service, first)).status_code == 201
    assert_name_taken(await post_pipeline(service, second), "pipeline_name_taken")


@pytest.mark.parametrize(("first", "second"), [("İzmir", "izmir"), ("ISPARTA", "\u0131sparta")])
async def test_names_that_casefold_keeps_apart_are_two_pipelines(service, first, second):
    assert (await post_pipeline(service, first)).status_code == 201
    assert (await post_pipeline(service, second)).status_code == 201


async def test_renaming_onto_another_pipelines_name_is_a_409(service):
    await post_pipeline(service, "Éducation")
    other = (await post_pipeline(service, "Santé")).json()
    renamed = await service.http.patch(
        f"/v1/pipelines/{other['id']}", json={"name": "ÉDUCATION"}, headers=SALES
    )
    assert_name_taken(renamed, "pipeline_name_taken")
    same = await service.http.patch(f"/v1/pipelines/{other['id']}", json={"name": "SANTÉ"}, headers=SALES)
    assert (same.status_code, same.json()["name"]) == (200, "SANTÉ")


async def test_concurrent_creations_of_one_name_make_one_pipeline_and_one_409(service):
    names = ["Été Concurrent", "ÉTÉ CONCURRENT", "été concurrent"]
    answers = await asyncio.gather(*(post_pipeline(service, n) for n in names))
    assert sorted(a.status_code for a in answers) == [201, 409, 409]
    for answer in answers:
        if answer.status_code == 409:
            assert_name_taken(answer, "pipeline_name_taken")
    listed = (await service.http.get("/v1/pipelines", headers=SALES)).json()
    assert len([p for p in listed if p["name"].casefold() == "été concurrent"]) == 1


async def test_a_stage_name_clashing_within_its_pipeline_is_a_409(service):
    made = (await post_pipeline(service, "Étapes", "Négociation", "Straße")).json()
    url = f"/v1/pipelines/{made['id']}/stages"
    for name in ("NÉGOCIATION", "STRASSE", "won"):
        assert_name_taken(
            await service.http.post(url, json={"name": name, "probability": 5}, headers=SALES),
            "stage_name_taken",
        )
    first = made["stages"][0]["id"]
    renamed = await service.http.patch(f"{url}/{first}", json={"name": "LOST"}, headers=SALES)
    assert_name_taken(renamed, "stage_name_taken")
    itself = await service.http.patch(f"{url}/{first}", json={"name": "NÉGOCIATION"}, headers=SALES)
    assert (itself.status_code, itself.json()["stages"][0]["name"]) == (200, "NÉGOCIATION")
    repeated = await post_pipeline(service, "Répétée", "Relance", "RELANCE")
    assert (repeated.status_code, repeated.json()["errors"][0]["field"]) == (422, "stages")


async def test_the_text_filter_matches_accented_capitals_as_casefold_does(service):
    louvre = await create(service, title="ÉCOLE DU LOUVRE - Refonte", description="Accès STRASSE")
    greek = await create(service, title="Οδός Ερμού")

    async def found(q: str) -> set[str]:
        response = await service.http.get("/v1/deals", params={"q": q, "limit": 200}, headers=SALES)
        assert response.status_code == 200, response.text
        return {d["id"] for d in response.json()["items"]}

    assert louvre["id"] in await found("école du louvre")
    assert louvre["id"] in await found("accès straße")
    assert greek["id"] in await found("ΟΔΌΣ")
    assert louvre["id"] not in await found("ecole du louvre")  # casefold keeps accents


async def test_tags_are_one_whatever_their_case_and_filter_so(service):
    deal = await create(service, title="Étiquettes", tags=["Straße", "STRASSE", "Été", "été"])
    assert deal["tags"] == ["strasse", "été"]
    response = await service.http.get("/v1/deals", params={"tags": ["ÉTÉ", "Straße"]}, headers=SALES)
    assert [d["id"] for d in response.json()["items"]] == [deal["id"]]
