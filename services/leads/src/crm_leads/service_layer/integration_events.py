"""Which domain events other services hear about, and in which published shape."""

from collections.abc import Iterable
from dataclasses import asdict
from functools import singledispatch

from pydantic_core import to_jsonable_python

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
        deal=leads.ConvertedDeal(**asdict(deal)) if deal else None,
        converted_by=event.converted_by,
    )


@translate.register
def _(event: events.LeadUpdated) -> Iterable[IntegrationEvent]:
    changed = {name: tuple(to_jsonable_python(pair)) for name, pair in event.changed.items()}
    yield leads.LeadUpdated(lead_id=event.lead_id, changed=changed, updated_by=event.updated_by)


@translate.register
def _(event: events.LeadStatusChanged) -> Iterable[IntegrationEvent]:
    yield leads.LeadStatusChanged(
        lead_id=event.lead_id,
        from_status=event.from_status,
        to_status=event.to_status,
        changed_by=event.changed_by,
        lost_reason=event.lost_reason,
    )


# Translations of account and contact events register on the same dispatcher.
from crm_leads.service_layer import account_events  # noqa: E402

__all__ = ["account_events", "translate"]
