"""Wiring of the quotes service: settings, tables, unit of work, routes and consumers."""

from pathlib import Path

from crm_quotes.adapters.tables import metadata
from crm_quotes.config import Settings
from crm_quotes.entrypoints import api
from crm_quotes.entrypoints.consumers import HANDLERS
from crm_quotes.service_layer.integration_events import translate
from crm_quotes.service_layer.unit_of_work import QuotesUnitOfWork
from crm_shared.http.routes import Mount
from crm_shared.runtime import ServiceDefinition

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def definition(settings: Settings | None = None) -> ServiceDefinition[QuotesUnitOfWork]:
    return ServiceDefinition(
        name="quotes",
        description="Billing of won deals: contracts with their term and budget.",
        settings=settings or Settings(),
        metadata=metadata,
        uow_class=QuotesUnitOfWork,
        translate=translate,
        routers=[Mount("/v1/contracts", api.router)],
        handlers=HANDLERS,
        migrations=MIGRATIONS,
    )
