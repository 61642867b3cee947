"""Which domain events other services hear about, and in which published shape."""

from collections.abc import Iterable
from dataclasses import asdict
from functools import singledispatch

from crm_quotes.domain import events
from crm_shared.events import IntegrationEvent, quotes


@singledispatch
def translate(event: object) -> Iterable[IntegrationEvent]:
    return ()


@translate.register
def _(event: events.ContractCreated) -> Iterable[IntegrationEvent]:
    yield quotes.ContractCreated(**asdict(event))
