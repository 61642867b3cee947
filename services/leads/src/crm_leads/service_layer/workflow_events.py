"""Published shapes of the workflow events (registered on the service's translator when imported)."""

from collections.abc import Iterable

from crm_leads.domain.assignment import LeadAssigned
from crm_leads.domain.intake import FormSubmitted
from crm_leads.service_layer.integration_events import translate
from crm_shared.events import IntegrationEvent, leads


@translate.register
def _(event: LeadAssigned) -> Iterable[IntegrationEvent]:
    yield leads.LeadAssigned(
        lead_id=event.lead_id,
        from_owner=event.from_owner,
        to_owner=event.to_owner,
        team=event.team,
        assigned_by=event.assigned_by,
        rule=event.rule,
    )


@translate.register
def _(event: FormSubmitted) -> Iterable[IntegrationEvent]:
    # A new lead is announced by LeadCreated; an open lead completed by a form is an update.
    if not event.created and event.filled:
        yield leads.LeadUpdated(lead_id=event.lead_id, changed=event.filled, updated_by=event.by)
