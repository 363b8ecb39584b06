"""The log channel: always on, so every alert leaves a trace even with no server configured."""

from __future__ import annotations

import logging

from caseflow.adapters.notifiers.message import AlertMessage


class LogChannel:
    """Writes one INFO line per alert to ``logger_name``."""

    name = "log"

    def __init__(self, logger_name: str = "caseflow.alerts") -> None:
        self.logger = logging.getLogger(logger_name)

    def send(self, message: AlertMessage) -> None:
        payload = message.payload
        self.logger.info(
            "alert %d %s to %s (%s) ticket=%s level=%s: %s",
            message.alert_id,
            message.kind,
            message.recipient_login,
            message.recipient_name,
            payload.get("ticket_id", "-"),
            payload.get("level", "-"),
            # One line per alert, whatever the subject contains.
            " ".join(message.subject.split()),
        )

    def close(self) -> None:
        """Nothing to release; present so all channels can be closed alike."""
