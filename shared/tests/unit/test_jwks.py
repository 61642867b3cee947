"""Production verification: RS256 tokens checked against the identity provider's JWKS document."""

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from crm_shared.auth import Role, TokenVerifier, Unauthenticated
from crm_shared.settings import AuthSettings

KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def jwks_url() -> Iterator[str]:
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(KEY.public_key())) | {"kid": "k1", "use": "sig"}
    body = json.dumps({"keys": [jwk]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/jwks.json"
    server.shutdown()


def token(key, **overrides) -> str:
    claims = {
        "sub": "alice",
        "roles": ["sales"],
        "iss": "https://idp.example",
        "aud": "crm",
        "exp": datetime.now(UTC) + timedelta(minutes=5),
    } | overrides
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": "k1"})


def verifier(url: str) -> TokenVerifier:
    return TokenVerifier(AuthSettings(jwks_url=url, issuer="https://idp.example", audience="crm"))


def test_token_signed_by_the_provider_is_accepted(jwks_url):
    principal = verifier(jwks_url).verify(token(KEY))
    assert principal.user_id == "alice"
    assert principal.roles == frozenset({Role.SALES})


@pytest.mark.parametrize(
    "bad",
    [
        lambda: token(OTHER_KEY),
        lambda: token(KEY, iss="https://evil.example"),
        lambda: token(KEY, aud="other"),
    ],
    ids=["foreign-key", "wrong-issuer", "wrong-audience"],
)
def test_tokens_not_from_the_provider_are_refused(jwks_url, bad):
    with pytest.raises(Unauthenticated):
        verifier(jwks_url).verify(bad())


def test_symmetric_tokens_are_refused_when_jwks_is_configured(jwks_url):
    forged = jwt.encode(
        {"sub": "a", "roles": ["admin"], "iss": "https://idp.example", "aud": "crm", "exp": 9999999999},
        "a-guessed-shared-secret-of-32-bytes!!",
        algorithm="HS256",
        headers={"kid": "k1"},
    )
    with pytest.raises(Unauthenticated):
        verifier(jwks_url).verify(forged)
