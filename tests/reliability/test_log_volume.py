"""A broker outage costs a service a few log lines, not megabytes: aiokafka's connection errors and our
retry loops are throttled, and every record stays one bounded JSON line.

The deals service runs as its own process (all roles) on a broker of its own, which is stopped for
OUTAGE_S while a probe asks for readiness every second, as an orchestrator would. Without the throttle
(CRM_LOG_REPEAT_INTERVAL_S=0) the same outage wrote about 1,700 lines (330 KB); with it, under ten.
"""

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from crm_shared.auth import Role
from crm_shared.infra.kafka import KafkaServer, ensure_kafka
from crm_shared.infra.process import free_port, spawn, stop_process, tail
from crm_shared.testing.service import auth_headers

pytestmark = pytest.mark.reliability

OUTAGE_S = 20  # under the default repeat interval (30 s): each kind of failure is written once
MAX_LINES = 50
MAX_BYTES = 32 * 1024
MAX_RECORD_BYTES = 16 * 1024


@pytest.fixture
def broker_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A broker of this test's own (never the session's, nor one from the environment): it is stopped."""
    monkeypatch.delenv("KAFKA_BOOTSTRAP_SERVERS", raising=False)
    return tmp_path / "kafka"


def start_broker(home: Path, port: int) -> KafkaServer:
    return ensure_kafka(data_dir=home, port=port)


async def test_a_broker_outage_writes_a_few_bounded_lines(
    broker_home: Path, make_database: Callable[[str], str], tmp_path: Path
):
    kafka_port, http_port = free_port(), free_port()
    broker = await asyncio.to_thread(start_broker, broker_home, kafka_port)
    output = tmp_path / "deals.log"
    env = _service_env(make_database("logvol_deals"), broker.bootstrap_servers, http_port)
    pid = None
    try:
        await asyncio.to_thread(_migrate, env)
        pid = spawn([_executable("crm-deals"), "serve"], cwd=Path.cwd(), output=output, env=env)
        base_url = f"http://127.0.0.1:{http_port}"
        await _until_ready(base_url, output, "deals to start")

        before = output.stat().st_size
        await asyncio.to_thread(broker.stop)
        answers = await _probe_readiness(base_url, OUTAGE_S)
        written = output.read_bytes()[before:]
        broker = await asyncio.to_thread(start_broker, broker_home, kafka_port)
        await _until_ready(base_url, output, "deals to recover once the broker is back")
    finally:
        if pid is not None:
            await asyncio.to_thread(stop_process, pid, 15)
        await asyncio.to_thread(broker.stop)

    lines = written.decode(errors="replace").splitlines()
    report = f"{len(lines)} lines, {len(written)} bytes during the outage:\n" + "\n".join(lines[:40])
    assert answers.count(503) >= OUTAGE_S // 2, f"readiness did not report the outage: {answers}"
    assert any("Kafka" in line or "kafka" in line for line in lines), report  # the outage was noticed
    assert len(lines) < MAX_LINES, report
    assert len(written) < MAX_BYTES, report
    for line in lines:
        assert len(line.encode()) <= MAX_RECORD_BYTES, line[:500]
        json.loads(line)  # one record, one line: nothing written around the pipeline


def _service_env(database_url: str, bootstrap: str, http_port: int) -> dict[str, str]:
    return os.environ | {
        "CRM_DEALS_DATABASE_URL": database_url,
        "CRM_DEALS_HTTP_PORT": str(http_port),
        "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "CRM_LOG_FORMAT": "json",
        "CRM_LOG_LEVEL": "INFO",
        "CRM_DEALS_RELAY_POLL_INTERVAL_S": "0.5",
    }


def _executable(name: str) -> str:
    return str(Path(sys.executable).parent / name)


def _migrate(env: dict[str, str]) -> None:
    result = subprocess.run(
        [_executable("crm-deals"), "migrate"], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr[-4000:]


async def _probe_readiness(base_url: str, seconds: int) -> list[int]:
    """Opens a deal, which the outbox relay then fails to publish again and again, and asks for
    /readyz once a second (a service stalled by its logging would not answer)."""
    answers = []
    async with httpx.AsyncClient(base_url=base_url, timeout=10) as client:
        deal = {"title": "Outage", "amount_minor": 100_000, "currency": "EUR"}
        opened = await client.post("/v1/deals", json=deal, headers=auth_headers("sales-1", Role.SALES))
        assert opened.status_code == 201, opened.text
        for _ in range(seconds):
            answers.append((await client.get("/readyz")).status_code)
            await asyncio.sleep(1)
    return answers


async def _until_ready(base_url: str, output: Path, what: str, attempts: int = 120) -> None:
    async with httpx.AsyncClient(base_url=base_url, timeout=5) as client:
        for _ in range(attempts):
            try:
                if (await client.get("/readyz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}\n{tail([output])}")
