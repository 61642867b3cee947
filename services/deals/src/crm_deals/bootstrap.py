"""Wiring of the deals service: settings, tables, unit of work, routes and consumers."""

from pathlib import Path

from crm_deals.adapters.tables import metadata
from crm_deals.config import Settings
from crm_deals.entrypoints import api, close_requests_api, pipelines_api, reports_api, users_api, views_api
from crm_deals.entrypoints.consumers import HANDLERS
from crm_deals.service_layer.integration_events import translate
from crm_deals.service_layer.unit_of_work import DealsUnitOfWork
from crm_shared.http.routes import Mount
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
            Mount("/v1/deals", api.router),
            Mount("/v1", views_api.router),  # /deals lists and exports, /pipelines/{id}/board
            Mount("/v1/pipelines", pipelines_api.router),
            Mount("/v1", close_requests_api.router),  # /deals/{id}/close-requests, /close-requests
            Mount("/v1", reports_api.router),  # /deals/{id}/history, /forecast, /reports
            Mount("/v1/users", users_api.router),
        ],
        handlers=HANDLERS,
        migrations=MIGRATIONS,
    )
