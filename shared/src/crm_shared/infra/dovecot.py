"""A throwaway Dovecot IMAP server (Debian's `dovecot-imapd`) on loopback, for tests and local runs.

Everything lives in one folder: generated config, passwd-file, maildirs, logs and sockets. Plain-text
login over a non-TLS port is allowed because it only listens on 127.0.0.1. Started by root, the login
and internal processes run as Dovecot's own unprivileged accounts (it refuses root for those) and mail
belongs to the `dovecot` account; started by anyone else, every process runs as that user.
"""

from __future__ import annotations

import contextlib
import grp
import os
import pwd
import shutil
import signal
import socket
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from crm_shared.infra.process import free_port, spawn, stop_once, stop_process, wait_ready

CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {internal_user}
default_internal_group = {internal_group}
default_login_user = {login_user}
first_valid_uid = {uid}
last_valid_uid = {uid}
mail_location = maildir:{root}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/mail/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
"""


TEST_PASSWORD = "imap-test-secret"  # noqa: S105 - a throwaway server on loopback


class DovecotMissing(RuntimeError):
    """The `dovecot` binary is not installed (Debian: `apt-get install dovecot-imapd`)."""


@dataclass
class DovecotServer:
    root: Path
    port: int
    username: str
    password: str
    pid: int
    host: str = "127.0.0.1"
    stopper: Callable[[], None] = field(default=lambda: None, repr=False)

    def stop(self) -> None:
        self.stopper()

    def folder_dir(self, folder: str = "INBOX") -> Path:
        """The maildir of a folder (Maildir++ layout: INBOX at the top, others as `.Name`)."""
        home = self.root / "mail" / self.username
        return home if folder.upper() == "INBOX" else home / f".{folder}"

    def renew_uidvalidity(self, folder: str = "INBOX") -> None:
        """Drop the folder's UID list and indexes, as a restore from backup or a rebuilt server would:
        the mails stay, Dovecot numbers them afresh under a new UIDVALIDITY at the next SELECT."""
        directory = self.folder_dir(folder)
        for path in [directory / "dovecot-uidlist", *directory.glob("dovecot.index*")]:
            path.unlink(missing_ok=True)


def dovecot_binary() -> str:
    found = shutil.which("dovecot") or next(
        (p for p in ("/usr/sbin/dovecot", "/usr/local/sbin/dovecot") if os.access(p, os.X_OK)), None
    )
    if found is None:
        raise DovecotMissing("dovecot not found: install Debian's dovecot-imapd (scripts/bootstrap.sh does)")
    return found


def start_dovecot(
    root: Path, *, username: str = "support", password: str = TEST_PASSWORD, port: int | None = None
) -> DovecotServer:
    """Start `dovecot -F` with a generated config in `root`; ready once it greets on its IMAP port."""
    binary = dovecot_binary()
    port = port or free_port()
    mail_uid, mail_gid, accounts = _accounts()
    for sub in ("run", "state", "mail"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    (root / "passwd").write_text(f"{username}:{{PLAIN}}{password}::::::\n")
    (root / "dovecot.conf").write_text(
        CONFIG.format(root=root, port=port, uid=mail_uid, gid=mail_gid, **accounts)
    )
    os.chown(root / "mail", mail_uid, mail_gid)
    pid = spawn([binary, "-F", "-c", str(root / "dovecot.conf")], cwd=root, output=root / "stdout.log")
    wait_ready(
        pid,
        lambda: _greets(port),
        what="dovecot",
        stop_signal=signal.SIGTERM,
        logs=[root / "stdout.log", root / "dovecot.log"],
    )
    stopper = stop_once(lambda: stop_process(pid, signal.SIGTERM))
    return DovecotServer(root, port, username, password, pid, stopper=stopper)


@contextlib.contextmanager
def dovecot_server(*, username: str = "support", password: str = TEST_PASSWORD) -> Iterator[DovecotServer]:
    """A Dovecot in a fresh temporary folder, stopped and removed on exit."""
    with tempfile.TemporaryDirectory(prefix="crm-dovecot-") as tmp:
        root = Path(tmp)
        root.chmod(0o755)  # the unprivileged login processes must reach the sockets under run/
        server = start_dovecot(root, username=username, password=password)
        try:
            yield server
        finally:
            server.stop()


def _accounts() -> tuple[int, int, dict[str, str]]:
    """(mail uid, mail gid, the accounts of Dovecot's own processes) for the user starting it."""
    if os.getuid() != 0:
        user = pwd.getpwuid(os.getuid()).pw_name
        group = grp.getgrgid(os.getgid()).gr_name
        names = {"internal_user": user, "internal_group": group, "login_user": user}
        return os.getuid(), os.getgid(), names
    try:
        internal, login = pwd.getpwnam("dovecot"), pwd.getpwnam("dovenull")
    except KeyError as exc:  # Debian's package creates both
        raise DovecotMissing(f"dovecot's system account is missing: {exc}") from exc
    names = {
        "internal_user": internal.pw_name,
        "internal_group": grp.getgrgid(internal.pw_gid).gr_name,
        "login_user": login.pw_name,
    }
    return internal.pw_uid, internal.pw_gid, names


def _greets(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
        return sock.recv(64).startswith(b"* OK")
    return False
