"""Wiring of the leads service: settings, tables, unit of work, routes and consumers."""

from pathlib import Path

from crm_leads.adapters.tables import metadata
from crm_leads.config import Settings
from crm_leads.entrypoints import api
from crm_leads.entrypoints.accounts import api as accounts_api
from crm_leads.entrypoints.consumers import HANDLERS
from crm_leads.entrypoints.duplicates import api as duplicates_api
from crm_leads.entrypoints.transfer import api as transfer_api
from crm_leads.entrypoints.workflows import assignment_api, conversion_api, intake_api
from crm_leads.service_layer.integration_events import translate
from crm_leads.service_layer.unit_of_work import LeadsUnitOfWork
from crm_shared.runtime import ServiceDefinition

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def definition(settings: Settings | None = None) -> ServiceDefinition[LeadsUnitOfWork]:
    return ServiceDefinition(
        name="leads",
        description="Leads, accounts and contacts; lead conversion.",
        settings=settings or Settings(),
        metadata=metadata,
        uow_class=LeadsUnitOfWork,
        translate=translate,
        routers=[
            api.router,
            conversion_api.router,
            assignment_api.router,
            intake_api.router,
            accounts_api.router,
            duplicates_api.router,
            transfer_api.router,
        ],
        handlers=HANDLERS,
        migrations=MIGRATIONS,
    )
