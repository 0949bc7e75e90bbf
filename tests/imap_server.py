"""A real IMAP server for tests: Dovecot (Debian's ``dovecot-imapd``) on a loopback port, with
its own throw-away configuration, users file and Maildir in a temporary folder.

``dovecot`` (session) starts one server; ``imap_server`` (per test) empties its mailbox first
and yields an ``ImapServer`` with the address, the account and helpers to put mail in and to
look at the folders. Folder names are written with ``/`` as in rosemeet's settings; the
helpers use the server's own separator (Dovecot's Maildir++ uses ``.``).
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from imap_tools import MailBoxUnencrypted

from tests.conftest import free_port

#: where Debian's dovecot-core puts the server (``.ci/run`` installs it when missing)
DOVECOT = "/usr/sbin/dovecot"
#: the one account of the test server
USER = "rosemeet"
#: its password
PASSWORD = "imap-secret"
#: the login processes must not run as root: Debian's unprivileged login user
LOGIN_USER_WHEN_ROOT = "dovenull"
#: nor may mail be accessed as root: the owner of the Maildir when the tests run as root
MAIL_USER_WHEN_ROOT = "nobody"

CONFIG = """\
base_dir = {base}/run
state_dir = {base}/state
log_path = {base}/dovecot.log
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
mail_location = maildir:{base}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {base}/users
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {base}/users
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


@dataclass
class ImapServer:
    """A running Dovecot: its address, its account, and helpers on its mailbox."""

    #: loopback address
    host: str
    #: its plain IMAP port
    port: int
    #: the account
    user: str = USER
    #: its password
    password: str = PASSWORD

    def mailbox(self) -> MailBoxUnencrypted:
        """A logged-in connection (use it in ``with``)."""
        return MailBoxUnencrypted(self.host, self.port, timeout=10).login(
            self.user, self.password, initial_folder=None
        )

    def append(self, raw: bytes, folder: str = "INBOX") -> None:
        """Deliver a raw mail into ``folder``."""
        with self.mailbox() as mailbox:
            mailbox.append(raw, _server_name(mailbox, folder))

    def folders(self) -> list[str]:
        """Every folder, named with ``/``."""
        with self.mailbox() as mailbox:
            return sorted(f.name.replace(f.delim, "/") for f in mailbox.folder.list())

    def subjects(self, folder: str = "INBOX") -> list[str]:
        """The subjects of the mails in ``folder`` (empty when there is no such folder)."""
        return [subject for subject, _flags in self.contents(folder)]

    def contents(self, folder: str = "INBOX") -> list[tuple[str, tuple[str, ...]]]:
        """(subject, flags) of each mail in ``folder``, without marking any as seen."""
        with self.mailbox() as mailbox:
            name = _server_name(mailbox, folder)
            if not mailbox.folder.exists(name):
                return []
            mailbox.folder.set(name)
            return [
                (message.subject, message.flags)
                for message in mailbox.fetch(mark_seen=False, headers_only=True, bulk=True)
            ]

    def clean(self) -> None:
        """Remove every mail and every folder but INBOX (between tests)."""
        with self.mailbox() as mailbox:
            folders = [f.name for f in mailbox.folder.list() if f.name.upper() != "INBOX"]
            for name in sorted(folders, key=len, reverse=True):  # children before parents
                if mailbox.folder.exists(name):  # a parent without mail goes with its children
                    mailbox.folder.delete(name)
            mailbox.folder.set("INBOX")
            uids = mailbox.uids()
            if uids:
                mailbox.delete(uids)


def _server_name(mailbox: MailBoxUnencrypted, folder: str) -> str:
    """``folder`` with the server's separator instead of ``/``."""
    delimiter = next((f.delim for f in mailbox.folder.list() if f.delim), "/")
    return folder.replace("/", delimiter)


def start_dovecot(base: Path) -> tuple[subprocess.Popen, ImapServer]:
    """Write a configuration into ``base`` and start Dovecot in the foreground on a free
    loopback port; answers the process and the server once it greets."""
    if not Path(DOVECOT).exists():  # as the browser tests without chromium
        message = (
            f"{DOVECOT} is missing: install Debian's dovecot-imapd (.ci/run does) to run the "
            "IMAP tests against a real server"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    me = pwd.getpwuid(os.getuid())
    root = os.getuid() == 0
    mail_user = pwd.getpwnam(MAIL_USER_WHEN_ROOT) if root else me
    login_user = LOGIN_USER_WHEN_ROOT if root else me.pw_name
    if root:
        try:
            pwd.getpwnam(login_user)
        except KeyError:
            login_user = MAIL_USER_WHEN_ROOT
    base.chmod(0o755)  # the login processes reach their sockets in base/run
    for folder in ("run", "state", "mail"):
        (base / folder).mkdir()
    if root:
        os.chown(base / "mail", mail_user.pw_uid, mail_user.pw_gid)
    home = base / "mail" / USER
    (base / "users").write_text(
        f"{USER}:{{PLAIN}}{PASSWORD}:{mail_user.pw_uid}:{mail_user.pw_gid}::{home}::\n"
    )
    port = free_port()
    config = base / "dovecot.conf"
    config.write_text(
        CONFIG.format(
            base=base,
            internal_user=me.pw_name,
            internal_group=_group_name(me.pw_gid),
            login_user=login_user,
            uid=mail_user.pw_uid,
            port=port,
        )
    )
    process = subprocess.Popen(
        [DOVECOT, "-F", "-c", str(config)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    server = ImapServer("127.0.0.1", port)
    _wait_until_greeting(server, process, base / "dovecot.log")
    return process, server


def _group_name(gid: int) -> str:
    """The name of a group id."""
    import grp

    return grp.getgrgid(gid).gr_name


def _wait_until_greeting(server: ImapServer, process: subprocess.Popen, log: Path) -> None:
    """Until the server sends its IMAP greeting (at most 20 seconds)."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read().decode(errors="replace") if process.stdout else ""
            pytest.fail(f"dovecot stopped:\n{output}\n{_tail(log)}")
        try:
            with socket.create_connection((server.host, server.port), timeout=2) as sock:
                if sock.recv(100).startswith(b"* OK"):
                    return
        except OSError:
            pass
        time.sleep(0.1)
    process.kill()
    pytest.fail(f"dovecot did not answer on port {server.port}:\n{_tail(log)}")


def _tail(log: Path) -> str:
    """The end of the server's log, when there is one."""
    return log.read_text(errors="replace")[-3000:] if log.exists() else "(no log)"


def stop_dovecot(process: subprocess.Popen) -> None:
    """Stop the master process (it stops its children)."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    if process.stdout:
        process.stdout.close()


@pytest.fixture(scope="session")
def dovecot() -> Iterator[ImapServer]:
    """One Dovecot for the test session, in a temporary folder removed at the end."""
    base = Path(tempfile.mkdtemp(prefix="rosemeet-dovecot-"))
    process, server = start_dovecot(base)
    try:
        yield server
    finally:
        stop_dovecot(process)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def imap_server(dovecot: ImapServer) -> ImapServer:
    """The session's Dovecot with an empty mailbox (only INBOX, no mail)."""
    dovecot.clean()
    return dovecot


@pytest.fixture
def mailbox(app, imap_server):
    """The app reading the test Dovecot's INBOX over plain IMAP, for this test."""
    settings = {
        "IMAP_HOST": imap_server.host,
        "IMAP_PORT": imap_server.port,
        "IMAP_TLS": False,
        "IMAP_USER": imap_server.user,
        "IMAP_PASSWORD": imap_server.password,
        "IMAP_AFTER_READING": "move",
        "IMAP_MAX_MESSAGE_MB": 10,
    }
    saved = {key: app.config[key] for key in settings}
    app.config.update(settings)
    try:
        yield imap_server
    finally:
        app.config.update(saved)
