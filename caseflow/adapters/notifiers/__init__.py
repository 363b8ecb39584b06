"""Alert delivery channels: SMTP e-mail, an HTTP webhook and the log.

A leaf adapter with no database: the dispatcher turns outbox rows into
``AlertMessage`` values and hands them to these channels, which deliver or raise
``DeliveryError`` (with ``retryable``) so the dispatcher can back off or give up.
"""

from caseflow.adapters.notifiers.base import Channel, DeliveryError, close_channels
from caseflow.adapters.notifiers.config import (
    AlertSettings,
    EmailSettings,
    WebhookSettings,
    build_channels,
    load_alert_settings,
)
from caseflow.adapters.notifiers.email import SmtpChannel
from caseflow.adapters.notifiers.log import LogChannel
from caseflow.adapters.notifiers.message import AlertMessage
from caseflow.adapters.notifiers.webhook import WebhookChannel

__all__ = [
    "AlertMessage",
    "AlertSettings",
    "Channel",
    "DeliveryError",
    "EmailSettings",
    "LogChannel",
    "SmtpChannel",
    "WebhookChannel",
    "WebhookSettings",
    "build_channels",
    "close_channels",
    "load_alert_settings",
]
