"""`crm dev up`: the whole system on this machine, infrastructure included, until Ctrl-C.

Kafka and PostgreSQL come from the environment when given (KAFKA_BOOTSTRAP_SERVERS, CRM_POSTGRES_URL),
else from a Docker engine, else as local processes keeping their data under `--data-dir`, so a second
run finds everything as the first left it. Outgoing mail goes to a local sink that keeps .eml files,
unless CRM_NOTIFIER_SMTP_HOST names a real server.
"""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

from crm_shared.infra.demo import load_demo_data
from crm_shared.infra.kafka import ensure_kafka
from crm_shared.infra.mail_sink import MailSink
from crm_shared.infra.postgres import ensure_postgres
from crm_shared.infra.stack import SERVICES, LocalStack, StackConfig
from crm_shared.registry import SERVICES as REGISTRY

KAFKA_PORT = 9092
POSTGRES_PORT = 55432
MAIL_SINK_PORT = 2526


def up(*, data_dir: Path, demo: bool) -> int:
    data_dir = data_dir.resolve()
    print(f"crm: starting infrastructure (data in {data_dir})", flush=True)
    kafka = ensure_kafka(data_dir=data_dir / "kafka", port=KAFKA_PORT)
    postgres = ensure_postgres(data_dir=data_dir / "postgres", port=POSTGRES_PORT)
    sink = _mail_sink(data_dir)
    stack = LocalStack(
        StackConfig(
            kafka_bootstrap=kafka.bootstrap_servers,
            postgres_admin_url=postgres.admin_url,
            log_dir=data_dir / "logs",
            extra_env={"CRM_NOTIFIER_SMTP_PORT": str(MAIL_SINK_PORT)} if sink else {},
        )
    )
    try:
        print("crm: migrating databases and starting services", flush=True)
        stack.prepare()
        stack.start()
        if demo:
            load_demo_data(stack)
        _banner(stack, kafka.bootstrap_servers, postgres.admin_url, sink, data_dir)
        _wait_for_signal()
        print("\ncrm: stopping", flush=True)
    finally:
        stack.stop()
        if sink:
            sink.stop()
        kafka.stop()
        postgres.stop()
    return 0


def _mail_sink(data_dir: Path) -> MailSink | None:
    if os.environ.get("CRM_NOTIFIER_SMTP_HOST"):
        return None
    sink = MailSink(port=MAIL_SINK_PORT, directory=data_dir / "mail")
    sink.start()
    return sink


def _wait_for_signal() -> None:
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()


def _banner(stack: LocalStack, kafka: str, postgres: str, sink: MailSink | None, data_dir: Path) -> None:
    lines = ["", "CRM is up:"]
    lines += [f"  {name:<9} {stack.url(name)}  (API docs: {stack.url(name)}/docs)" for name in SERVICES]
    lines += [
        f"  {spec.name} {listener.name} intake  {listener.name}://127.0.0.1:{listener.port}"
        for spec in REGISTRY
        for listener in spec.listeners
    ]
    lines += [
        f"  kafka    {kafka}",
        f"  postgres {postgres}",
        f"  mail     {data_dir / 'mail'} (sink on 127.0.0.1:{MAIL_SINK_PORT})" if sink else "",
        f"  logs     {data_dir / 'logs'}",
        "",
        "  token:   TOKEN=$(uv run crm token --user alice --roles sales)",
        "  Ctrl-C stops everything.",
    ]
    print("\n".join(line for line in lines if line is not None), flush=True)
