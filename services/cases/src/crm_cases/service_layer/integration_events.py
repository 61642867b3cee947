"""Which domain events other services hear about, and in which published shape."""

from collections.abc import Iterable
from functools import singledispatch
from typing import Literal, cast

from crm_cases.domain import events
from crm_shared.events import IntegrationEvent, cases

ChannelName = Literal["email", "web", "api"]
DirectionName = Literal["inbound", "outbound", "internal"]


@singledispatch
def translate(event: object) -> Iterable[IntegrationEvent]:
    return ()


@translate.register
def _(event: events.CaseOpened) -> Iterable[IntegrationEvent]:
    yield cases.CaseOpened(
        case_id=event.case_id,
        number=event.number,
        subject=event.subject,
        channel=cast(ChannelName, event.channel),
        requester_email=event.requester_email,
        requester_name=event.requester_name,
        language="fr" if event.language == "fr" else "en",
        message_id=event.message_id,
    )


@translate.register
def _(event: events.CaseMessageAdded) -> Iterable[IntegrationEvent]:
    yield cases.CaseMessageAdded(
        case_id=event.case_id,
        number=event.number,
        case_message_id=event.case_message_id,
        direction=cast(DirectionName, event.direction),
        author=event.author,
        message_id=event.message_id,
        reopened=event.reopened,
    )
