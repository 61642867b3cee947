"""All five services as separate OS processes, with a mail sink, on the session's Kafka and PostgreSQL.

Package-scoped: the processes join the services' real consumer groups, so they must be gone before
other suites run those services in-process.
"""

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from crm_shared.infra import KafkaServer, PostgresServer
from crm_shared.infra.mail_sink import MailSink
from crm_shared.infra.process import free_port
from crm_shared.infra.stack import SERVICES, LocalStack, StackConfig


@pytest.fixture(scope="package")
def mail_sink() -> Iterator[MailSink]:
    sink = MailSink(port=free_port())
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture(scope="package")
def cases_smtp_port() -> int:
    return free_port()


@pytest.fixture(scope="package")
def stack(
    kafka_server: KafkaServer,
    postgres_server: PostgresServer,
    mail_sink: MailSink,
    cases_smtp_port: int,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[LocalStack]:
    log_dir: Path = tmp_path_factory.mktemp("e2e-logs")
    local = LocalStack(
        StackConfig(
            kafka_bootstrap=kafka_server.bootstrap_servers,
            postgres_admin_url=postgres_server.admin_url,
            log_dir=log_dir,
            ports={name: free_port() for name in SERVICES},
            database_prefix=f"e2e_{uuid.uuid4().hex[:6]}_",
            extra_env={
                "CRM_NOTIFIER_SMTP_PORT": str(mail_sink.port),
                "CRM_NOTIFIER_SCHEDULER_INTERVAL_S": "0.5",
                "CRM_CASES_SMTP_PORT": str(cases_smtp_port),
                "CRM_LOG_FORMAT": "json",
                **{f"CRM_{name.upper()}_RELAY_POLL_INTERVAL_S": "0.5" for name in SERVICES},
            },
        )
    )
    local.prepare()
    try:
        local.start()
        yield local
    finally:
        local.stop()
        for name in SERVICES:
            print(f"--- {name} log: {log_dir / (name + '.log')}")
