"""The channels the alert settings call for: built here, in the adapters, for the
composition root. The settings themselves (parsing ``[alerts]``) are read by the
services too, so they live in ``caseflow.services.alert_settings``."""

from __future__ import annotations

from caseflow.adapters.notifiers.email import SmtpChannel
from caseflow.adapters.notifiers.log import LogChannel
from caseflow.adapters.notifiers.webhook import WebhookChannel
from caseflow.clock import Clock
from caseflow.services.alert_settings import (
    MAX_BACKOFF,
    AlertSettings,
    EmailSettings,
    WebhookSettings,
    load_alert_settings,
)
from caseflow.services.ports import Channel

__all__ = ["MAX_BACKOFF", "AlertSettings", "EmailSettings", "WebhookSettings",
           "build_channels", "load_alert_settings"]


def build_channels(settings: AlertSettings, *, clock: Clock | None = None) -> list[Channel]:
    """The log channel always, then e-mail and webhook when configured."""
    channels: list[Channel] = [LogChannel()]
    if settings.email is not None:
        e = settings.email
        channels.append(SmtpChannel(
            e.host, e.port, e.sender, username=e.username, password=e.password,
            starttls=e.starttls, timeout=e.timeout, sender_name=e.sender_name, clock=clock,
        ))
    if settings.webhook is not None:
        w = settings.webhook
        channels.append(WebhookChannel(w.url, timeout=w.timeout, headers=w.headers))
    return channels
