"""Integration events the deals service consumes, and the use case each one runs.

Subscribing to an event's class here is what subscribes the service to its topic (crm.leads.events,
crm.quotes.events).
"""

from collections.abc import Mapping
from typing import Any

from crm_deals.service_layer import automation, directory_events, use_cases
from crm_deals.service_layer.unit_of_work import DealsUnitOfWork
from crm_shared.events import Envelope, IntegrationEvent
from crm_shared.events.accounts import (
    AccountCreated,
    AccountsMerged,
    AccountUpdatedV2,
    ContactsMerged,
    LifecycleStatusChanged,
)
from crm_shared.events.leads import LeadConverted
from crm_shared.events.quotes import ContractRenewalDue, OrderConfirmed, QuoteAccepted, QuoteSent
from crm_shared.messaging.consumer import Handler


def in_turn(*handlers: Handler) -> Handler:
    """Several handlers of one event, in its one unit of work: all applied, or none."""

    async def handle(event: Any, *, uow: DealsUnitOfWork, envelope: Envelope) -> None:
        for handler in handlers:
            await handler(event, uow=uow, envelope=envelope)

    return handle


HANDLERS: Mapping[type[IntegrationEvent], Handler] = {
    LeadConverted: use_cases.open_deal_for_converted_lead,
    QuoteSent: automation.move_to_proposal_on_quote_sent,
    QuoteAccepted: automation.win_on_quote_accepted,
    OrderConfirmed: automation.win_on_order_confirmed,
    ContractRenewalDue: automation.open_renewal_deal,
    AccountCreated: directory_events.account_created,
    AccountUpdatedV2: directory_events.account_updated,
    LifecycleStatusChanged: directory_events.lifecycle_status_changed,
    AccountsMerged: in_turn(directory_events.accounts_merged, automation.repoint_merged_accounts),
    ContactsMerged: automation.repoint_merged_contacts,
}
