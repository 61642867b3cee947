"""Every service's real settings hold to the secret rules of `ServiceSettings`: the development key and
placeholders pass in development only, and each service's own secrets are found and named."""

import pytest
from pydantic import ValidationError

from crm_cases.config import Settings as CasesSettings
from crm_deals.config import Settings as DealsSettings
from crm_leads.config import Settings as LeadsSettings
from crm_notifier.config import Settings as NotifierSettings
from crm_quotes.config import Settings as QuotesSettings
from crm_shared.secret_checks import secret_settings

ALL_SERVICES = [LeadsSettings, DealsSettings, QuotesSettings, CasesSettings, NotifierSettings]
STRONG = {"secret": "a-real-signing-key-of-forty-two-characters"}


@pytest.mark.parametrize("settings_class", ALL_SERVICES)
def test_every_service_runs_in_development_and_refuses_the_development_key_elsewhere(settings_class):
    assert settings_class().environment == "development"
    for environment in ("test", "production"):
        with pytest.raises(ValidationError, match="CRM_JWT_SECRET is the development signing key"):
            settings_class(environment=environment)
        assert settings_class(environment=environment, auth=STRONG).auth.environment == environment


def test_the_secrets_of_cases_and_the_notifier_are_found_and_checked():
    mailbox = {"address": "a@x.example", "host": "h", "username": "u", "password": "changeme"}
    cases = CasesSettings(webhook_secret="secret", imap_mailboxes=[mailbox])
    assert {name for name, _ in secret_settings(cases)} == {
        "CRM_JWT_SECRET",
        "CRM_CASES_WEBHOOK_SECRET",
        "CRM_CASES_IMAP_MAILBOXES[0].password",
    }
    with pytest.raises(ValidationError) as refused:
        CasesSettings(
            environment="production", auth=STRONG, webhook_secret="secret", imap_mailboxes=[mailbox]
        )
    assert "CRM_CASES_WEBHOOK_SECRET holds a placeholder" in str(refused.value)
    assert "CRM_CASES_IMAP_MAILBOXES[0].password holds a placeholder" in str(refused.value)
    with pytest.raises(ValidationError, match="CRM_NOTIFIER_SMTP_PASSWORD holds a placeholder"):
        NotifierSettings(environment="production", auth=STRONG, smtp_password="change-me")
