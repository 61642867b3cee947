"""Host-level helpers of the local route: ports, file locks, starting, watching and stopping servers."""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import logging
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

log = logging.getLogger("crm_shared.infra")

START_TIMEOUT = 90.0
_CHILDREN: dict[int, subprocess.Popen[bytes]] = {}


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=1):
        return True
    return False


@contextlib.contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """Exclusive lock across processes; the kernel drops it if the holder dies, so never stale."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def process_cmdline(pid: int) -> str:
    """The command line of a live process, or "" when there is none (or it is a zombie)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        if stat.rpartition(")")[2].split()[0] == "Z":
            return ""
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except (OSError, IndexError, UnicodeDecodeError):
        return ""


def is_running(pid: int) -> bool:
    """Our own children by their exit status (a server that re-executes itself has, for an instant,
    no command line); other processes by /proc."""
    child = _CHILDREN.get(pid)
    if child is not None:
        return child.poll() is None
    return bool(process_cmdline(pid))


def spawn(cmd: Sequence[str], *, cwd: Path, output: Path, **kwargs: Any) -> int:
    """Start a server with stdout/stderr appended to `output`; returns its pid."""
    with output.open("ab") as out:
        # Own session: a Ctrl-C in the terminal must not kill it before the owner stops it.
        proc = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
            cmd, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out, stderr=out, start_new_session=True, **kwargs
        )
    _CHILDREN[proc.pid] = proc  # kept so stop_process can reap it
    return proc.pid


def stop_process(pid: int, sig: int, timeout: float = 20.0) -> None:
    """Send `sig` to the process, wait up to `timeout`, then SIGKILL its whole process group."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, sig)
    if _wait_exit(pid, timeout):
        return
    log.warning("pid %d still running %.0fs after signal %d: killing it", pid, timeout, sig)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        # Servers run in their own session, so the group also holds their worker processes.
        os.killpg(pid, signal.SIGKILL)
    _wait_exit(pid, 5.0)


def _wait_exit(pid: int, timeout: float) -> bool:
    child = _CHILDREN.get(pid)
    if child is not None:
        try:
            child.wait(timeout)
        except subprocess.TimeoutExpired:
            return False
        del _CHILDREN[pid]
        return True
    # Not started by this process (a server adopted from an earlier run): poll until it is gone.
    deadline = time.monotonic() + timeout
    while process_cmdline(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def wait_ready(
    pid: int, ready: Callable[[], bool], *, what: str, stop_signal: int, logs: Sequence[Path]
) -> None:
    """Poll `ready` for up to START_TIMEOUT; on death, time-out or interrupt, stop `pid` and raise."""
    deadline = time.monotonic() + START_TIMEOUT
    try:
        while not ready():
            if not is_running(pid):
                raise RuntimeError(f"{what} exited during start-up\n{tail(logs)}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"{what} not ready after {START_TIMEOUT:.0f}s\n{tail(logs)}")
            time.sleep(0.1)
    except BaseException:
        stop_process(pid, stop_signal)
        raise


def tail(paths: Sequence[Path], lines: int = 40) -> str:
    """The last lines of each existing log file, for error messages."""
    parts = []
    for path in paths:
        if path.exists():
            text = path.read_text(errors="replace").splitlines()[-lines:]
            parts.append(f"--- {path} (last {len(text)} lines) ---\n" + "\n".join(text))
    return "\n".join(parts)


def stop_once(stop: Callable[[], None]) -> Callable[[], None]:
    """Make `stop` idempotent and also run it at interpreter exit if the owner never did."""
    done = False

    def run() -> None:
        nonlocal done
        if not done:
            done = True
            atexit.unregister(run)
            stop()

    atexit.register(run)
    return run
