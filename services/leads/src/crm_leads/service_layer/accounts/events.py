"""Published shapes of account and contact events (the table is in `integration_events`)."""

from collections.abc import Iterator
from typing import Literal
from uuid import UUID

from crm_leads.domain.accounts import events
from crm_leads.domain.accounts.lifecycle import Lifecycle
from crm_shared.events import IntegrationEvent, accounts


def account_opened(event: events.AccountOpened) -> IntegrationEvent:
    return accounts.AccountCreated(
        account_id=event.account_id,
        name=event.name,
        email_domain=event.email_domain,
        owner_id=event.owner_id,
        csm_id=event.csm_id,
        type=event.type,
        reference_number=event.reference_number,
        website=event.website,
        team=event.team,
        language=event.language,
        key_account=event.key_account,
        tags=list(event.tags),
        addresses=[accounts.AccountAddress.model_validate(a) for a in event.addresses],
        created_by=event.by,
    )


def account_changed(event: events.AccountChanged) -> Iterator[IntegrationEvent]:
    """v1 (untyped pairs) for its remaining subscribers, and v2 (typed)."""
    yield accounts.AccountUpdated(account_id=event.account_id, changed=event.changed, updated_by=event.by)
    yield accounts.AccountUpdatedV2(
        account_id=event.account_id, changes=accounts.AccountChanges.of(event.changed), updated_by=event.by
    )


def contact_added(event: events.ContactAdded) -> IntegrationEvent:
    return accounts.ContactCreated(
        contact_id=event.contact_id,
        account_id=event.account_id,
        first_name=event.first_name,
        last_name=event.last_name,
        email=event.email,
        language=event.language,
        emails=list(event.emails),
        phones=list(event.phones),
        job_title=event.job_title,
        do_not_email=event.do_not_email,
        do_not_call=event.do_not_call,
        accounts=[accounts.AccountLink.model_validate(link) for link in event.accounts],
        created_by=event.by,
    )


def contact_changed(event: events.ContactChanged) -> Iterator[IntegrationEvent]:
    """v1 (untyped pairs) for its remaining subscribers, and v2 (typed)."""
    yield accounts.ContactUpdated(contact_id=event.contact_id, changed=event.changed, updated_by=event.by)
    yield accounts.ContactUpdatedV2(
        contact_id=event.contact_id, changes=accounts.ContactChanges.of(event.changed), updated_by=event.by
    )


def contact_lifecycle_changed(event: events.ContactLifecycleChanged) -> IntegrationEvent:
    return _lifecycle_changed("contact", event.contact_id, event)


def account_lifecycle_changed(event: events.AccountLifecycleChanged) -> IntegrationEvent:
    return _lifecycle_changed("account", event.account_id, event)


def _lifecycle_changed(
    record_type: Literal["contact", "account"],
    record_id: UUID,
    event: events.ContactLifecycleChanged | events.AccountLifecycleChanged,
) -> accounts.LifecycleStatusChanged:
    return accounts.LifecycleStatusChanged(
        record_type=record_type,
        record_id=record_id,
        before=_published(event.before),
        after=_published(event.after),
        changed_by=event.by,
        deal_id=event.deal_id,
        changed_at=event.changed_at,
    )


def _published(state: Lifecycle) -> accounts.Lifecycle:
    return accounts.Lifecycle(prospect=state.prospect.value, customer=state.customer.value)
