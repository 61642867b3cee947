"""The edge of every service: text that no route may store is refused with 422 naming its field, before
authentication; JSON bodies and error answers are bounded; uploads are left to their routes."""

import json
from typing import Annotated

import httpx
import pytest
import structlog
from fastapi import APIRouter, Header, Request
from pydantic import BaseModel, ConfigDict, TypeAdapter

from crm_shared.auth import CurrentUser, Role, issue_dev_token
from crm_shared.http import create_app
from crm_shared.http.conditional import IfMatch
from crm_shared.http.idempotency import IdempotencyKey
from crm_shared.settings import AuthSettings, HttpLimits


class Contact(BaseModel):
    name: str


class Thing(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    contacts: list[Contact] = []
    notes: dict[str, object] = {}


router = APIRouter()
Submission = TypeAdapter(dict[str, str | int | None])
UPLOAD = {"requestBody": {"content": {"text/csv": {"schema": {"type": "string"}}}}}
stored: list[object] = []


@router.post("/things/{key}")
async def create_thing(
    key: str,
    body: Thing,
    user: CurrentUser,
    q: str | None = None,
    if_match: IfMatch = None,
    idempotency_key: IdempotencyKey = None,
    x_mailbox: Annotated[str | None, Header()] = None,
) -> dict[str, str]:
    stored.append(body)
    return {"key": key}


@router.post("/forms/{form_key}/submissions")
async def submit(form_key: str, request: Request) -> dict[str, int]:
    """Public, reads its body itself (as the web-to-lead form does, whatever the content type)."""
    fields = Submission.validate_json(await request.body())
    stored.append(fields)
    return {"fields": len(fields)}


@router.post("/imports", openapi_extra=UPLOAD)
async def upload(request: Request) -> dict[str, int]:
    return {"bytes": len(await request.body())}


@router.post("/offers")
async def offer(request: Request) -> dict[str, int]:
    body = b"".join([chunk async for chunk in request.stream()])
    return {"bytes": len(body)}


@router.get("/context")
async def log_context() -> dict[str, object]:
    return structlog.contextvars.get_contextvars()


def app(limits: HttpLimits | None = None) -> httpx.AsyncClient:
    service = create_app(
        title="t", description="d", routers=[router], auth=AuthSettings(), readiness={}, limits=limits
    )
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=service), base_url="http://t")


@pytest.fixture
async def client():
    stored.clear()
    async with app() as http:
        yield http


def bearer() -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_dev_token(AuthSettings(), user_id='u', roles=[Role.SALES])}"}


def refused_fields(response: httpx.Response) -> list[str]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return [e["field"] for e in response.json()["errors"]]


JSON = {"content-type": "application/json"}
TEXT = {"content-type": "text/plain"}
NAMED = {"name": "x"}
CASES = [
    ("/things/a%00b", {"json": {"name": "x"}}, "path.key"),
    ("/things/a?q=x%00y", {"json": {"name": "x"}}, "query.q"),
    ("/things/a?na%00me=1", {"json": {"name": "x"}}, "query.na\\u0000me"),
    ("/things/a", {"json": {"name": "x\x00"}}, "body.name"),
    ("/things/a", {"json": NAMED | {"contacts": [{"name": "ok"}, {"name": "\x00"}]}}, "body.contacts.1.name"),
    ("/things/a", {"json": {"name": "x", "notes": {"k\x00": 1}}}, "body.notes.k\\u0000"),
    ("/things/a", {"json": {"name": "x"}, "headers": {"If-Match": '"1\x00"'}}, "header.If-Match"),
    ("/things/a", {"json": {"name": "x"}, "headers": {"Idempotency-Key": "k\x00"}}, "header.Idempotency-Key"),
    ("/things/a", {"json": {"name": "x"}, "headers": {"X-Request-ID": "r\x00"}}, "header.X-Request-ID"),
    ("/things/a", {"json": {"name": "x"}, "headers": {"X-Mailbox": "m\x00"}}, "header.x-mailbox"),
    ("/forms/f1/submissions", {"json": {"email": "a\x00@b.example"}}, "body.email"),
    # Browsers post cross-origin forms as text/plain; the form still reads the body as JSON.
    ("/forms/f1/submissions", {"content": b'{"email": "\\u0000"}', "headers": TEXT}, "body.email"),
    ("/forms/f1/submissions", {"data": {"email": "a\x00"}}, "body.email"),
    ("/offers", {"files": {"file": ("a.pdf", b"%PDF"), "comment": (None, b"signed\x00")}}, "body.comment"),
]  # fmt: skip


@pytest.mark.parametrize(("url", "request_args", "field"), CASES)
async def test_a_nul_anywhere_is_refused_naming_its_field_before_authentication(
    client, url, request_args, field
):
    response = await client.post(url, **request_args)
    assert refused_fields(response) == [field]
    assert stored == []


@pytest.mark.parametrize(
    ("text", "code"),
    [("\x01", "U+0001"), ("\x1f", "U+001F"), ("\x7f", "U+007F"), ("\x0b", "U+000B"), ("\x0c", "U+000C")],
)
async def test_other_control_characters_are_refused(client, text, code):
    response = await client.post("/things/a", json={"name": f"a{text}b"}, headers=bearer())
    assert refused_fields(response) == ["body.name"]
    assert code in response.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    "body", [b'{"name": "a\\ud800"}', b'{"name": "a\xed\xa0\x80"}', b'{"name": "\\udc00"}']
)
async def test_unpaired_surrogates_are_refused_as_escapes_or_as_bytes(client, body):
    response = await client.post("/things/a", content=body, headers=JSON | bearer())
    assert refused_fields(response) == ["body.name"]
    assert "surrogate" in response.json()["errors"][0]["message"]


async def test_text_with_tabs_line_breaks_and_any_script_is_accepted(client):
    name = "Zoë\tO'Brien\r\nçà 東京 🙂 \u200b\\u0000"  # the last is an escaped backslash, not a NUL
    response = await client.post(
        "/things/a",
        json={"name": name, "contacts": [{"name": "x\ny"}]},
        params={"q": "a\tb"},
        headers=bearer(),
    )
    assert response.status_code == 200, response.text
    assert stored[0].name == name


async def test_an_upload_body_is_left_to_its_route(client):
    response = await client.post(
        "/imports", content=b"name\r\nA\x00B\r\n", headers={"content-type": "text/csv"}
    )
    assert response.json() == {"bytes": 11}


async def test_the_contents_of_a_multipart_file_are_left_to_the_route(client):
    response = await client.post(
        "/offers", files={"file": ("offer.bin", b"\x00\x01binary"), "comment": (None, b"ok")}
    )
    assert response.status_code == 200, response.text


async def test_deep_nesting_is_refused_with_422():
    async with app(HttpLimits(max_json_depth=5)) as http:
        shallow = {"name": "x", "notes": {"a": {"b": {"c": 1}}}}
        assert (await http.post("/things/a", json=shallow, headers=bearer())).status_code == 200
        deep = {"name": "x", "notes": {"a": {"b": {"c": {"d": {"e": 1}}}}}}
        response = await http.post("/things/a", json=deep, headers=bearer())
        assert refused_fields(response) == ["body.notes.a.b.c.d"]
        assert response.json()["errors"][0]["type"] == "too_deep"


async def test_nesting_deeper_than_the_parser_can_go_is_a_422_not_a_crash(client):
    response = await client.post("/forms/f/submissions", content=b"[" * 100_000, headers=JSON)
    assert refused_fields(response) == ["body"]


async def test_a_json_body_over_the_limit_is_refused_with_413_even_without_content_length():
    async with app(HttpLimits(max_json_body_bytes=2048)) as http:
        body = json.dumps({"name": "x" * 3000}).encode()

        async def chunks():
            for start in range(0, len(body), 512):
                yield body[start : start + 512]

        for content in (body, chunks()):
            response = await http.post("/forms/f/submissions", content=content, headers=JSON)
            assert response.status_code == 413
            assert response.headers["content-type"] == "application/problem+json"
        assert (await http.post("/forms/f/submissions", json={"a": "x" * 1000})).status_code == 200


async def test_an_error_answer_lists_at_most_twenty_fields_and_never_echoes_the_input(client):
    secret = "confidential-" * 20
    body = {"name": "x"} | {f"unknown_{i}": secret for i in range(3000)} | {"k" * 50_000: 1}
    response = await client.post("/things/a", json=body, headers=bearer())
    problem = response.json()
    assert response.status_code == 422
    assert len(problem["errors"]) == 20
    assert problem["errors_omitted"] == 3001 - 20
    assert len(response.content) < 5000
    assert "confidential" not in response.text


async def test_a_field_name_is_shortened_in_the_answer(client):
    response = await client.post("/things/a", json={"name": "x", "k" * 50_000: 1}, headers=bearer())
    (error,) = response.json()["errors"]
    assert error["field"].startswith("body.kkk")
    assert len(error["field"]) <= 104


async def test_the_request_id_is_checked_kept_or_made(client):
    kept = await client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert kept.headers["X-Request-ID"] == "abc-123"
    too_long = await client.get("/healthz", headers={"X-Request-ID": "r" * 129})
    assert refused_fields(too_long) == ["header.X-Request-ID"]
    assert too_long.headers["X-Request-ID"] != "r" * 129


async def test_the_callers_trace_is_continued_and_answered(client):
    caller = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    answered = (await client.get("/healthz", headers={"traceparent": caller})).headers["traceparent"]
    assert answered.startswith("00-4bf92f3577b34da6a3ce929d0e0e4736-")
    assert answered != caller
    started = (await client.get("/healthz")).headers["traceparent"]
    assert started.split("-")[1] != "4bf92f3577b34da6a3ce929d0e0e4736"


async def test_every_log_line_of_a_request_carries_its_request_id_and_trace_id(client):
    response = await client.get("/context", headers={"X-Request-ID": "req-1"})
    assert response.json() == {
        "request_id": "req-1",
        "trace_id": response.headers["traceparent"].split("-")[1],
    }


def test_the_limits_are_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("CRM_HTTP_MAX_JSON_BODY_BYTES", "4096")
    monkeypatch.setenv("CRM_HTTP_RETRY_AFTER_S", "30")
    limits = HttpLimits()
    assert (limits.max_json_body_bytes, limits.retry_after_s, limits.max_field_errors) == (4096, 30, 20)
