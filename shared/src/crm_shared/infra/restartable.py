"""Local Kafka and PostgreSQL servers that a fault test stops, kills and starts again.

Each keeps its port and data directory across restarts, so clients reconnect to the same address and
find their data, as they would after an outage in production. Local processes only: a test that
needs them skips nothing silently, it fails if Java or the PostgreSQL binaries are missing.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import tempfile
from pathlib import Path

from crm_shared.infra import kafka, postgres
from crm_shared.infra.process import free_port, stop_process


class _Restartable:
    _prefix = "crm-server-"
    _stop_signal = signal.SIGTERM

    def __init__(self) -> None:
        self.home = Path(tempfile.mkdtemp(prefix=self._prefix))
        self.port = free_port()
        self._pid: int | None = None

    @property
    def running(self) -> bool:
        return self._pid is not None

    def start(self) -> None:
        if self._pid is None:
            self._pid = self._launch()

    def stop(self) -> None:
        """A graceful shutdown (what an orchestrator does on a rolling restart)."""
        if self._pid is not None:
            pid, self._pid = self._pid, None
            stop_process(pid, self._stop_signal)

    def kill(self) -> None:
        """SIGKILL to the server and every process of its group: a crash, nothing flushed."""
        if self._pid is not None:
            pid, self._pid = self._pid, None
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)
            stop_process(pid, signal.SIGKILL, timeout=10)

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.home, ignore_errors=True)

    def _launch(self) -> int:
        raise NotImplementedError


class RestartableKafka(_Restartable):
    """A single-node KRaft broker on 127.0.0.1:`port`."""

    _prefix = "crm-kafka-fault-"

    @property
    def bootstrap_servers(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _launch(self) -> int:
        pid, _ = kafka.start_in(self.home, kafka.kafka_libs(), self.port, ephemeral=True)
        return pid


class RestartablePostgres(_Restartable):
    """A PostgreSQL server on 127.0.0.1:`port` (fast shutdown on `stop`)."""

    _prefix = "crm-pg-fault-"
    _stop_signal = signal.SIGINT

    @property
    def admin_url(self) -> str:
        return f"postgresql://{postgres.USER}:{postgres.PASSWORD}@127.0.0.1:{self.port}/postgres"

    def _launch(self) -> int:
        pid, _ = postgres.start_in(self.home, self.port, ephemeral=True)
        return pid
