"""Which domain events other services hear about, and in which published shape.

Domain events already carry only what may leave the service: internal messages have no body, no
recipients and no thread (see `CaseWork.message_added`)."""

from collections.abc import Iterable
from functools import singledispatch
from typing import Any

from crm_cases.domain import events
from crm_shared.events import IntegrationEvent, cases

PUBLISHED: dict[type[Any], type[IntegrationEvent]] = {
    events.CaseOpened: cases.CaseOpened,
    events.CaseMessageAdded: cases.CaseMessageAdded,
    events.CaseStatusChanged: cases.CaseStatusChanged,
    events.CaseAssigned: cases.CaseAssigned,
    events.CaseUpdated: cases.CaseUpdated,
    events.CaseMerged: cases.CaseMerged,
    events.CasesLinked: cases.CasesLinked,
}


def _language(value: object) -> str:
    """The notifier writes French or English: any other language gets English."""
    return "fr" if value == "fr" else "en"


@singledispatch
def translate(event: object) -> Iterable[IntegrationEvent]:
    published = PUBLISHED.get(type(event))
    if published is None:
        return ()
    values = dict(vars(event))
    if "language" in values:
        values["language"] = _language(values["language"])
    return (published.model_validate(values),)
