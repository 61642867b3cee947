"""Integration events the cases service consumes, and the use case each one runs: the leads service's
contacts and accounts, kept as a read model to recognise senders (mail itself arrives through the
intake listeners, see `smtp`)."""

from collections.abc import Mapping

from crm_cases.service_layer import directory
from crm_shared.events import IntegrationEvent
from crm_shared.events.accounts import (
    AccountCreated,
    AccountsMerged,
    AccountUpdatedV2,
    ContactCreated,
    ContactsMerged,
    ContactUpdatedV2,
)
from crm_shared.messaging.consumer import Handler

HANDLERS: Mapping[type[IntegrationEvent], Handler] = {
    ContactCreated: directory.contact_created,
    ContactUpdatedV2: directory.contact_updated,
    ContactsMerged: directory.contacts_merged,
    AccountCreated: directory.account_created,
    AccountUpdatedV2: directory.account_updated,
    AccountsMerged: directory.accounts_merged,
}
