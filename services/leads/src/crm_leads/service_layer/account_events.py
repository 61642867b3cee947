"""Published shapes of account and contact events (registered on the service's translator)."""

from collections.abc import Iterable

from crm_leads.domain import account_events as events
from crm_leads.service_layer.integration_events import translate
from crm_shared.events import IntegrationEvent, accounts


@translate.register
def _(event: events.AccountOpened) -> Iterable[IntegrationEvent]:
    yield accounts.AccountCreated(
        account_id=event.account_id, name=event.name, email_domain=event.email_domain, owner_id=event.owner_id
    )


@translate.register
def _(event: events.ContactAdded) -> Iterable[IntegrationEvent]:
    yield accounts.ContactCreated(
        contact_id=event.contact_id,
        account_id=event.account_id,
        first_name=event.first_name,
        last_name=event.last_name,
        email=event.email,
        language=event.language,
    )
