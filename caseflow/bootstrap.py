"""The composition root: the one place that builds an ``App`` and wires its adapters.

Every entry point (the command, the scheduler, the demo) asks ``bootstrap`` for its
App; the services below never import an adapter, they are handed what they need:
the database engine, the clock, the calendar, and the alert channels through
``App.channels()`` (SMTP, webhook and the log, as ``[alerts]`` in the config asks).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from caseflow.clock import Clock
from caseflow.config import Settings
from caseflow.services.app import App

if TYPE_CHECKING:
    from caseflow.services.ports import Channel


def bootstrap(settings: Settings | None = None, *, clock: Clock | None = None,
              database_url: str | None = None, create_database: bool = True) -> App:
    """The App of this process, its channels wired to the configured delivery servers
    (``create_database=False``: a missing SQLite file is refused, not created)."""
    app = App.from_settings(settings, clock=clock, database_url=database_url,
                            create_database=create_database)
    app.channel_factory = alert_channels
    return app


def alert_channels(app: App) -> list[Channel]:
    """The log channel always, then e-mail and webhook when ``[alerts]`` configures them."""
    from caseflow.adapters.notifiers.config import build_channels
    from caseflow.services.alerts import alert_settings

    return build_channels(alert_settings(app), clock=app.clock)
