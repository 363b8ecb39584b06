"""The one thing every channel delivers: an alert already rendered for one person.

The dispatcher builds an ``AlertMessage`` from an outbox row; channels only format
and transport it, so they need no database and can be tested against real servers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

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
