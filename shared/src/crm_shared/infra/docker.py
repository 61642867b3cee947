"""The Docker route: engine detection and the Kafka and PostgreSQL containers (testcontainers)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from crm_shared.infra.process import free_port, stop_once

log = logging.getLogger("crm_shared.infra")


def docker_engine_available() -> bool:
    """True when a Docker engine answers a ping within a few seconds; never raises."""
    try:
        from testcontainers.core.docker_client import DockerClient, get_docker_host

        # Skip the client entirely when nothing could be listening: keeps the common case instant.
        sockets = (Path("/var/run/docker.sock"), Path.home() / ".docker/run/docker.sock")
        if not get_docker_host() and not any(path.exists() for path in sockets):
            return False
        client = DockerClient(timeout=3).client
        try:
            return bool(client.ping())
        finally:
            client.close()
    except Exception:  # any failure means "no usable engine"
        return False


def run_kafka_container(
    image: str, settings: Mapping[str, str], *, data_dir: Path | None, port: int | None
) -> tuple[str, Callable[[], None]]:
    """A single-node KRaft broker container -> (bootstrap servers, stop)."""
    from testcontainers.core.container import DockerContainer
    from testcontainers.core.docker_client import DockerClient
    from testcontainers.core.wait_strategies import LogMessageWaitStrategy

    started = time.monotonic()
    # Clients dial the advertised address, so the host port is chosen before the container starts.
    host, host_port = DockerClient().host(), port or free_port()
    env = _kafka_env(settings, f"{host}:{host_port}")
    container = DockerContainer(image).with_bind_ports(9092, host_port).with_envs(**env)
    if data_dir is not None:
        data_dir.mkdir(parents=True, exist_ok=True)
        data_dir.chmod(0o777)  # the image runs as an unprivileged user
        container.with_volume_mapping(str(data_dir), "/var/lib/kafka/data", "rw")
    container.waiting_for(LogMessageWaitStrategy("Kafka Server started")).start()
    log.info("kafka: started %s on %s:%d in %.1fs", image, host, host_port, time.monotonic() - started)
    return f"{host}:{host_port}", stop_once(container.stop)


def _kafka_env(settings: Mapping[str, str], advertised: str) -> dict[str, str]:
    # The apache/kafka image maps KAFKA_FOO_BAR to foo.bar.
    env = {f"KAFKA_{key.upper().replace('.', '_')}": value for key, value in settings.items()}
    return env | {
        "CLUSTER_ID": "yDFOTHIzWPSs7NjP9DGLhw",  # fixed, so a persistent data dir stays valid
        "KAFKA_NODE_ID": "1",
        "KAFKA_PROCESS_ROLES": "broker,controller",
        "KAFKA_LISTENERS": "PLAINTEXT://:9092,CONTROLLER://:9093",
        "KAFKA_ADVERTISED_LISTENERS": f"PLAINTEXT://{advertised}",
        "KAFKA_CONTROLLER_LISTENER_NAMES": "CONTROLLER",
        "KAFKA_LISTENER_SECURITY_PROTOCOL_MAP": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
        "KAFKA_CONTROLLER_QUORUM_VOTERS": "1@localhost:9093",
        "KAFKA_LOG_DIRS": "/var/lib/kafka/data",
    }


def run_postgres_container(
    image: str, user: str, password: str, *, settings: Sequence[str], data_dir: Path | None, port: int | None
) -> tuple[str, Callable[[], None]]:
    """A PostgreSQL container -> (admin URL, stop)."""
    from testcontainers.community.postgres import PostgresContainer

    started = time.monotonic()
    container = PostgresContainer(image, username=user, password=password, dbname="postgres", driver=None)
    container.with_command(["postgres", *(f"-c{setting}" for setting in settings)])
    if port is not None:
        container.with_bind_ports(5432, port)
    if data_dir is not None:
        data_dir.mkdir(parents=True, exist_ok=True)
        container.with_volume_mapping(str(data_dir), "/var/lib/postgresql/data", "rw")
    container.start()
    url: str = container.get_connection_url()
    log.info("postgres: started %s in %.1fs", image, time.monotonic() - started)
    return url, stop_once(container.stop)
