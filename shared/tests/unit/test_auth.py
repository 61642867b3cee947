from datetime import timedelta

import jwt
import pytest
from pydantic import SecretStr

from crm_shared.auth import (
    DevelopmentOnly,
    Principal,
    Role,
    TokenVerifier,
    Unauthenticated,
    authorize,
    issue_dev_token,
)
from crm_shared.cli.main import main
from crm_shared.errors import Forbidden
from crm_shared.settings import AuthSettings

SETTINGS = AuthSettings()


def test_dev_token_round_trip():
    token = issue_dev_token(SETTINGS, user_id="alice", roles=[Role.SALES], team="north")
    principal = TokenVerifier(SETTINGS).verify(token)
    assert principal == Principal(user_id="alice", roles=frozenset({Role.SALES}), team="north")


@pytest.mark.parametrize(
    "token",
    [
        issue_dev_token(SETTINGS, user_id="a", roles=[Role.SALES], ttl=timedelta(seconds=-5)),
        issue_dev_token(
            AuthSettings(secret=SecretStr("another-key-of-sufficient-length-123")), user_id="a", roles=[]
        ),
        jwt.encode({"sub": "a", "roles": ["sales"]}, SETTINGS.secret.get_secret_value(), algorithm="HS256"),
        "garbage",
    ],
    ids=["expired", "wrong-key", "no-exp-iss-aud", "garbage"],
)
def test_invalid_tokens_are_refused(token):
    with pytest.raises(Unauthenticated):
        TokenVerifier(SETTINGS).verify(token)


def test_unknown_role_in_token_is_refused():
    token = jwt.encode(
        {"sub": "a", "roles": ["superuser"], "exp": 9999999999, "iss": "crm-local", "aud": "crm"},
        SETTINGS.secret.get_secret_value(),
        algorithm="HS256",
    )
    with pytest.raises(Unauthenticated):
        TokenVerifier(SETTINGS).verify(token)


def test_authorize_admits_listed_roles_and_admin_only():
    authorize(Principal(user_id="s", roles=frozenset({Role.SALES})), Role.SALES)
    authorize(Principal(user_id="a", roles=frozenset({Role.ADMIN})), Role.SALES)
    with pytest.raises(Forbidden):
        authorize(Principal(user_id="c", roles=frozenset({Role.CSM})), Role.SALES)
    with pytest.raises(Forbidden):
        authorize(Principal(user_id="n"), Role.SALES)


PRODUCTION_KEY = "a-real-signing-key-of-forty-two-characters"


def test_outside_development_a_verifier_with_the_development_key_refuses_every_token():
    token = issue_dev_token(SETTINGS, user_id="alice", roles=[Role.ADMIN])
    for environment in ("test", "production"):
        verifier = TokenVerifier(AuthSettings(environment=environment))
        with pytest.raises(Unauthenticated, match="development key are refused"):
            verifier.verify(token)


def test_in_production_a_token_signed_with_the_development_key_is_refused():
    production = AuthSettings(environment="production", secret=SecretStr(PRODUCTION_KEY))
    with pytest.raises(Unauthenticated):
        TokenVerifier(production).verify(issue_dev_token(SETTINGS, user_id="alice", roles=[Role.ADMIN]))
    own = jwt.encode(
        {"sub": "alice", "roles": ["sales"], "exp": 9999999999, "iss": "crm-local", "aud": "crm"},
        PRODUCTION_KEY,
        algorithm="HS256",
    )
    assert TokenVerifier(production).verify(own).user_id == "alice"


def test_development_tokens_are_issued_in_development_only():
    with pytest.raises(DevelopmentOnly, match="not issued in production"):
        issue_dev_token(AuthSettings(environment="production"), user_id="alice", roles=[Role.SALES])


def test_crm_token_prints_a_token_in_development_only(monkeypatch, capsys):
    assert main(["token", "--user", "alice", "--roles", "sales"]) == 0
    printed = capsys.readouterr().out.strip()
    assert TokenVerifier(SETTINGS).verify(printed).user_id == "alice"

    monkeypatch.setenv("CRM_ENVIRONMENT", "production")
    assert main(["token", "--user", "alice", "--roles", "sales"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "not issued in production (CRM_ENVIRONMENT)" in err
