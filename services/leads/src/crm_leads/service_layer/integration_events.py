"""Which domain events other services hear about, and in which published shapes: the service's whole
table, in one place. The shapes are built per feature (the lead's in `events`, the others in
`accounts.events`, `workflows.events`, `duplicates.events`); a domain event missing here raises when
translated."""

from crm_leads.domain import events
from crm_leads.domain.accounts import events as account_events
from crm_leads.domain.duplicates.merge import AccountsMerged, ContactsMerged, LeadsMerged
from crm_leads.domain.workflows.assignment import LeadAssigned
from crm_leads.domain.workflows.intake import FormSubmitted
from crm_leads.service_layer import events as leads
from crm_leads.service_layer.accounts import events as accounts
from crm_leads.service_layer.duplicates import events as merges
from crm_leads.service_layer.workflows import events as workflow
from crm_shared.events import Translations

TRANSLATIONS = (
    Translations("leads")
    .publish(events.LeadCreated, leads.lead_created)
    .publish(events.LeadConverted, leads.lead_converted)
    .publish(events.LeadUpdated, leads.lead_updated)
    .publish(events.LeadStatusChanged, leads.lead_status_changed)
    .publish(LeadAssigned, workflow.lead_assigned)
    .publish(FormSubmitted, workflow.form_submitted)
    .publish(account_events.AccountOpened, accounts.account_opened)
    .publish(account_events.AccountChanged, accounts.account_changed)
    .publish(account_events.ContactAdded, accounts.contact_added)
    .publish(account_events.ContactChanged, accounts.contact_changed)
    .publish(account_events.ContactLifecycleChanged, accounts.contact_lifecycle_changed)
    .publish(account_events.AccountLifecycleChanged, accounts.account_lifecycle_changed)
    .publish(LeadsMerged, merges.leads_merged)
    .publish(ContactsMerged, merges.contacts_merged)
    .publish(AccountsMerged, merges.accounts_merged)
)
translate = TRANSLATIONS.translate
