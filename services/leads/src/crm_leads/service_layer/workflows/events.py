"""Published shapes of the workflow events: assignments and web forms (the table is in
`integration_events`)."""

from collections.abc import Iterator

from crm_leads.domain.workflows.assignment import LeadAssigned
from crm_leads.domain.workflows.intake import FormSubmitted
from crm_leads.service_layer.events import updates_of
from crm_shared.events import IntegrationEvent, leads


def lead_assigned(event: LeadAssigned) -> IntegrationEvent:
    return leads.LeadAssigned(
        lead_id=event.lead_id,
        from_owner=event.from_owner,
        to_owner=event.to_owner,
        team=event.team,
        assigned_by=event.assigned_by,
        rule=event.rule,
    )


def form_submitted(event: FormSubmitted) -> Iterator[IntegrationEvent]:
    # A new lead is announced by LeadCreated; an open lead completed by a form is an update.
    if not event.created and event.filled:
        yield from updates_of(event.lead_id, event.filled, by=event.by)
