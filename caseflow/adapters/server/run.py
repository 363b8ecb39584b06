"""Running the server: uvicorn with N worker processes, each building its own App.

Each worker process calls ``asgi()`` (uvicorn's ``factory=True``), which reads the
same settings the command does (``CASEFLOW_DATABASE_URL``, the config file), so
``caseflow serve --db URL --workers 4`` gives four processes on one database. On
SIGTERM uvicorn stops accepting, finishes the requests in flight and exits 0.
"""

from __future__ import annotations

import logging
import os
import signal
from typing import Any

from caseflow.adapters.server.factory import create_app


def asgi() -> Any:
    """The application of one worker process, on the configured database."""
    from caseflow.adapters.cli.context import _clock
    from caseflow.persistence.migrate import require_current
    from caseflow.services.app import App

    app = App.from_settings(clock=_clock())
    require_current(app.engine)
    return create_app(app)


def serve(host: str, port: int, workers: int, *, database_url: str | None = None,
          forwarded_allow_ips: str | None = None, log_level: str = "info") -> None:
    import uvicorn

    if database_url:  # the worker processes read it from the environment
        os.environ["CASEFLOW_DATABASE_URL"] = database_url
    asgi()  # refuse to start on a database without the current schema, before forking
    # uvicorn drains the requests in flight on SIGTERM, then raises the signal again
    # under the handler it found: make that an ordinary exit (status 0), as systemd
    # expects of a clean stop
    signal.signal(signal.SIGTERM, _exit_cleanly)
    logging.getLogger("uvicorn.access").addFilter(_NoQuery())
    uvicorn.run("caseflow.adapters.server.run:asgi", factory=True, host=host, port=port,
                workers=workers if workers > 1 else None, proxy_headers=True,
                forwarded_allow_ips=forwarded_allow_ips or "127.0.0.1",
                server_header=False, date_header=True, log_level=log_level,
                timeout_graceful_shutdown=20)


def _exit_cleanly(signum: int, frame: Any) -> None:
    raise SystemExit(0)


class _NoQuery(logging.Filter):
    """Access log lines show the path, never a query string (nothing secret travels
    there, and nothing should start to)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], args[2].split("?")[0], *args[3:])
        return True
