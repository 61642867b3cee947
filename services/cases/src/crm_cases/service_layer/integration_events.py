"""Which domain events other services hear about, and in which published shapes: the service's whole
table, in one place.

Domain events already carry only what may leave the service: internal messages have no body, no
recipients and no thread (see `CaseWork.message_added`), so they translate field for field."""

from collections.abc import Iterator
from typing import Any

from crm_cases.domain import events
from crm_shared.events import IntegrationEvent, Translations, cases, field_for_field


def _notifier_language(values: dict[str, Any]) -> dict[str, Any]:
    """The notifier writes French or English: any other language gets English."""
    return values | {"language": "fr" if values["language"] == "fr" else "en"}


_case_updated_v1 = field_for_field(cases.CaseUpdated)


def case_updated(event: events.CaseUpdated) -> Iterator[IntegrationEvent]:
    """v1 (untyped pairs) for its remaining subscribers, and v2 (typed)."""
    yield _case_updated_v1(event)
    yield cases.CaseUpdatedV2(
        case_id=event.case_id,
        number=event.number,
        changes=cases.CaseChanges.of(event.changed),
        updated_by=event.updated_by,
        updated_at=event.updated_at,
    )


TRANSLATIONS = (
    Translations("cases")
    .publish(events.CaseOpened, field_for_field(cases.CaseOpened, adjust=_notifier_language))
    .publish(events.CaseMessageAdded, field_for_field(cases.CaseMessageAdded, adjust=_notifier_language))
    .publish(events.CaseStatusChanged, field_for_field(cases.CaseStatusChanged, adjust=_notifier_language))
    .publish(events.CaseAssigned, field_for_field(cases.CaseAssigned))
    .publish(events.CaseUpdated, case_updated)
    .publish(events.CaseMerged, field_for_field(cases.CaseMerged))
    .publish(events.CasesLinked, field_for_field(cases.CasesLinked))
)
translate = TRANSLATIONS.translate
