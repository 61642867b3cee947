"""Wiring of the cases service: settings, tables, unit of work, routes, consumers and the mail intake."""

from pathlib import Path

from crm_cases.adapters.tables import metadata
from crm_cases.config import Settings
from crm_cases.entrypoints import api, case_admin_api, intake_api, webhook_api
from crm_cases.entrypoints.consumers import HANDLERS
from crm_cases.entrypoints.imap_poller import imap_poller
from crm_cases.entrypoints.smtp import mail_receiver
from crm_cases.service_layer.integration_events import translate
from crm_cases.service_layer.unit_of_work import CasesUnitOfWork
from crm_shared.http.routes import Mount
from crm_shared.runtime import ServiceDefinition

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def definition(settings: Settings | None = None) -> ServiceDefinition[CasesUnitOfWork]:
    settings = settings or Settings()
    return ServiceDefinition(
        name="cases",
        description="Support cases and their messages; inbound mail over SMTP is threaded or opens a case.",
        settings=settings,
        metadata=metadata,
        uow_class=CasesUnitOfWork,
        translate=translate,
        routers=[
            Mount("/v1/cases", api.router),
            Mount("/v1", case_admin_api.router),
            Mount("/v1", intake_api.router),
            Mount("/v1/inbound", webhook_api.router),
        ],
        handlers=HANDLERS,
        ingesters=[mail_receiver(settings), imap_poller(settings)],
        migrations=MIGRATIONS,
    )
