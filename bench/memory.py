"""4. Memory: this benchmark process at the end, and one real `crm-leads serve` process when idle.

The benchmark process holds every service's code and the run's data, so its peak is an upper bound;
the service process is what a deployment pays per instance (all roles, after start-up, no traffic).
"""

import asyncio
import os
import resource
import shutil
import signal
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from bench.stack import Stack
from crm_shared.infra.process import free_port

READY_TIMEOUT_S = 45.0
IDLE_S = 3.0


def own_usage() -> dict[str, Any]:
    status = proc_status("self")
    return {
        "ru_maxrss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "vm_hwm_mib": status.get("VmHWM"),
        "vm_rss_mib": status.get("VmRSS"),
    }


def proc_status(pid: str) -> dict[str, float]:
    """The kB fields of /proc/<pid>/status that matter here, in MiB."""
    fields: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in {"VmRSS", "VmHWM", "RssAnon", "RssFile"}:
            fields[name] = round(int(value.split()[0]) / 1024, 1)
    return fields


async def service_idle(stack: Stack) -> dict[str, Any]:
    port = free_port()
    env = {
        **os.environ,
        "CRM_LEADS_DATABASE_URL": stack.database("leads_process"),
        "KAFKA_BOOTSTRAP_SERVERS": stack.bootstrap,
        "CRM_LEADS_HTTP_PORT": str(port),
        "CRM_LOG_FORMAT": "json",
    }
    command = _command()
    with stack.log_path.open("ab") as log:
        migrate = await asyncio.create_subprocess_exec(command, "migrate", env=env, stdout=log, stderr=log)
        if await asyncio.wait_for(migrate.wait(), READY_TIMEOUT_S) != 0:
            raise RuntimeError(f"crm-leads migrate failed; see {stack.log_path}")
        started = time.perf_counter()
        serve = await asyncio.create_subprocess_exec(command, "serve", env=env, stdout=log, stderr=log)
    try:
        await _until_ready(serve, port)
        ready_s = time.perf_counter() - started
        await asyncio.sleep(IDLE_S)
        status = proc_status(str(serve.pid))
    finally:
        exit_code = await _stop(serve)
    return {
        "command": "crm-leads serve (all roles)",
        "ready_after_s": round(ready_s, 2),
        "idle_s": IDLE_S,
        "vm_rss_mib": status.get("VmRSS"),
        "vm_hwm_mib": status.get("VmHWM"),
        "rss_anon_mib": status.get("RssAnon"),
        # -15 is the clean outcome: uvicorn shuts down gracefully, then re-raises the signal it caught.
        "exit_code_after_sigterm": exit_code,
    }


def _command() -> str:
    beside = Path(sys.executable).with_name("crm-leads")
    found = str(beside) if beside.exists() else shutil.which("crm-leads")
    if found is None:
        raise RuntimeError("crm-leads is not installed in this environment (uv sync)")
    return found


async def _until_ready(process: asyncio.subprocess.Process, port: int) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=2) as client:
        while time.monotonic() < deadline:
            if process.returncode is not None:
                raise RuntimeError(f"crm-leads serve exited with {process.returncode}")
            try:
                if (await client.get("/readyz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise TimeoutError(f"crm-leads serve not ready after {READY_TIMEOUT_S:.0f}s")


async def _stop(process: asyncio.subprocess.Process) -> int | None:
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
    try:
        return await asyncio.wait_for(process.wait(), 25)
    except TimeoutError:
        process.kill()
        await process.wait()
        return None
