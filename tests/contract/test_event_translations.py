"""Every domain event a service defines is published or declared internal in its one translation table,
and the service runs with that table: no event silently stays inside the service.

Domain events are found, not listed: every subclass of `DomainEvent` defined in the service's `domain`
package (aggregates record nothing else, mypy sees to that).
"""

import importlib
import pkgutil

import pytest

from crm_shared.domain import DomainEvent
from crm_shared.events import Translations
from crm_shared.infra.stack import SERVICES


def subclasses(cls: type) -> set[type]:
    direct = set(cls.__subclasses__())
    return direct.union(*(subclasses(c) for c in direct))


def domain_events(service: str) -> set[type[DomainEvent]]:
    package = importlib.import_module(f"crm_{service}.domain")
    for module in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
        importlib.import_module(module.name)
    return {c for c in subclasses(DomainEvent) if c.__module__.startswith(f"{package.__name__}.")}


def table(service: str) -> Translations:
    found = importlib.import_module(f"crm_{service}.service_layer.integration_events").TRANSLATIONS
    assert isinstance(found, Translations)
    return found


def test_discovery_finds_events_wherever_the_domain_defines_them():
    names = {c.__name__ for c in domain_events("leads")}
    assert {"LeadCreated", "AccountOpened", "LeadAssigned", "FormSubmitted", "LeadsMerged"} <= names
    assert "DealRequest" not in names  # a value carried by an event is no event


@pytest.mark.parametrize("service", SERVICES)
def test_every_domain_event_is_published_or_internal(service: str):
    defined = domain_events(service)
    assert defined, f"crm_{service}.domain defines no domain event"
    declared = table(service)
    assert declared.unaccounted(defined) == []
    assert (declared.published | declared.internal_events) <= defined  # nothing from elsewhere


@pytest.mark.parametrize("service", SERVICES)
def test_the_service_runs_with_its_table(service: str):
    bootstrap = importlib.import_module(f"crm_{service}.bootstrap")
    assert bootstrap.definition().translate == table(service).translate
