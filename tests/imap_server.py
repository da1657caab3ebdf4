"""A throwaway Dovecot IMAP server on loopback for the live-mailbox tests: its own configuration, certificate
(self-signed for 127.0.0.1), mail folders and logs in a temporary folder, IMAPS and STARTTLS on free ports, any
user name with the password PASSWORD, stopped with its process group at the end. Skipped, with the reason, where
Debian's dovecot-imapd or openssl is not installed."""

from __future__ import annotations

import imaplib
import mailbox
import os
import pwd
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import pytest
from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

DOVECOT = Path("/usr/sbin/dovecot")
PASSWORD = "s3cret-imap"  # the password of every user of the throwaway server
_CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = required
ssl_cert = <{root}/cert.pem
ssl_key = <{root}/key.pem
disable_plaintext_auth = yes
auth_mechanisms = plain login
auth_failure_delay = 0
default_internal_user = {internal}
default_internal_group = {internal_group}
default_login_user = {login}
mail_uid = {uid}
mail_gid = {gid}
mail_location = maildir:{root}/mail/%u
namespace inbox {{
  inbox = yes
  separator = /
  mailbox Sent {{
    special_use = \\Sent
    auto = subscribe
  }}
}}
passdb {{
  driver = static
  args = password={password}
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/mail/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    port = {starttls_port}
  }}
  inet_listener imaps {{
    port = {imaps_port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
  # auth (not root) cannot reach the penalty counter, so the failed logins the tests make slow no other login
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
"""


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Dovecot:
    """The running server: `imaps_port`, `starttls_port`, `cafile` (its certificate, to trust it), and helpers that
    put messages in and read their flags back as another mail program would."""

    def __init__(self) -> None:
        if not DOVECOT.exists():
            pytest.skip("Dovecot is not installed (apt-get install dovecot-imapd); the IMAP tests need a real server")
        if shutil.which("openssl") is None:
            pytest.skip("openssl is not installed; the IMAP tests make the server's certificate with it")
        # under /tmp and readable by all: the login processes run as an unprivileged user
        self.root = Path(tempfile.mkdtemp(prefix="tracker-dovecot-"))
        self.root.chmod(0o755)
        self.cafile = self.root / "cert.pem"
        # valid for 800 days: the suite also runs with the date a year ahead
        key, subject = str(self.root / "key.pem"), "subjectAltName=IP:127.0.0.1,DNS:localhost"
        command = f"openssl req -x509 -newkey rsa:2048 -nodes -days 800 -subj /CN=127.0.0.1 -addext {subject}"
        subprocess.run([*command.split(), "-keyout", key, "-out", str(self.cafile)], check=True, capture_output=True)
        if os.geteuid() == 0:
            internal = internal_group = "dovecot" if _user_exists("dovecot") else "nobody"  # Debian's package adds it
            login, uid, gid = "nobody", pwd.getpwnam("nobody").pw_uid, pwd.getpwnam("nobody").pw_gid
        else:  # an unprivileged Dovecot runs every part as the user who started it
            login = internal = pwd.getpwuid(os.geteuid()).pw_name
            internal_group = str(os.getegid())
            uid, gid = os.geteuid(), os.getegid()
        (self.root / "mail").mkdir()
        os.chown(self.root / "mail", uid, gid)
        self.uid, self.gid = uid, gid
        self.imaps_port, self.starttls_port = _free_port(), _free_port()
        config = self.root / "dovecot.conf"
        config.write_text(
            _CONFIG.format(
                root=self.root,
                internal=internal,
                internal_group=internal_group,
                login=login,
                uid=uid,
                gid=gid,
                password=PASSWORD,
                imaps_port=self.imaps_port,
                starttls_port=self.starttls_port,
            )
        )
        # Dovecot on the machine's own clock: under faketime (the suite's second run) only its master process would
        # be moved (it clears LD_PRELOAD for the processes it starts), and the two clocks stall logins
        clock = {name: value for name, value in os.environ.items() if name != "LD_PRELOAD" and "FAKETIME" not in name}
        self.process = subprocess.Popen(
            [str(DOVECOT), "-c", str(config), "-F"],
            env=clock,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,  # its own process group, stopped whole at the end
        )
        self._wait_until_listening()

    def _wait_until_listening(self, seconds: float = 20.0) -> None:
        deadline = time.monotonic() + seconds
        waiting = [self.imaps_port, self.starttls_port]
        while waiting:
            if self.process.poll() is not None:
                error = self.process.stderr.read().decode(errors="replace") if self.process.stderr else ""
                self.stop()
                pytest.fail(f"Dovecot stopped at start: {error.strip()[-500:]} {self.log()[-500:]}")
            try:
                with socket.create_connection(("127.0.0.1", waiting[0]), timeout=0.5):
                    waiting.pop(0)
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    pytest.fail(f"Dovecot did not listen within {seconds:.0f} s: {self.log()[-500:]}")
                time.sleep(0.05)

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
            except ProcessLookupError:
                pass
        if self.process.stderr:
            self.process.stderr.close()
        shutil.rmtree(self.root, ignore_errors=True)

    # As another mail program ---------------------------------------------------------------------------------

    def client(self, user: str) -> imaplib.IMAP4_SSL:
        context = ssl.create_default_context(cafile=str(self.cafile))
        client = imaplib.IMAP4_SSL("127.0.0.1", self.imaps_port, ssl_context=context, timeout=10)
        client.login(user, PASSWORD)
        return client

    def append(self, user: str, folder: str, *messages: EmailMessage, flags: str = "") -> None:
        """Put messages into the user's folder (made when missing), with IMAP flags such as '(\\Seen)'."""
        client = self.client(user)
        try:
            client.create(folder)  # NO when it exists: fine
            for message in messages:
                kind, data = client.append(folder, flags, None, message.as_bytes())
                assert kind == "OK", data
        finally:
            client.logout()

    def deliver(self, user: str, *messages: EmailMessage) -> None:
        """Put many messages into the user's INBOX at once, as a mail server's delivery does: files in its Maildir's
        new/ (far quicker than APPEND, one message at a time)."""
        inbox = mailbox.Maildir(self.root / "mail" / user, create=True)
        for message in messages:
            inbox.add(message.as_bytes())
        for path in [self.root / "mail" / user, *(self.root / "mail" / user).rglob("*")]:
            os.chown(path, self.uid, self.gid)

    def flags(self, user: str, folder: str) -> dict[str, str]:
        """{Message-ID: its flags} of the user's folder, read without changing them."""
        client = self.client(user)
        try:
            client.select(folder, readonly=True)
            _, data = client.fetch("1:*", "(FLAGS BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
        finally:
            client.logout()
        found: dict[str, str] = {}
        for item in data:
            if isinstance(item, tuple):
                flags = item[0].decode().split("FLAGS (", 1)[1].split(")", 1)[0]
                message_id = item[1].decode().split(":", 1)[1].strip()
                found[message_id] = flags
        return found


def message(sender: str, to: str, subject: str, day: int, *, mid: str, **extra: str) -> EmailMessage:
    """A message of November 2026 (a fixed day, whatever the machine's date) with a body the import must not read."""
    made = EmailMessage()
    made["From"] = sender
    made["To"] = to
    made["Subject"] = subject
    made["Date"] = format_datetime(datetime(2026, 11, day, 10, 0, tzinfo=UTC))
    made["Message-ID"] = mid
    for name, value in extra.items():
        made[name.replace("_", "-")] = value
    made.set_content("The body, which stays on the server.\n")
    return made


class MemoryKeyring(KeyringBackend):
    """A keyring in memory for the tests (`keyring.set_keyring`); with `default`, every password not kept is that
    one (any user on any host)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self, default: str | None = None) -> None:
        super().__init__()
        self.default = default
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username), self.default)

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.passwords.pop((service, username), None) is None:
            raise PasswordDeleteError("none kept")
