"""Which domain events other services hear about, and in which published shape."""

from collections.abc import Iterable
from dataclasses import asdict
from functools import singledispatch

from crm_deals.domain import events
from crm_shared.events import IntegrationEvent, deals


@singledispatch
def translate(event: object) -> Iterable[IntegrationEvent]:
    return ()


@translate.register
def _(event: events.DealCreated) -> Iterable[IntegrationEvent]:
    yield deals.DealCreated(**asdict(event))


@translate.register
def _(event: events.DealWon) -> Iterable[IntegrationEvent]:
    yield deals.DealWon(**asdict(event))


@translate.register
def _(event: events.DealLost) -> Iterable[IntegrationEvent]:
    yield deals.DealLost(**asdict(event))
