from datetime import timedelta

import jwt
import pytest
from pydantic import SecretStr

from crm_shared.auth import Principal, Role, TokenVerifier, Unauthenticated, authorize, issue_dev_token
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
