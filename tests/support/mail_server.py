"""A real SMTP server on 127.0.0.1 for tests (aiosmtpd), recording what it accepts.

It can be stopped and started again on the same port (to stage an outage and a
recovery), refuse chosen recipients or the message with a given reply, require a
login, and offer STARTTLS with a throwaway self-signed certificate.
"""

from __future__ import annotations

import socket
import ssl
import subprocess
import threading
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

HOST = "127.0.0.1"


@dataclass(frozen=True)
class ReceivedMail:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes
    message: EmailMessage
    login: str | None

    @property
    def text(self) -> str:
        """The decoded plain-text body."""
        part = self.message.get_body(preferencelist=("plain",))
        assert part is not None, "message has no text/plain body"
        return part.get_content()


class _Handler:
    def __init__(self, server: MailServer) -> None:
        self.server = server

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        refusal = self.server.refuse_recipients.get(address)
        if refusal:
            return refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.server.data_reply:
            return self.server.data_reply
        raw = envelope.original_content or envelope.content
        parsed = BytesParser(policy=policy.default).parsebytes(raw)
        assert isinstance(parsed, EmailMessage)
        login = session.auth_data if isinstance(session.auth_data, str) else None
        with self.server._lock:
            self.server.messages.append(ReceivedMail(
                mail_from=envelope.mail_from, rcpt_tos=list(envelope.rcpt_tos), raw=raw,
                message=parsed, login=login,
            ))
        return "250 Message accepted for delivery"


def free_port(host: str = HOST) -> int:
    """An ephemeral port that was free a moment ago (aiosmtpd cannot bind to port 0)."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def make_self_signed_cert(directory: Path, host: str = HOST) -> tuple[Path, Path]:
    """Write a one-day certificate for ``host`` (IP SAN) with the openssl CLI."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-days", "1", "-subj", f"/CN={host}", "-addext", f"subjectAltName=IP:{host}",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )
    return cert, key


class MailServer:
    """aiosmtpd on 127.0.0.1; ``messages`` holds every accepted e-mail, in order."""

    def __init__(
        self,
        *,
        credentials: dict[str, str] | None = None,
        tls_cert: tuple[Path, Path] | None = None,
    ) -> None:
        self.port = free_port()
        self.messages: list[ReceivedMail] = []
        # address -> SMTP reply, e.g. "550 5.1.1 no such user" or "450 4.2.1 try later"
        self.refuse_recipients: dict[str, str] = {}
        # when set, DATA is answered with this reply and nothing is recorded
        self.data_reply: str | None = None
        self.credentials = credentials
        self.tls_cert = tls_cert
        self._lock = threading.Lock()
        self._controller: Controller | None = None

    @property
    def running(self) -> bool:
        return self._controller is not None

    def start(self) -> MailServer:
        """Listen (again) on ``self.port``."""
        if self._controller is not None:
            return self
        kwargs: dict[str, Any] = {}
        if self.credentials is not None:
            kwargs.update(authenticator=self._authenticate, auth_require_tls=False)
        if self.tls_cert is not None:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(*map(str, self.tls_cert))
            kwargs.update(tls_context=context, require_starttls=True)
        controller = Controller(_Handler(self), hostname=HOST, port=self.port, **kwargs)
        controller.start()
        self._controller = controller
        return self

    def stop(self) -> None:
        """Stop listening; connections are then refused until start()."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def _authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str,
                      auth_data: Any) -> AuthResult:
        if isinstance(auth_data, LoginPassword) and self.credentials is not None:
            login, password = auth_data.login.decode(), auth_data.password.decode()
            if self.credentials.get(login) == password:
                return AuthResult(success=True, auth_data=login)
        return AuthResult(success=False, handled=False)
