"""Wiring of the leads service: settings, tables, unit of work, routes and consumers."""

from pathlib import Path

from crm_leads.adapters.tables import metadata
from crm_leads.config import Settings
from crm_leads.entrypoints import admin_api, api
from crm_leads.entrypoints.accounts import api as accounts_api
from crm_leads.entrypoints.accounts import contacts_api
from crm_leads.entrypoints.consumers import HANDLERS
from crm_leads.entrypoints.duplicates import api as duplicates_api
from crm_leads.entrypoints.history import api as history_api
from crm_leads.entrypoints.transfer import api as transfer_api
from crm_leads.entrypoints.workflows import assignment_api, conversion_api, intake_api
from crm_leads.service_layer.integration_events import translate
from crm_leads.service_layer.unit_of_work import LeadsUnitOfWork
from crm_shared.http.routes import Mount
from crm_shared.runtime import ServiceDefinition

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"

ROUTES = [
    # Leads and what is done to them.
    Mount("/v1/leads", api.router),
    Mount("/v1/leads", conversion_api.router),
    Mount("/v1/leads", assignment_api.leads_router),
    Mount("/v1/leads", intake_api.leads_router),
    Mount("/v1/leads", duplicates_api.leads_router),
    Mount("/v1/lead-statuses", admin_api.statuses_router),
    Mount("/v1/reference-values", admin_api.references_router),
    Mount("/v1/assignment-rules", assignment_api.rules_router),
    Mount("/v1/forms", intake_api.forms_router),
    # Accounts and contacts.
    Mount("/v1/accounts", accounts_api.router),
    Mount("/v1/accounts", duplicates_api.accounts_router),
    Mount("/v1/contacts", contacts_api.router),
    Mount("/v1/contacts", duplicates_api.contacts_router),
    # Every record.
    Mount("/v1/history", history_api.router),
    Mount("/v1/imports", transfer_api.imports_router),
    Mount("/v1/exports", transfer_api.exports_router),
]
"""Every path the service answers, each router under its full prefix."""


def definition(settings: Settings | None = None) -> ServiceDefinition[LeadsUnitOfWork]:
    return ServiceDefinition(
        name="leads",
        description="Leads, accounts and contacts; lead conversion.",
        settings=settings or Settings(),
        metadata=metadata,
        uow_class=LeadsUnitOfWork,
        translate=translate,
        routers=ROUTES,
        handlers=HANDLERS,
        migrations=MIGRATIONS,
    )
