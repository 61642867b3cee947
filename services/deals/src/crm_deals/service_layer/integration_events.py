"""Which domain events other services hear about, and in which published shape (field for field)."""

from collections.abc import Iterable
from dataclasses import asdict, is_dataclass

from crm_deals.domain import events
from crm_shared.events import IntegrationEvent, deals

PUBLISHED: dict[type, type[IntegrationEvent]] = {
    events.DealCreated: deals.DealCreated,
    events.DealStageChanged: deals.DealStageChanged,
    events.DealUpdated: deals.DealUpdated,
    events.DealWon: deals.DealWon,
    events.DealLost: deals.DealLost,
    events.DealReopened: deals.DealReopened,
    events.DealCloseRequested: deals.DealCloseRequested,
    events.DealCloseRequestDecided: deals.DealCloseRequestDecided,
    events.DealReviewSuggested: deals.DealReviewSuggested,
}


def translate(event: object) -> Iterable[IntegrationEvent]:
    published = PUBLISHED.get(type(event))
    if published is None or not is_dataclass(event) or isinstance(event, type):
        return ()
    return (published(**asdict(event)),)
