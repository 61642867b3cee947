"""Requests that put a NUL in each input an operation documents: each path and query parameter, each
header, and a text field of its JSON or multipart body (an upload's file is the route's to check)."""

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

NUL = "a\x00b"
METHODS = {"get", "post", "put", "patch", "delete"}
JSON_MEDIA = re.compile(r"^application/(?:[\w.+-]+\+)?json$")


@dataclass(frozen=True)
class Probe:
    method: str
    url: str
    field: str
    request: dict[str, Any] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        return self.field.split(".")[0]


def probes(document: dict[str, Any]) -> Iterator[Probe]:
    for template, item in document["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield from _operation_probes(document, template, method, operation)


def _operation_probes(
    document: dict[str, Any], template: str, method: str, operation: dict[str, Any]
) -> Iterator[Probe]:
    parameters = operation.get("parameters", [])
    url = _fill(document, template, parameters)
    for parameter in parameters:
        name, where = parameter["name"], parameter["in"]
        if where == "path":
            yield Probe(method, _fill(document, template, parameters, {name: "a%00b"}), f"path.{name}")
        elif where == "query":
            yield Probe(method, url, f"query.{name}", {"params": {name: NUL}})
        elif where == "header":
            yield Probe(method, url, f"header.{name}", {"headers": {name: NUL}})
    content = operation.get("requestBody", {}).get("content", {})
    # An operation that also takes a file (CSV, MIME, multipart) reads a JSON body as a file too.
    if "application/json" in content and all(JSON_MEDIA.match(m) for m in content):
        name = _text_field(document, content["application/json"].get("schema", {}))
        yield Probe(method, url, f"body.{name}", {"json": {name: NUL}})
    if "multipart/form-data" in content:
        name = _text_field(document, content["multipart/form-data"].get("schema", {}))
        yield Probe(method, url, f"body.{name}", {"files": {name: (None, NUL.encode())}})


def _fill(
    document: dict[str, Any],
    template: str,
    parameters: list[dict[str, Any]],
    values: dict[str, str] | None = None,
) -> str:
    values = values or {}
    for parameter in parameters:
        if parameter["in"] == "path":
            name = parameter["name"]
            sample = values.get(name) or _sample(_resolve(document, parameter.get("schema", {})))
            template = template.replace("{" + name + "}", sample)
    return template


def _sample(schema: dict[str, Any]) -> str:
    if schema.get("format") == "uuid":
        return str(uuid.uuid4())
    if "enum" in schema:
        return str(schema["enum"][0])
    return "1" if schema.get("type") == "integer" else "sample"


def _text_field(document: dict[str, Any], schema: dict[str, Any]) -> str:
    """The first property that takes text (not a file); `note` for a free-form object."""
    properties = _resolve(document, schema).get("properties", {})
    for name, spec in properties.items():
        resolved = _resolve(document, spec)
        kinds = [resolved, *resolved.get("anyOf", [])]
        if any(k.get("type") == "string" and k.get("format") != "binary" for k in kinds):
            return name
    return next(iter(properties), "note")


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = document["components"]["schemas"][name]
    return schema
