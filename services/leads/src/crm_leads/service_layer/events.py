"""Published shapes of lead events (the table is in `integration_events`)."""

from collections.abc import Iterator, Mapping
from dataclasses import asdict
from typing import Any
from uuid import UUID

from pydantic_core import to_jsonable_python

from crm_leads.domain import events
from crm_shared.events import IntegrationEvent, leads


def lead_created(event: events.LeadCreated) -> IntegrationEvent:
    return leads.LeadCreated(
        lead_id=event.lead_id,
        first_name=event.first_name,
        last_name=event.last_name,
        company_name=event.company_name,
        email=event.email,
        owner_id=event.owner_id,
        source=event.source,
    )


def lead_converted(event: events.LeadConverted) -> IntegrationEvent:
    deal = event.deal
    return leads.LeadConverted(
        lead_id=event.lead_id,
        account_id=event.account_id,
        contact_id=event.contact_id,
        deal=leads.ConvertedDeal(**asdict(deal)) if deal else None,
        converted_by=event.converted_by,
    )


def lead_updated(event: events.LeadUpdated) -> Iterator[IntegrationEvent]:
    return updates_of(event.lead_id, event.changed, by=event.updated_by)


def updates_of(
    lead_id: UUID, changed: Mapping[str, tuple[Any, Any]], *, by: str
) -> Iterator[IntegrationEvent]:
    """A lead's field changes, as v1 (untyped pairs) for its remaining subscribers and as v2 (typed)."""
    pairs = {name: tuple(to_jsonable_python(pair)) for name, pair in changed.items()}
    yield leads.LeadUpdated(lead_id=lead_id, changed=pairs, updated_by=by)
    yield leads.LeadUpdatedV2(lead_id=lead_id, changes=leads.LeadChanges.of(changed), updated_by=by)


def lead_status_changed(event: events.LeadStatusChanged) -> IntegrationEvent:
    return leads.LeadStatusChanged(
        lead_id=event.lead_id,
        from_status=event.from_status,
        to_status=event.to_status,
        changed_by=event.changed_by,
        lost_reason=event.lost_reason,
    )
