"""Kafka for development and tests: from the environment, a Docker container or a local broker."""

from __future__ import annotations

import base64
import json
import logging
import os
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from crm_shared.infra.docker import docker_engine_available, run_kafka_container
from crm_shared.infra.process import (
    file_lock,
    free_port,
    port_open,
    process_cmdline,
    spawn,
    stop_once,
    stop_process,
    wait_ready,
)

log = logging.getLogger("crm_shared.infra")

KAFKA_VERSION = "4.1.1"
KAFKA_IMAGE = f"apache/kafka:{KAFKA_VERSION}"

# Broker settings shared by the local process and the container (a single node, so RF 1).
SETTINGS = {
    "num.partitions": "3",
    "auto.create.topics.enable": "false",
    "offsets.topic.replication.factor": "1",
    "offsets.topic.num.partitions": "1",
    "transaction.state.log.replication.factor": "1",
    "transaction.state.log.min.isr": "1",
    "share.coordinator.state.topic.replication.factor": "1",
    "share.coordinator.state.topic.min.isr": "1",
    "group.initial.rebalance.delay.ms": "0",
    # Consumers commit after every applied record; the 4.x coordinator's default 5 ms batching of
    # commits would cap each consumer at ~150 records/s (see bench/README.md).
    "group.coordinator.append.linger.ms": "0",
}

_LOG4J = """\
status = warn
shutdownHook = disable
appender.file.type = File
appender.file.name = file
appender.file.fileName = {log_file}
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = file
logger.request.name = kafka.request.logger
logger.request.level = WARN
"""


def _noop() -> None:
    return None


@dataclass(frozen=True)
class KafkaServer:
    bootstrap_servers: str
    _stop: Callable[[], None] = field(default=_noop, repr=False, compare=False)

    def stop(self) -> None:
        self._stop()


def cache_dir() -> Path:
    return Path(os.environ.get("CRM_CACHE_DIR") or Path.home() / ".cache" / "crm")


def ensure_kafka(*, data_dir: Path | None = None, port: int | None = None) -> KafkaServer:
    """A reachable broker: $KAFKA_BOOTSTRAP_SERVERS, else a container, else a local process."""
    external = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if external:
        log.info("kafka: using %s from KAFKA_BOOTSTRAP_SERVERS", external)
        return KafkaServer(external)
    if docker_engine_available():
        return start_kafka_container(data_dir=data_dir, port=port)
    return start_local_kafka(data_dir=data_dir, port=port)


def start_kafka_container(*, data_dir: Path | None = None, port: int | None = None) -> KafkaServer:
    """The official image (testcontainers' Kafka module only knows Confluent's), same settings."""
    return KafkaServer(*run_kafka_container(KAFKA_IMAGE, SETTINGS, data_dir=data_dir, port=port))


def kafka_libs() -> Path:
    """The broker's jars, fetched with Maven into the cache the first time they are needed."""
    libs = cache_dir() / f"kafka-{KAFKA_VERSION}" / "libs"
    if not libs.is_dir():
        with file_lock(libs.parent / ".fetch.lock"):
            if not libs.is_dir():
                _fetch_jars(libs)
    return libs


def _fetch_jars(libs: Path) -> None:
    mvn = shutil.which("mvn")
    if mvn is None:
        raise RuntimeError("kafka: Maven (mvn) is needed once to fetch the broker jars")
    started = time.monotonic()
    # Download next to the target and rename, so a killed fetch never leaves a half-filled libs.
    tmp = Path(tempfile.mkdtemp(prefix=".libs-", dir=libs.parent))
    cmd = [mvn, "-B", "-q", "-f", str(_pom()), "dependency:copy-dependencies"]
    cmd += [f"-DoutputDirectory={tmp}", "-DincludeScope=runtime"]
    result = subprocess.run(  # noqa: S603 - fixed argv, no shell
        cmd, capture_output=True, text=True, timeout=900, check=False
    )
    if result.returncode != 0 or not any(tmp.glob(f"kafka_2.13-{KAFKA_VERSION}.jar")):
        shutil.rmtree(tmp, ignore_errors=True)
        raise RuntimeError(f"kafka: fetching jars failed:\n{(result.stdout + result.stderr)[-3000:]}")
    tmp.chmod(0o755)  # mkdtemp's 0700 would hide the cache from other local users
    tmp.rename(libs)
    log.info("kafka: fetched jars into %s in %.1fs", libs, time.monotonic() - started)


def _pom() -> Path:
    for base in (Path(__file__).resolve(), Path.cwd().resolve()):
        for parent in base.parents:
            if (parent / "deploy/kafka/pom.xml").is_file():
                return parent / "deploy/kafka/pom.xml"
    raise RuntimeError("kafka: deploy/kafka/pom.xml not found above the package or working dir")


def start_local_kafka(*, data_dir: Path | None = None, port: int | None = None) -> KafkaServer:
    """A single-node KRaft broker as a child process; data_dir=None means a throwaway one."""
    started, libs = time.monotonic(), kafka_libs()
    home = Path(tempfile.mkdtemp(prefix="crm-kafka-")) if data_dir is None else data_dir.resolve()
    try:
        pid, broker_port = start_in(home, libs, port, ephemeral=data_dir is None)
    except BaseException:
        if data_dir is None:
            shutil.rmtree(home, ignore_errors=True)
        raise
    elapsed = time.monotonic() - started
    log.info("kafka: started local broker on 127.0.0.1:%d in %.1fs", broker_port, elapsed)
    return KafkaServer(f"127.0.0.1:{broker_port}", _stopper(pid, home, data_dir is None))


def start_in(home: Path, libs: Path, port: int | None, *, ephemeral: bool) -> tuple[int, int]:
    """Start (or adopt) the broker of `home` on `port`; returns (pid, broker port)."""
    home.mkdir(parents=True, exist_ok=True)
    with file_lock(home / ".start.lock"):
        pid = _running_broker(home)
        if pid and port and port != _stored_ports(home).get("broker"):
            stop_process(pid, signal.SIGTERM)  # asked for another port: restart on it
            pid = None
        ports = _ports(home, port)
        if pid:
            log.info("kafka: reusing running broker pid %d on port %d", pid, ports["broker"])
        else:
            _write_config(home, ports)
            _format_once(libs, home)
            pid = _launch(libs, home, ephemeral)
        logs = [home / "broker.log", home / "broker.out"]

        def ready() -> bool:
            return _log_says_started(home) and port_open(ports["broker"])

        wait_ready(pid, ready, what="kafka broker", stop_signal=signal.SIGTERM, logs=logs)
    return pid, ports["broker"]


def _running_broker(home: Path) -> int | None:
    """The pid of a broker a previous run left running on this data dir, if any."""
    try:
        pid = int((home / "kafka.pid").read_text())
    except (OSError, ValueError):
        return None
    cmdline = process_cmdline(pid)
    return pid if "kafka.Kafka" in cmdline and str(home) in cmdline else None


def _ports(home: Path, port: int | None) -> dict[str, int]:
    # The controller port is recorded in the formatted quorum state, so it must never change;
    # the broker port is kept too so a persistent broker has a stable address.
    state = _stored_ports(home)
    ports = {"controller": state.get("controller") or free_port()}
    ports["broker"] = port or state.get("broker") or free_port()
    if ports != state:
        (home / "ports.json").write_text(json.dumps(ports))
    return ports


def _stored_ports(home: Path) -> dict[str, int]:
    try:
        state: dict[str, int] = json.loads((home / "ports.json").read_text())
    except (OSError, ValueError):
        return {}
    return state


def _write_config(home: Path, ports: dict[str, int]) -> None:
    broker, controller = ports["broker"], ports["controller"]
    props = {
        "process.roles": "broker,controller",
        "node.id": "1",
        "listeners": f"PLAINTEXT://127.0.0.1:{broker},CONTROLLER://127.0.0.1:{controller}",
        "advertised.listeners": f"PLAINTEXT://127.0.0.1:{broker}",
        "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "controller.listener.names": "CONTROLLER",
        "inter.broker.listener.name": "PLAINTEXT",
        "controller.quorum.bootstrap.servers": f"127.0.0.1:{controller}",
        "log.dirs": str(home / "logs"),
        **SETTINGS,
    }
    text = "".join(f"{key}={value}\n" for key, value in props.items())
    (home / "server.properties").write_text(text)
    (home / "log4j2.properties").write_text(_LOG4J.format(log_file=home / "broker.log"))


def _java(libs: Path, home: Path, *args: str, quick_start: bool = True) -> list[str]:
    java_home = os.environ.get("JAVA_HOME")
    java = str(Path(java_home) / "bin/java") if java_home else shutil.which("java")
    if not java:
        raise RuntimeError("kafka: a Java 17+ runtime is needed for the local broker")
    opts = ["-Xmx512m", "-XX:+UseG1GC", "-XX:+ExitOnOutOfMemoryError", "-Djava.awt.headless=true"]
    # The client JIT alone starts about a second sooner; long-lived brokers keep the full JIT.
    opts += ["-XX:TieredStopAtLevel=1"] if quick_start else []
    log4j = f"-Dlog4j2.configurationFile={home / 'log4j2.properties'}"
    return [java, *opts, log4j, "-cp", f"{libs}/*", *args]


def _format_once(libs: Path, home: Path) -> None:
    """Format the storage only if it never completed: re-formatting would wipe the cluster."""
    if (home / "logs" / "meta.properties").exists():
        return
    shutil.rmtree(home / "logs", ignore_errors=True)
    args = ["kafka.tools.StorageTool", "format", "--standalone", "--cluster-id", _cluster_id()]
    cmd = _java(libs, home, *args, "-c", str(home / "server.properties"))
    result = subprocess.run(  # noqa: S603 - fixed argv, no shell
        cmd, capture_output=True, text=True, timeout=120, check=False
    )
    if result.returncode != 0:
        output = (result.stdout + result.stderr)[-3000:]
        raise RuntimeError(f"kafka: formatting storage failed:\n{output}")


def _cluster_id() -> str:
    # Like Kafka's own ids, never starting with "-", which its CLI would take for an option.
    while True:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not cluster_id.startswith("-"):
            return cluster_id


def _launch(libs: Path, home: Path, ephemeral: bool) -> int:
    props = str(home / "server.properties")
    cmd = _java(libs, home, "kafka.Kafka", props, quick_start=ephemeral)
    # Keep the previous run's log for post-mortems; readiness then only sees this run's lines.
    if (home / "broker.log").exists():
        (home / "broker.log").replace(home / "broker.log.1")
    pid = spawn(cmd, cwd=home, output=home / "broker.out")
    (home / "kafka.pid").write_text(str(pid))
    return pid


def _log_says_started(home: Path) -> bool:
    try:
        return "Kafka Server started" in (home / "broker.log").read_text(errors="replace")
    except OSError:
        return False


def _stopper(pid: int, home: Path, ephemeral: bool) -> Callable[[], None]:
    def stop() -> None:
        stop_process(pid, signal.SIGTERM)
        (home / "kafka.pid").unlink(missing_ok=True)
        if ephemeral:
            shutil.rmtree(home, ignore_errors=True)
        log.info("kafka: stopped broker pid %d", pid)

    return stop_once(stop)
