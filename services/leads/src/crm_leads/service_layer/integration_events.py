"""Which domain events other services hear about, and in which published shape."""

from collections.abc import Iterable
from functools import singledispatch

from crm_leads.domain import events
from crm_shared.events import IntegrationEvent, leads


@singledispatch
def translate(event: object) -> Iterable[IntegrationEvent]:
    return ()


@translate.register
def _(event: events.LeadCreated) -> Iterable[IntegrationEvent]:
    yield leads.LeadCreated(
        lead_id=event.lead_id,
        first_name=event.first_name,
        last_name=event.last_name,
        company_name=event.company_name,
        email=event.email,
        owner_id=event.owner_id,
        source=event.source,
    )


@translate.register
def _(event: events.LeadConverted) -> Iterable[IntegrationEvent]:
    deal = event.deal
    yield leads.LeadConverted(
        lead_id=event.lead_id,
        account_id=event.account_id,
        contact_id=event.contact_id,
        deal=leads.ConvertedDeal(
            title=deal.title, amount_minor=deal.amount_minor, currency=deal.currency, owner_id=deal.owner_id
        )
        if deal
        else None,
        converted_by=event.converted_by,
    )


# Translations of account and contact events register on the same dispatcher.
from crm_leads.service_layer import account_events  # noqa: E402

__all__ = ["account_events", "translate"]
