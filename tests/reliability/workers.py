"""Code that runs in separate processes during the reliability tests (spawned, so it
must be importable and build its own App from the database URL)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from caseflow.clock import SystemClock
from caseflow.config import Settings, bundled_workflows_dir
from caseflow.errors import CaseflowError
from caseflow.persistence.db import make_engine
from caseflow.services import directory, tickets
from caseflow.services.app import App


def app_for(url: str) -> App:
    settings = Settings(database_url=url, config_path=Path("/nonexistent/config.toml"),
                        workflow_dirs=[bundled_workflows_dir()])
    return App(engine=make_engine(url), settings=settings, clock=SystemClock())


def race(url: str, login: str, action: str, ticket_id: int, arg: str, barrier: Any,
         results: Any) -> None:
    """Wait for the others, then do one thing to the work order and report how it went."""
    app = app_for(url)
    actor = directory.resolve_actor(app, login)
    barrier.wait(timeout=60)
    try:
        if action == "close":
            tickets.close(app, actor, ticket_id, f"closed by {login}")
        elif action == "assign":
            tickets.assign(app, actor, ticket_id, arg)
        else:
            raise ValueError(action)
        results.put((login, action, arg, "ok", ""))
    except CaseflowError as error:
        results.put((login, action, arg, type(error).__name__, str(error)))
    except Exception as error:  # anything else is a bug the test must show
        results.put((login, action, arg, "CRASH", repr(error)))
    finally:
        app.engine.dispose()
