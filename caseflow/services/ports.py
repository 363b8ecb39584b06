"""The ports services talk to and adapters implement: alert channels and their messages.

A service never imports an adapter. The dispatcher (``services.alerts``) hands an
``AlertMessage`` to whatever ``Channel``s the composition root built (SMTP, webhook,
robots, the log); a channel delivers or raises ``DeliveryError``. The alert settings
the services read live in ``services.alert_settings``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

from caseflow.redact import mask

AlertKind = Literal["escalation", "reminder", "digest"]
ALERT_KINDS: tuple[str, ...] = ("escalation", "reminder", "digest")


@dataclass(frozen=True)
class AlertMessage:
    """One alert for one recipient.

    ``alert_id`` is the outbox row id: channels use it to make delivery idempotent
    (the webhook's ``Idempotency-Key``, the e-mail's ``Message-ID``), so a retry after
    an ambiguous failure can be recognised downstream as the same alert.
    ``payload`` must be JSON-able (ticket_id, case_id, level, title, due_at as ISO
    text ...); the webhook forwards it as is.
    """

    alert_id: int
    kind: str
    recipient_login: str
    recipient_name: str
    recipient_email: str | None
    subject: str
    body: str
    payload: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in ALERT_KINDS:
            kinds = ", ".join(ALERT_KINDS)
            raise ValueError(f"alert kind must be one of {kinds}, got {self.kind!r}")


class DeliveryError(Exception):
    """A channel could not deliver an alert; ``retryable`` says whether to try again later."""

    def __init__(self, message: str, *, retryable: bool, channel: str = "") -> None:
        message = mask(message)  # channel errors quote URLs: robot keys never leave here
        super().__init__(message)
        self.message = message
        self.retryable = retryable
        self.channel = channel

    def __str__(self) -> str:
        prefix = f"{self.channel}: " if self.channel else ""
        kind = "will retry" if self.retryable else "not retryable"
        return f"{prefix}{self.message} ({kind})"


@runtime_checkable
class Channel(Protocol):
    """A way to deliver alerts; ``name`` is what the outbox records ("email", "webhook", "log")."""

    name: str

    def send(self, message: AlertMessage) -> None:
        """Deliver ``message`` or raise ``DeliveryError``."""
        ...


def close_channels(channels: Iterable[object]) -> None:
    """Release what channels hold open (HTTP connection pools); skip those without close()."""
    for channel in channels:
        close = getattr(channel, "close", None)
        if callable(close):
            close()
