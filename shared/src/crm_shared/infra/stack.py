"""Every service of the registry as a separate OS process on one machine: used by `crm dev up` and e2e tests.

Each service gets its own database on the given PostgreSQL server, its migrations applied, and its own
process (`crm-<name> serve`, all roles). Start-up waits for every `/readyz`; stop sends SIGTERM (a
graceful stop: stop fetching, finish in-flight work, flush the producer) before anything harsher.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from crm_shared.infra.postgres import create_database
from crm_shared.infra.process import process_cmdline, spawn, stop_process, tail
from crm_shared.registry import SERVICES as REGISTRY
from crm_shared.registry import names

SERVICES = names()
DEFAULT_PORTS = {spec.name: spec.http_port for spec in REGISTRY}
READY_TIMEOUT_S = 90.0


@dataclass
class StackConfig:
    kafka_bootstrap: str
    postgres_admin_url: str
    log_dir: Path
    ports: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_PORTS))
    database_prefix: str = "crm_"
    extra_env: Mapping[str, str] = field(default_factory=dict)


class LocalStack:
    def __init__(self, config: StackConfig) -> None:
        self.config = config
        self.pids: dict[str, int] = {}
        self.database_urls: dict[str, str] = {}

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.config.ports[service]}"

    def env(self, service: str) -> dict[str, str]:
        prefix = f"CRM_{service.upper()}_"
        env = dict(os.environ) | dict(self.config.extra_env)
        env |= {
            "KAFKA_BOOTSTRAP_SERVERS": self.config.kafka_bootstrap,
            f"{prefix}DATABASE_URL": self.database_urls[service],
            f"{prefix}HTTP_PORT": str(self.config.ports[service]),
            f"{prefix}HTTP_HOST": "127.0.0.1",
        }
        return env

    def prepare(self) -> None:
        """Create the databases if missing and apply every service's migrations (idempotent)."""
        for service in SERVICES:
            name = f"{self.config.database_prefix}{service}"
            self.database_urls[service] = create_database(self.config.postgres_admin_url, name)
        for service in SERVICES:
            self._run(service, "migrate")

    def start(self) -> None:
        self.config.log_dir.mkdir(parents=True, exist_ok=True)
        for service in SERVICES:
            log_path = self.config.log_dir / f"{service}.log"
            self.pids[service] = spawn(
                [_executable(service), "serve"], cwd=Path.cwd(), output=log_path, env=self.env(service)
            )
        self.wait_ready()

    def wait_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_S
        pending = set(SERVICES)
        while pending:
            for service in sorted(pending):
                if not process_cmdline(self.pids[service]):
                    raise RuntimeError(f"{service} exited during start-up\n{self._tail(service)}")
                if _ready(self.url(service)):
                    pending.discard(service)
            if pending and time.monotonic() > deadline:
                raise TimeoutError(f"not ready after {READY_TIMEOUT_S:.0f}s: {sorted(pending)}")
            time.sleep(0.2)

    def stop(self, service: str | None = None, *, sig: int = signal.SIGTERM) -> None:
        for name in [service] if service else list(self.pids):
            pid = self.pids.pop(name, None)
            if pid is not None:
                stop_process(pid, sig, timeout=30)

    def restart(self, service: str) -> None:
        log_path = self.config.log_dir / f"{service}.log"
        self.pids[service] = spawn(
            [_executable(service), "serve"], cwd=Path.cwd(), output=log_path, env=self.env(service)
        )

    def _run(self, service: str, *args: str) -> None:
        result = subprocess.run(  # noqa: S603 - fixed argv
            [_executable(service), *args], env=self.env(service), capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            raise RuntimeError(f"crm-{service} {' '.join(args)} failed:\n{result.stderr[-4000:]}")

    def _tail(self, service: str) -> str:
        return tail([self.config.log_dir / f"{service}.log"])


def _executable(service: str) -> str:
    """The service's console script beside this interpreter (the workspace's virtualenv)."""
    beside = Path(sys.executable).parent / f"crm-{service}"
    return str(beside) if beside.exists() else shutil.which(f"crm-{service}") or f"crm-{service}"


def _ready(base_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base_url}/readyz", timeout=2) as response:  # noqa: S310 - local URL
            return bool(response.status == 200 and json.loads(response.read())["ready"])
    except (OSError, ValueError, KeyError):
        return False
