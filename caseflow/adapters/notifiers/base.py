"""What a delivery channel is, and how it reports failure.

A channel either returns (delivered) or raises ``DeliveryError``. ``retryable`` tells
the dispatcher whether to keep the alert queued with backoff (the server may come
back) or mark it failed at once (retrying cannot help until someone fixes data or
configuration, e.g. a user without an e-mail address or a webhook answering 4xx).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, runtime_checkable

from caseflow.adapters.notifiers.message import AlertMessage
from caseflow.redact import mask


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
