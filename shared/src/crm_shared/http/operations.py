"""What the edge needs to know of an operation before routing, read from the service's OpenAPI document:
the headers it reads, its path parameters, and whether its body is a file (an upload) or JSON."""

import re
from dataclasses import dataclass, field
from typing import Any

_PARAMETER = re.compile(r"\{([^{}:]+)(?::([^{}]+))?\}")
JSON_MEDIA = re.compile(r"^application/(?:[\w.+-]+\+)?json$")
FORM_MEDIA = "application/x-www-form-urlencoded"
METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})


@dataclass(frozen=True)
class Operation:
    method: str
    template: str
    pattern: re.Pattern[str]
    headers: dict[str, str] = field(default_factory=dict)
    """Lower-case name -> the name as documented."""
    uploads: bool = False
    """Its body is a file (CSV, MIME, a multipart form...), read and checked by the route itself."""

    def path_parameters(self, path: str) -> dict[str, str]:
        found = self.pattern.fullmatch(path)
        return found.groupdict() if found else {}


class OperationIndex:
    def __init__(self, operations: list[Operation]) -> None:
        # Literal paths first, as the router prefers `/v1/leads/kanban` to `/v1/leads/{lead_id}`.
        self._operations = sorted(operations, key=lambda o: o.template.count("{"))

    @classmethod
    def of(cls, document: dict[str, Any]) -> "OperationIndex":
        return cls(
            [
                _operation(method, template, spec)
                for template, item in document.get("paths", {}).items()
                for method, spec in item.items()
                if method in METHODS
            ]
        )

    def match(self, method: str, path: str) -> Operation | None:
        method = method.lower()
        return next((o for o in self._operations if o.method == method and o.pattern.fullmatch(path)), None)


def _operation(method: str, template: str, spec: dict[str, Any]) -> Operation:
    headers = {p["name"].lower(): p["name"] for p in spec.get("parameters", []) if p.get("in") == "header"}
    media = spec.get("requestBody", {}).get("content", {})
    uploads = any(not JSON_MEDIA.match(m) and m != FORM_MEDIA for m in media)
    return Operation(method, template, _pattern(template), headers, uploads)


def _pattern(template: str) -> re.Pattern[str]:
    parts, last = [], 0
    for found in _PARAMETER.finditer(template):
        parts.append(re.escape(template[last : found.start()]))
        name, convertor = found.groups()
        parts.append(f"(?P<{name}>.*)" if convertor == "path" else f"(?P<{name}>[^/]+)")
        last = found.end()
    parts.append(re.escape(template[last:]))
    return re.compile("".join(parts))
