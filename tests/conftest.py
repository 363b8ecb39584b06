"""Shared fixtures: every test that takes ``app`` runs on SQLite, and again on
PostgreSQL when ``CASEFLOW_TEST_DATABASE_URL`` is set.

SQLite tests copy a database migrated once per session; PostgreSQL tests share one
migrated schema and truncate it between tests. Both are built by the real alembic
migrations, never ``create_all``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import settings

from caseflow.clock import SHANGHAI, FixedClock
from caseflow.config import Settings, bundled_workflows_dir
from caseflow.persistence import migrate
from caseflow.persistence.db import make_engine
from caseflow.services import directory, projects
from caseflow.services.app import App
from caseflow.services.permissions import Actor

# Speed is measured in `make bench`, never asserted here: on a machine shared by a
# whole team a per-example deadline only measures the neighbours.
settings.register_profile("caseflow", deadline=None)
settings.load_profile("caseflow")


@pytest.fixture(autouse=True)
def _source_language() -> Iterator[None]:
    """Each test starts in English (the source language), whatever the one before
    chose: the current language is process-wide, as it is for one command."""
    from caseflow import i18n
    from caseflow.adapters.cli import context

    i18n.use("en")
    context._warned.clear()
    yield
    i18n.use("en")

PG_URL = os.environ.get("CASEFLOW_TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "caseflow.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    engine.dispose()  # closing the last connection checkpoints the WAL into the file
    assert not path.with_name("caseflow.db-wal").exists()
    return path


@pytest.fixture(scope="session")
def pg_tables() -> list[str]:
    """Reset the PostgreSQL test database once per session; return its table names."""
    assert PG_URL
    engine = make_engine(PG_URL)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    migrate.upgrade(engine)
    tables = [t for t in sa.inspect(engine).get_table_names() if t != "alembic_version"]
    engine.dispose()
    return tables


def fresh_database(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    if kind == "sqlite":
        target = tmp_path / "caseflow.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), target)
        return f"sqlite:///{target}"
    tables = request.getfixturevalue("pg_tables")
    assert PG_URL
    engine = make_engine(PG_URL)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
    engine.dispose()
    return PG_URL


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return fresh_database(request.param, tmp_path, request)


@pytest.fixture
def clock() -> FixedClock:
    """Monday 2 March 2026, 09:00 in Shanghai."""
    return FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI))


def make_app(url: str, clock: FixedClock, tmp_path: Path) -> App:
    settings = Settings(database_url=url, config_path=tmp_path / "config.toml",
                        workflow_dirs=[bundled_workflows_dir()])
    return App(engine=make_engine(url), settings=settings, clock=clock)


@pytest.fixture
def app(database_url: str, clock: FixedClock, tmp_path: Path) -> Iterator[App]:
    application = make_app(database_url, clock, tmp_path)
    yield application
    application.engine.dispose()


@dataclass
class Town:
    """A small Shenwan-like town: the command office and two task forces."""

    admin: Actor
    lead: Actor          # lead of the negotiation task force
    member: Actor        # zhang, negotiation
    other_member: Actor  # wang, negotiation
    outsider: Actor      # zhao, demolition
    supervisor: Actor


@pytest.fixture
def town(app: App) -> Town:
    directory.add_user(app, None, "root", "管理员", "admin")
    admin = directory.resolve_actor(app, "root")
    for code, name in [("office", "指挥部办公室"), ("negotiation", "谈判专班"),
                       ("relocation", "腾挪安置专班"), ("demolition", "拆除整备专班"),
                       ("investment", "招商建设专班")]:
        directory.add_team(app, admin, code, name)
    directory.add_user(app, admin, "lead1", "李组长", "lead", team="negotiation",
                       email="lead1@town.example")
    directory.add_user(app, admin, "zhang", "张三", "member", team="negotiation",
                       email="zhang@town.example")
    directory.add_user(app, admin, "wang", "王五", "member", team="negotiation")
    directory.add_user(app, admin, "zhao", "赵六", "member", team="demolition")
    directory.add_user(app, admin, "sup", "陈督查", "supervisor", email="sup@town.example")
    projects.add_project(app, admin, "SW01", "神湾镇定溪工业园", "神湾镇", "gongai",
                         area_mu=300.0, target_mu=250.0)
    projects.add_project(app, admin, "TX01", "桐乡石门退散进集", "桐乡市", "tuisan",
                         area_mu=45.0, target_mu=45.0)
    r = directory.resolve_actor
    return Town(admin=admin, lead=r(app, "lead1"), member=r(app, "zhang"),
                other_member=r(app, "wang"), outsider=r(app, "zhao"),
                supervisor=r(app, "sup"))
