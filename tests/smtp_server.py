"""A real SMTP server on loopback (aiosmtpd) that records what it received and can be told to fail."""
from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes


@dataclass
class Recorder:
    """The handler: accepts everything unless a plan says otherwise.

    rcpt_plan: address -> replies given to RCPT for it, one per try; once used up, the address is accepted.
    data_plan: replies given to DATA, one per transaction, before messages are accepted.
    """

    received: list[Received] = field(default_factory=list)
    rcpt_plan: dict[str, list[str]] = field(default_factory=dict)
    data_plan: list[str] = field(default_factory=list)
    logins: list[tuple[bytes, bool]] = field(default_factory=list)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        plan = self.rcpt_plan.get(address)
        if plan:
            return plan.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.data_plan:
            return self.data_plan.pop(0)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content
                                      or envelope.content))
        return "250 2.0.0 OK queued"


class Server:
    def __init__(self, port: int | None = None, **controller_kwargs):
        self.port = port or free_port()
        self.handler = Recorder()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, **controller_kwargs)

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()


def password_authenticator(username: bytes, password: bytes, echo: bool = False):
    """Accepts one login. With echo, a failed login's reply repeats the password it got (a hostile server)."""

    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = auth_data.login == username and auth_data.password == password
        server.event_handler.logins.append((auth_data.login, ok))
        if ok:
            return AuthResult(success=True)
        if echo:
            return AuthResult(success=False, handled=False,
                              message=f"535 5.7.8 bad password {auth_data.password.decode(errors='replace')}")
        return AuthResult(success=False, handled=False)

    return authenticate


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost, made with the openssl command."""
    if not shutil.which("openssl"):
        import pytest

        pytest.skip("the openssl command is needed to make a test certificate")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                   check=True, capture_output=True, timeout=60)
    return cert, key


def server_tls_context(cert: Path, key: Path) -> ssl.SSLContext:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    return ctx
