"""Outside development a service refuses to start with the development key or any placeholder secret,
naming the setting; development (the default, `make up` and this test suite) accepts them. The rules
live in `ServiceSettings`, so a service's settings get them without a line of their own."""

import pytest
from pydantic import BaseModel, SecretStr, ValidationError
from pydantic_settings import SettingsConfigDict

from crm_shared.secret_checks import is_placeholder
from crm_shared.settings import DEV_JWT_SECRET, ServiceSettings

STRONG = "a-real-signing-key-of-forty-two-characters"


class Mailbox(BaseModel):
    address: str
    password: SecretStr


class MailSettings(ServiceSettings):
    """A service as the project writes them, with optional, nested and listed secrets."""

    model_config = SettingsConfigDict(env_prefix="CRM_MAIL_", extra="ignore")

    database_url: str = "postgresql+asyncpg://crm@127.0.0.1/crm_mail"
    webhook_secret: SecretStr | None = None
    smtp_password: SecretStr | None = None
    mailboxes: list[Mailbox] = []


def refusal(settings_class: type, **values: object) -> str:
    with pytest.raises(ValidationError) as refused:
        settings_class(**values)
    return str(refused.value)


@pytest.mark.parametrize("environment", ["test", "production"])
def test_the_development_key_is_refused_outside_development(environment):
    message = refusal(MailSettings, environment=environment)
    assert "CRM_JWT_SECRET is the development signing key" in message
    assert f"CRM_ENVIRONMENT={environment}" in message


def test_development_accepts_the_development_key_and_placeholders():
    settings = MailSettings(webhook_secret="change-me")
    assert settings.environment == "development"
    assert settings.auth.secret.get_secret_value() == DEV_JWT_SECRET
    assert settings.auth.accepts_development_key


def test_a_key_of_ones_own_is_accepted_and_the_environment_reaches_the_verifier():
    settings = MailSettings(environment="production", auth={"secret": STRONG})
    assert settings.auth.environment == "production"
    assert not settings.auth.accepts_development_key


def test_a_short_signing_key_is_refused():
    assert "CRM_JWT_SECRET is shorter than 32 bytes" in refusal(
        MailSettings, environment="production", auth={"secret": "short-but-not-a-placeholder"}
    )


def test_with_a_jwks_url_the_unused_signing_key_is_not_checked():
    settings = MailSettings(environment="production", auth={"jwks_url": "https://idp.example/jwks"})
    assert settings.auth.jwks_url


@pytest.mark.parametrize(
    ("values", "setting"),
    [
        ({"webhook_secret": "change-me"}, "CRM_MAIL_WEBHOOK_SECRET"),
        ({"webhook_secret": ""}, "CRM_MAIL_WEBHOOK_SECRET"),
        ({"smtp_password": "password"}, "CRM_MAIL_SMTP_PASSWORD"),
        ({"mailboxes": [{"address": "a@x.example", "password": "secret"}]}, "CRM_MAIL_MAILBOXES[0].password"),
    ],
)
def test_placeholder_secrets_are_refused_by_setting_name(values, setting):
    message = refusal(MailSettings, environment="production", auth={"secret": STRONG}, **values)
    assert f"{setting} holds a placeholder value" in message


def test_unset_optional_secrets_and_real_ones_pass():
    settings = MailSettings(
        environment="production",
        auth={"secret": STRONG},
        webhook_secret="9f8e7d6c5b4a39281706f5e4d3c2b1a0",
        mailboxes=[{"address": "a@x.example", "password": "Qw7-imap-pass"}],
    )
    assert settings.webhook_secret is not None
    assert settings.smtp_password is None


def test_a_refusal_does_not_echo_the_secrets_it_was_given():
    message = refusal(
        MailSettings, environment="production", auth={"secret": "s3cret-but-short"}, webhook_secret="changeme"
    )
    assert "s3cret-but-short" not in message
    assert "changeme" not in message


def test_the_environment_variable_decides(monkeypatch):
    monkeypatch.setenv("CRM_ENVIRONMENT", "production")
    monkeypatch.setenv("CRM_MAIL_SMTP_PASSWORD", "changeme")
    assert "CRM_JWT_SECRET" in refusal(MailSettings)
    monkeypatch.setenv("CRM_JWT_SECRET", STRONG)
    assert "CRM_MAIL_SMTP_PASSWORD" in refusal(MailSettings)
    monkeypatch.setenv("CRM_MAIL_SMTP_PASSWORD", "a-mail-relay-password")
    assert MailSettings().auth.environment == "production"


@pytest.mark.parametrize(
    "value",
    ["", "  ", "change-me", "CHANGEME", "my-key-change_me", "secret", "password", "xxxxxx", DEV_JWT_SECRET],
)
def test_placeholders_are_recognised(value):
    assert is_placeholder(value, known=frozenset({DEV_JWT_SECRET}))


def test_real_values_are_not_placeholders():
    assert not is_placeholder(STRONG)
