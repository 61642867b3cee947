"""Errors the domain and service layers raise; the HTTP layer maps them to RFC 9457 problems.

They live here (not in FastAPI code) so domain modules can raise them without importing a web framework.
"""

from dataclasses import dataclass, field


@dataclass
class CrmError(Exception):
    detail: str
    status: int = 400
    title: str = "Bad request"
    code: str = "bad_request"
    extra: dict[str, object] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.detail


class NotFound(CrmError):
    def __init__(self, kind: str, ident: object) -> None:
        super().__init__(f"{kind} {ident} not found", 404, "Not found", "not_found")


class Forbidden(CrmError):
    def __init__(self, detail: str) -> None:
        super().__init__(detail, 403, "Forbidden", "forbidden")


class Conflict(CrmError):
    """A refused state transition or a uniqueness clash."""

    def __init__(self, detail: str, code: str = "conflict") -> None:
        super().__init__(detail, 409, "Conflict", code)


class PreconditionFailed(CrmError):
    """The client's If-Match names a version that is no longer current."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail, 412, "Precondition failed", "stale_version")


class InvalidInput(CrmError):
    """Input that passed schema validation but breaks a rule; names the field at fault."""

    def __init__(self, field_name: str, detail: str) -> None:
        super().__init__(
            detail,
            422,
            "Invalid input",
            "invalid_input",
            {"errors": [{"field": field_name, "message": detail}]},
        )
