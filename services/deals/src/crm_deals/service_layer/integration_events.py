"""Which domain events other services hear about, and in which published shapes: the service's whole
table, in one place. Deal events carry what subscribers need, so most translate field for field."""

from collections.abc import Iterator

from crm_deals.domain import events
from crm_shared.events import IntegrationEvent, Translations, deals, field_for_field

_deal_updated_v1 = field_for_field(deals.DealUpdated)


def deal_updated(event: events.DealUpdated) -> Iterator[IntegrationEvent]:
    """v1 (untyped pairs) for its remaining subscribers, and v2 (typed)."""
    yield _deal_updated_v1(event)
    yield deals.DealUpdatedV2(
        deal_id=event.deal_id,
        title=event.title,
        owner_id=event.owner_id,
        account_id=event.account_id,
        pipeline_id=event.pipeline_id,
        stage_id=event.stage_id,
        changes=deals.DealChanges.of(event.changed),
        updated_at=event.updated_at,
        updated_by=event.updated_by,
    )


TRANSLATIONS = (
    Translations("deals")
    .publish(events.DealCreated, field_for_field(deals.DealCreated))
    .publish(events.DealStageChanged, field_for_field(deals.DealStageChanged))
    .publish(events.DealUpdated, deal_updated)
    .publish(events.DealWon, field_for_field(deals.DealWon))
    .publish(events.DealLost, field_for_field(deals.DealLost))
    .publish(events.DealReopened, field_for_field(deals.DealReopened))
    .publish(events.DealCloseRequested, field_for_field(deals.DealCloseRequested))
    .publish(events.DealCloseRequestDecided, field_for_field(deals.DealCloseRequestDecided))
    .publish(events.DealReviewSuggested, field_for_field(deals.DealReviewSuggested))
)
translate = TRANSLATIONS.translate
