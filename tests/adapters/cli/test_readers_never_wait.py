"""Read-only commands never take SQLite's write lock: a member's ``ticket list
--mine`` answers while a sweep (or any writer) holds the lock, instead of queueing
behind it. The lock is held here by another connection with ``BEGIN IMMEDIATE``, and
the busy timeout is cut to a tenth of a second, so a command that asked for the write
lock would fail with "database is locked" rather than answer."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from caseflow.persistence import db
from caseflow.services import cases
from caseflow.services.app import App
from caseflow.services.cases import NewCase

READERS = [
    ("ticket", "list", "--mine"), ("ticket", "list", "--all", "--json"),
    ("case", "list", "--project", "SW01"), ("clearlist",), ("clearlist", "--json"),
    ("alerts", "list"), ("report", "progress"), ("user", "list"),
]


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """SQLite only: its write lock is the subject (PostgreSQL readers never block on
    writers), so these run on SQLite rather than being skipped on PostgreSQL."""
    from tests.conftest import fresh_database

    return fresh_database("sqlite", tmp_path, request)


@pytest.fixture
def locked(app: App, town: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    cases.add_case(app, town.lead, "SW01", NewCase(name="神湾五金厂", team="negotiation"))
    monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", 100)
    writer = sqlite3.connect(app.engine.url.database, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE app_user SET name = name")
    yield writer
    writer.rollback()
    writer.close()


@pytest.mark.parametrize("args", READERS, ids=" ".join)
def test_a_reader_answers_while_a_writer_holds_the_lock(cli: Any, locked: Any,
                                                        args: tuple[str, ...]) -> None:
    result = cli(*args, user="zhang" if args[-1] == "--mine" else "root")
    assert result.code == 0, result.err
    assert "locked" not in result.err


def test_a_writer_still_queues_on_the_lock(cli: Any, locked: Any) -> None:
    """The control: a command that writes does wait for the lock (and, with the
    shortened timeout, gives up with one line), so the test above can fail."""
    result = cli("team", "add", "planning", "--name", "规划专班")
    assert result.code == 1 and "locked" in result.err
