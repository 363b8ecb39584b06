"""SMTP e-mail with stdlib smtplib.

Chinese subjects, names and bodies are the normal case here, so the message is built
with ``email.message.EmailMessage`` under the default policy: headers are RFC 2047
encoded (UTF-8) and the body is UTF-8 in base64, which every mail server accepts
without 8BITMIME/SMTPUTF8 support. One connection per alert keeps failure handling
simple: an alert is either accepted by the server or raises ``DeliveryError``.
"""

from __future__ import annotations

import smtplib
import ssl
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from caseflow.adapters.notifiers.base import DeliveryError
from caseflow.adapters.notifiers.message import AlertMessage
from caseflow.clock import SHANGHAI, Clock, SystemClock
from caseflow.services.alert_settings import DEFAULT_SENDER_NAME


class SmtpChannel:
    """Delivers alerts as e-mail through one SMTP server (optionally STARTTLS and login)."""

    name = "email"

    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        username: str | None = None,
        password: str | None = None,
        starttls: bool = False,
        timeout: float = 10.0,
        *,
        sender_name: str = DEFAULT_SENDER_NAME,
        tls_context: ssl.SSLContext | None = None,
        clock: Clock | None = None,
    ) -> None:
        if password is not None and username is None:
            raise ValueError("an SMTP password needs a username")
        self.host = host
        self.port = port
        self.sender = sender
        self.username = username
        self.password = password
        self.starttls = starttls
        self.timeout = timeout
        self.sender_name = sender_name
        self.tls_context = tls_context
        self.clock: Clock = clock or SystemClock()
        self._from = Address(display_name=sender_name, addr_spec=sender)

    def build_message(self, message: AlertMessage) -> EmailMessage:
        """The e-mail for ``message``; raises a non-retryable DeliveryError if it has no address."""
        if not message.recipient_email:
            raise DeliveryError(
                f"user {message.recipient_login} has no e-mail address; "
                f"add one with `caseflow user add --email`",
                retryable=False,
                channel=self.name,
            )
        try:
            to = Address(display_name=message.recipient_name, addr_spec=message.recipient_email)
        except (ValueError, IndexError, HeaderParseError) as exc:
            raise DeliveryError(
                f"user {message.recipient_login} has an unusable e-mail address "
                f"{message.recipient_email!r}: {exc}",
                retryable=False,
                channel=self.name,
            ) from exc
        mail = EmailMessage()
        mail["Subject"] = message.subject
        mail["From"] = self._from
        mail["To"] = to
        mail["Date"] = format_datetime(self.clock.now().astimezone(SHANGHAI))
        mail["Message-ID"] = make_msgid("caseflow", domain=self._from.domain or None)
        # Lets mail filters and the duplicate-delivery test recognise one alert.
        mail["X-Caseflow-Alert-Id"] = str(message.alert_id)
        mail["X-Caseflow-Alert-Kind"] = message.kind
        mail.set_content(message.body, charset="utf-8", cte="base64")
        return mail

    def send(self, message: AlertMessage) -> None:
        mail = self.build_message(message)
        smtp: smtplib.SMTP | None = None
        try:
            # Connecting in the constructor also records the host name STARTTLS verifies.
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            if self.starttls:
                smtp.starttls(context=self.tls_context or ssl.create_default_context())
            if self.username is not None:
                smtp.login(self.username, self.password or "")
            smtp.send_message(mail)
        except (smtplib.SMTPException, OSError) as exc:
            raise self._classify(exc) from exc
        finally:
            if smtp is not None:
                self._quit(smtp)

    def close(self) -> None:
        """Nothing held between alerts; present so all channels can be closed alike."""

    def _quit(self, smtp: smtplib.SMTP) -> None:
        # Once the server accepted the message, a failing QUIT must not turn into a
        # retry (that would send the alert twice).
        try:
            if smtp.sock is not None:
                smtp.quit()
        except (smtplib.SMTPException, OSError):
            pass
        finally:
            smtp.close()

    def _classify(self, exc: BaseException) -> DeliveryError:
        where = f"SMTP server {self.host}:{self.port}"
        if isinstance(exc, smtplib.SMTPRecipientsRefused):
            codes = [code for code, _ in exc.recipients.values()]
            details = "; ".join(
                f"{addr}: {code} {_text(msg)}" for addr, (code, msg) in exc.recipients.items()
            )
            return DeliveryError(
                f"{where} refused the recipient ({details})",
                retryable=all(400 <= code < 500 for code in codes),
                channel=self.name,
            )
        if isinstance(exc, smtplib.SMTPResponseException):
            # 4xx is a transient refusal (greylisting, busy), 5xx a permanent one
            # (bad login, sender not allowed, message rejected).
            code = exc.smtp_code
            return DeliveryError(
                f"{where} answered {code} {_text(exc.smtp_error)}",
                retryable=not 500 <= code < 600,
                channel=self.name,
            )
        if isinstance(exc, smtplib.SMTPNotSupportedError):
            return DeliveryError(
                f"{where} does not support what the configuration asks for: {exc}",
                retryable=False,
                channel=self.name,
            )
        if isinstance(exc, ssl.SSLCertVerificationError):
            return DeliveryError(
                f"{where} has a TLS certificate that cannot be verified: {exc.verify_message}",
                retryable=False,
                channel=self.name,
            )
        # Refused or reset connections, timeouts, DNS failures, dropped sessions.
        return DeliveryError(
            f"{where} unreachable: {exc.__class__.__name__}: {exc}",
            retryable=True,
            channel=self.name,
        )


def _text(value: bytes | str) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value
