"""Migrations build the schema; data survives upgrades; SQLite runs as configured."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory

from caseflow.errors import Refused
from caseflow.persistence import migrate
from caseflow.persistence.db import make_engine
from caseflow.services import cases, directory
from caseflow.services.app import App
from tests.conftest import Town


def test_schema_head_constant_matches_alembic() -> None:
    assert migrate.alembic_head() == migrate.SCHEMA_HEAD


def test_every_migration_upgrades_with_data_kept(tmp_path: Path) -> None:
    """Walk the chain one revision at a time with a user's rows in place."""
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    script = ScriptDirectory(str(migrate.MIGRATIONS))
    revisions = [r.revision for r in reversed(list(script.walk_revisions()))]
    migrate.upgrade(engine, revisions[0])
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO team (code, name, created_at) "
                             "VALUES ('office', '指挥部办公室', '2026-01-05 01:00:00')"))
    for revision in revisions[1:]:
        migrate.upgrade(engine, revision)
    assert migrate.current_revision(engine) == migrate.SCHEMA_HEAD
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT name FROM team")).scalar_one() == "指挥部办公室"


def test_empty_and_outdated_databases_are_refused_with_advice(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    with pytest.raises(Refused, match="caseflow init"):
        migrate.require_current(engine)


def test_sqlite_pragmas(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'p.db'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000


def test_timestamps_come_back_aware_utc(app: App, town: Town) -> None:
    view = cases.add_case(app, town.admin, "SW01", cases.NewCase(name="企业乙"))
    assert view.created_at.utcoffset() is not None
    assert view.created_at == app.clock.now()
    assert directory.list_users(app)[0].login == "lead1"
