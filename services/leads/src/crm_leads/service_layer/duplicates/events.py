"""Published shapes of merges (the table is in `integration_events`)."""

from crm_leads.domain.duplicates.merge import AccountsMerged, ContactsMerged, LeadsMerged
from crm_shared.events import IntegrationEvent, accounts, leads


def leads_merged(event: LeadsMerged) -> IntegrationEvent:
    return leads.LeadsMerged(
        survivor_id=event.survivor_id, merged_ids=list(event.merged_ids), merged_by=event.merged_by
    )


def contacts_merged(event: ContactsMerged) -> IntegrationEvent:
    return accounts.ContactsMerged(
        survivor_id=event.survivor_id, merged_ids=list(event.merged_ids), merged_by=event.merged_by
    )


def accounts_merged(event: AccountsMerged) -> IntegrationEvent:
    return accounts.AccountsMerged(
        survivor_id=event.survivor_id, merged_ids=list(event.merged_ids), merged_by=event.merged_by
    )
