"""Identity and roles: every service verifies the caller's JWT itself, never trusting the edge alone.

Development signs HS256 tokens with a local key (`crm token` prints one); production verifies tokens
from the identity provider against its JWKS URL, or HS256 with a key of its own. Outside development,
tokens signed with the development key are refused, and none are issued.
"""

from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any

import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field

from crm_shared.errors import CrmError, Forbidden
from crm_shared.settings import DEV_JWT_SECRET, AuthSettings

ALLOWED_JWKS_ALGORITHMS = ["RS256", "ES256"]


class Role(StrEnum):
    ADMIN = "admin"
    SALES = "sales"
    CSM = "csm"
    SUPPORT = "support"


class Principal(BaseModel):
    user_id: str
    roles: frozenset[Role] = Field(default_factory=frozenset)
    team: str | None = None
    email: str | None = None

    def has_any(self, *roles: Role) -> bool:
        return bool(self.roles & set(roles))


SYSTEM = Principal(user_id="system", roles=frozenset({Role.ADMIN}))
"""Acts for transitions triggered by events; the causing user is recorded by the use case."""


class Unauthenticated(CrmError):
    def __init__(self, detail: str) -> None:
        super().__init__(detail, 401, "Unauthorized", "unauthenticated")


class DevelopmentOnly(RuntimeError):
    """A development convenience was asked for outside development."""


class TokenVerifier:
    def __init__(self, settings: AuthSettings) -> None:
        self._settings = settings
        self._jwks = jwt.PyJWKClient(settings.jwks_url) if settings.jwks_url else None

    def verify(self, token: str) -> Principal:
        try:
            claims = self._decode(token)
            return Principal(
                user_id=claims["sub"],
                roles=frozenset(Role(r) for r in claims.get("roles", [])),
                team=claims.get("team"),
                email=claims.get("email"),
            )
        except (jwt.PyJWTError, KeyError, ValueError) as exc:
            raise Unauthenticated(f"invalid token: {exc}") from exc

    def _decode(self, token: str) -> dict[str, Any]:
        key: Any = self._settings.secret.get_secret_value()
        algorithms = ["HS256"]
        if self._jwks is None and key == DEV_JWT_SECRET and not self._settings.accepts_development_key:
            raise Unauthenticated(
                f"tokens signed with the development key are refused in {self._settings.environment}"
            )
        if self._jwks is not None:
            key = self._jwks.get_signing_key_from_jwt(token).key
            algorithms = ALLOWED_JWKS_ALGORITHMS
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=algorithms,
            audience=self._settings.audience,
            issuer=self._settings.issuer,
            options={"require": ["sub", "exp", "iss", "aud"]},
        )
        return claims


def issue_dev_token(
    settings: AuthSettings,
    *,
    user_id: str,
    roles: list[Role],
    team: str | None = None,
    email: str | None = None,
    ttl: timedelta = timedelta(hours=12),
) -> str:
    """A token signed with the local key, for development only."""
    if settings.environment != "development":
        environment = settings.environment
        raise DevelopmentOnly(f"development tokens are not issued in {environment} (CRM_ENVIRONMENT)")
    now = datetime.now(UTC)
    claims = {
        "sub": user_id,
        "roles": [r.value for r in roles],
        "team": team,
        "email": email,
        "iss": settings.issuer,
        "aud": settings.audience,
        "iat": now,
        "exp": now + ttl,
    }
    return jwt.encode(claims, settings.secret.get_secret_value(), algorithm="HS256")


_bearer = HTTPBearer(auto_error=False)


def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None:
        raise Unauthenticated("missing bearer token")
    verifier: TokenVerifier = request.app.state.token_verifier
    return verifier.verify(credentials.credentials)


CurrentUser = Annotated[Principal, Depends(current_principal)]


def require_roles(*roles: Role) -> Any:
    """Dependency that admits only callers holding one of `roles` (admin always passes)."""

    def check(principal: CurrentUser) -> Principal:
        authorize(principal, *roles)
        return principal

    return Depends(check)


def authorize(actor: Principal, *roles: Role) -> None:
    """Service-layer permission check: the same rule whether the call came over HTTP or not."""
    if not actor.has_any(Role.ADMIN, *roles):
        raise Forbidden(f"requires one of the roles: {', '.join(sorted(roles))}")
