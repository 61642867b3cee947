"""Wiring of the deals service: settings, tables, unit of work, routes and consumers."""

from pathlib import Path

from crm_deals.adapters.tables import metadata
from crm_deals.config import Settings
from crm_deals.entrypoints import close_requests_api, pipelines_api, reports_api, users_api, views_api
from crm_deals.entrypoints.api import router
from crm_deals.entrypoints.consumers import HANDLERS
from crm_deals.service_layer.integration_events import translate
from crm_deals.service_layer.unit_of_work import DealsUnitOfWork
from crm_shared.runtime import ServiceDefinition

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def definition(settings: Settings | None = None) -> ServiceDefinition[DealsUnitOfWork]:
    return ServiceDefinition(
        name="deals",
        description="Pipelines, stages and deals; won and lost. Amounts are net of VAT and media purchases.",
        settings=settings or Settings(),
        metadata=metadata,
        uow_class=DealsUnitOfWork,
        translate=translate,
        routers=[
            router,
            views_api.router,
            pipelines_api.router,
            close_requests_api.router,
            reports_api.router,
            users_api.router,
        ],
        handlers=HANDLERS,
        migrations=MIGRATIONS,
    )
