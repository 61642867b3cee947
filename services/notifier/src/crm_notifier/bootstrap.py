"""Wiring of the notifier service: settings, tables, unit of work, routes, consumers and loops."""

from pathlib import Path

from crm_notifier.adapters.mailer import SmtpMailer
from crm_notifier.adapters.tables import metadata
from crm_notifier.config import Settings
from crm_notifier.domain.model import RetryPolicy
from crm_notifier.entrypoints import api, workers
from crm_notifier.entrypoints.consumers import handlers
from crm_notifier.service_layer.integration_events import translate
from crm_notifier.service_layer.notifications import MailDefaults
from crm_notifier.service_layer.unit_of_work import NotifierUnitOfWork
from crm_shared.http.routes import Mount
from crm_shared.runtime import ServiceDefinition

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def mail_defaults(settings: Settings) -> MailDefaults:
    return MailDefaults(
        from_address=settings.from_address,
        support_address=settings.support_address,
        default_language=settings.default_language,
    )


def mailer(settings: Settings) -> SmtpMailer:
    return SmtpMailer(
        host=settings.smtp_host,
        port=settings.smtp_port,
        username=settings.smtp_username,
        password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
        starttls=settings.smtp_starttls,
        timeout_s=settings.smtp_timeout_s,
    )


def retry_policy(settings: Settings) -> RetryPolicy:
    return RetryPolicy(
        max_attempts=settings.send_max_attempts,
        base_delay_s=settings.send_retry_base_s,
        max_delay_s=settings.send_retry_max_s,
    )


def definition(settings: Settings | None = None) -> ServiceDefinition[NotifierUnitOfWork]:
    settings = settings or Settings()
    defaults, interval_s = mail_defaults(settings), settings.scheduler_interval_s
    return ServiceDefinition(
        name="notifier",
        description="Emails for deals won, close requests and their decisions, support cases "
        "(acknowledgements, agents' replies, resolutions; never to bouncing addresses) and contract "
        "renewal reminders.",
        settings=settings,
        metadata=metadata,
        uow_class=NotifierUnitOfWork,
        translate=translate,
        routers=[Mount("/v1", api.router)],
        handlers=handlers(defaults),
        background=[
            workers.notification_sender(mailer(settings), retry_policy(settings), interval_s),
            workers.reminder_scheduler(defaults, interval_s),
        ],
        migrations=MIGRATIONS,
    )
