"""Published shapes of merges (registered on the service's translator when imported)."""

from collections.abc import Iterable

from crm_leads.domain.merge import AccountsMerged, ContactsMerged, LeadsMerged
from crm_leads.service_layer.integration_events import translate
from crm_shared.events import IntegrationEvent, accounts, leads


@translate.register
def _(event: LeadsMerged) -> Iterable[IntegrationEvent]:
    yield leads.LeadsMerged(
        survivor_id=event.survivor_id, merged_ids=list(event.merged_ids), merged_by=event.merged_by
    )


@translate.register
def _(event: ContactsMerged) -> Iterable[IntegrationEvent]:
    yield accounts.ContactsMerged(
        survivor_id=event.survivor_id, merged_ids=list(event.merged_ids), merged_by=event.merged_by
    )


@translate.register
def _(event: AccountsMerged) -> Iterable[IntegrationEvent]:
    yield accounts.AccountsMerged(
        survivor_id=event.survivor_id, merged_ids=list(event.merged_ids), merged_by=event.merged_by
    )
