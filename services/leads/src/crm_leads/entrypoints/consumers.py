"""Integration events the leads service consumes, and the use case each one runs."""

from collections.abc import Mapping

from crm_leads.service_layer.accounts import lifecycle
from crm_shared.events import IntegrationEvent
from crm_shared.events.deals import DealCreated, DealLost, DealReopened, DealWon
from crm_shared.messaging.consumer import Handler

# Deal events drive the lifecycle status of contacts and accounts.
HANDLERS: Mapping[type[IntegrationEvent], Handler] = {
    DealCreated: lifecycle.on_deal_created,
    DealWon: lifecycle.on_deal_won,
    DealLost: lifecycle.on_deal_lost,
    DealReopened: lifecycle.on_deal_reopened,
}
