"""The edge of every service: text input that no route may store is refused with 422 naming its field,
before routing, authentication and any database, so that public routes (the web-to-lead form) are covered.

Checked: the query string, the path parameters, the headers the service reads (`Idempotency-Key`,
`If-Match`, `X-Request-ID` and those an operation documents), JSON and urlencoded bodies (read whole,
at most `max_json_body_bytes`, else 413; nesting at most `max_json_depth`), and the fields of multipart
forms as they stream through. Bodies that are files (uploads: CSV, MIME, a JSON file to import) are the
route's: it reads them within its own size limit and checks their cells with
`crm_shared.http.characters`.
"""

import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from fastapi import FastAPI
from python_multipart.multipart import parse_options_header
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from crm_shared.http.characters import FieldError, field_error, forbidden_in, forbidden_in_bytes, printable
from crm_shared.http.json_input import json_errors
from crm_shared.http.multipart_check import MultipartFieldCheck
from crm_shared.http.operations import FORM_MEDIA, Operation, OperationIndex
from crm_shared.http.problems import invalid_input, problem_response
from crm_shared.settings import HttpLimits

# `\b`, `\f` and `\u` escapes of control characters and surrogates; raw control bytes; UTF-8 encoded
# surrogates, which json.loads decodes (it reads bytes with "surrogatepass").
_SUSPECT = re.compile(
    rb"\\(?:[bf]|u00[01]|u007|u[dD][89a-fA-F])|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\xed[\xa0-\xbf]"
)
READ_HEADERS = {"idempotency-key": "Idempotency-Key", "if-match": "If-Match", "x-request-id": "X-Request-ID"}
"""Headers that some route reads, whatever the operation documents."""


def install_edge_guard(app: FastAPI, limits: HttpLimits) -> None:
    """The operations are read from the app's OpenAPI document, built on the first request."""
    app.add_middleware(EdgeGuard, limits=limits, document=app.openapi)


class EdgeGuard:
    def __init__(self, app: ASGIApp, *, limits: HttpLimits, document: Callable[[], dict[str, Any]]) -> None:
        self.app = app
        self.limits = limits
        self._document = document
        self._index: OperationIndex | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self._index is None:
            self._index = OperationIndex.of(self._document())
        operation = self._index.match(scope["method"], scope["path"])
        errors = [
            *self._header_errors(scope, operation),
            *_query_errors(scope),
            *_path_errors(scope, operation),
        ]
        if not errors:
            checked = await self._check_body(scope, receive, operation)
            if checked is None:
                await self._too_large(scope, receive, send)
                return
            errors, receive = checked
        if errors:
            await invalid_input(scope["path"], errors, self.limits)(scope, receive, send)
            return
        await self.app(scope, receive, send)

    async def _check_body(
        self, scope: Scope, receive: Receive, operation: Operation | None
    ) -> tuple[list[FieldError], Receive] | None:
        """The body's errors and how the route reads it; None when it is too large."""
        headers = Headers(scope=scope)
        content_type, options = parse_options_header(headers.get("content-type", ""))
        if content_type == b"multipart/form-data" and b"boundary" in options:
            return [], MultipartFieldCheck(receive, options[b"boundary"]).receive
        if not _has_body(headers) or (operation is not None and operation.uploads):
            return [], receive
        body = await self._read(headers, receive)
        if body is None:
            return None
        errors = self._body_errors(body, urlencoded=content_type == FORM_MEDIA.encode())
        return errors, _replay(body, receive)

    def _header_errors(self, scope: Scope, operation: Operation | None) -> list[FieldError]:
        names = (operation.headers if operation is not None else {}) | READ_HEADERS
        errors = []
        for raw_name, value in scope["headers"]:
            name = names.get(raw_name.decode("latin-1").lower())
            if name is None:
                continue
            if message := forbidden_in_bytes(value):
                errors.append(field_error(f"header.{name}", message))
            elif name == "X-Request-ID" and len(value) > self.limits.max_request_id_chars:
                message = f"at most {self.limits.max_request_id_chars} characters"
                errors.append(field_error(f"header.{name}", message, "too_long"))
        return errors

    async def _read(self, headers: Headers, receive: Receive) -> bytes | None:
        """The whole body, or None as soon as it is over the limit (a lying Content-Length included)."""
        limit = self.limits.max_json_body_bytes
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            return None
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return bytes(body)  # the client left: the route finds out when it reads on
            body += message.get("body", b"")
            if len(body) > limit:
                return None
            if not message.get("more_body", False):
                return bytes(body)

    def _body_errors(self, body: bytes, *, urlencoded: bool) -> list[FieldError]:
        if urlencoded:
            return _pairs_errors("body", body)
        if not _may_be_refused(body, self.limits.max_json_depth):
            return []
        try:
            document = json.loads(body)
        except RecursionError:
            message = f"nested deeper than {self.limits.max_json_depth} levels"
            return [field_error("body", message, "too_deep")]
        except ValueError:
            return []  # not JSON: the route refuses it as it would any unreadable body
        depth, most = self.limits.max_json_depth, self.limits.max_field_errors
        return json_errors(document, root="body", max_depth=depth, max_errors=most)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem_response(
            instance=scope["path"],
            status=413,
            title="Content too large",
            detail=f"a request body has at most {self.limits.max_json_body_bytes} bytes",
            code="too_large",
        )
        await response(scope, receive, send)


def _may_be_refused(body: bytes, max_depth: int) -> bool:
    """A quick look at the text, so that most bodies are not walked member by member: a forbidden
    character is either raw or a `\\u` escape (or looks like one), and nesting needs brackets."""
    brackets = body.count(b"[") + body.count(b"{")
    return brackets > max_depth or _SUSPECT.search(body) is not None


def _query_errors(scope: Scope) -> list[FieldError]:
    return _pairs_errors("query", scope.get("query_string", b""))


def _pairs_errors(location: str, encoded: bytes) -> list[FieldError]:
    """Names and values of a query string or urlencoded form, decoded as Starlette decodes them."""
    errors = []
    for name, value in parse_qsl(encoded.decode("latin-1"), keep_blank_values=True):
        if message := forbidden_in(name):
            errors.append(field_error(f"{location}.{printable(name)}", f"the name {message}"))
        elif message := forbidden_in(value):
            errors.append(field_error(f"{location}.{printable(name)}", message))
    return errors


def _path_errors(scope: Scope, operation: Operation | None) -> list[FieldError]:
    path: str = scope["path"]
    message = forbidden_in(path)
    if message is None:
        return []
    parameters = operation.path_parameters(path) if operation is not None else {}
    named = next((name for name, value in parameters.items() if forbidden_in(value)), None)
    return [field_error(f"path.{named}" if named else "path", message)]


def _has_body(headers: Headers) -> bool:
    return headers.get("content-length", "0") not in ("", "0") or "transfer-encoding" in headers


def _replay(body: bytes, receive: Receive) -> Receive:
    pending = True

    async def replayed() -> Message:
        nonlocal pending
        if pending:
            pending = False
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed
