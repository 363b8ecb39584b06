"""Schema creation and upgrades through alembic (never ``create_all``).

``SCHEMA_HEAD`` lets every command check in one cheap query that the database is
current without importing alembic; a test keeps it equal to alembic's head.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from caseflow.errors import Refused

SCHEMA_HEAD = "0009_accounts"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def _alembic_config(connection: sa.Connection):  # type: ignore[no-untyped-def]
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply every pending migration in one transaction."""
    with engine.begin() as connection:
        upgrade_on(connection, revision)


def upgrade_on(connection: sa.Connection, revision: str = "head") -> None:
    """Apply migrations on ``connection``, inside the caller's transaction (so that a
    refusal later in that transaction leaves no schema behind)."""
    from alembic import command

    current = _revision_on(connection)
    if current is not None and not is_known(current):
        raise Refused("the database schema is at {revision}, which is newer than this "
                      "caseflow knows (its newest is {head})", revision=current,
                      head=SCHEMA_HEAD,
                      hint="use the caseflow version that wrote this database, or a newer one")
    if revision != "head" and not is_known(revision):
        raise Refused("schema {revision} is unknown to this caseflow (its newest is {head})",
                      revision=revision, head=SCHEMA_HEAD,
                      hint="use the caseflow version that wrote it, or a newer one")
    command.upgrade(_alembic_config(connection), revision)


def is_known(revision: str) -> bool:
    """True when ``revision`` is one of this caseflow's migrations."""
    from alembic.script import ScriptDirectory

    if revision == SCHEMA_HEAD:
        return True
    script = ScriptDirectory.from_config(_alembic_config(None))  # type: ignore[arg-type]
    try:
        return script.get_revision(revision) is not None
    except Exception:  # alembic raises its own lookup errors for unknown ids
        return False


def alembic_head() -> str:
    from alembic.script import ScriptDirectory

    cfg = _alembic_config(None)  # type: ignore[arg-type]
    head = ScriptDirectory.from_config(cfg).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The schema's revision, read in a deferred transaction: checking it must not take
    SQLite's write lock, or every command would queue behind a running sweep."""
    with engine.connect().execution_options(sqlite_begin="DEFERRED") as conn:
        try:
            row = conn.execute(sa.text("SELECT version_num FROM alembic_version")).first()
        except sa.exc.DatabaseError:
            return None
    return row[0] if row else None


def _revision_on(conn: sa.Connection) -> str | None:
    if not sa.inspect(conn).has_table("alembic_version"):
        return None
    row = conn.execute(sa.text("SELECT version_num FROM alembic_version")).first()
    return row[0] if row else None


def require_current(engine: Engine) -> None:
    """Refuse to work on a database whose schema is missing or out of date."""
    revision = current_revision(engine)
    if revision == SCHEMA_HEAD:
        return
    if revision is None:
        raise Refused("the database has no caseflow schema yet",
                      hint="run `caseflow init --admin LOGIN`")
    if not is_known(revision):
        raise Refused("the database schema is at {revision}, which is newer than this "
                      "caseflow knows (its newest is {head})", revision=revision,
                      head=SCHEMA_HEAD,
                      hint="use the caseflow version that wrote this database, or a newer one")
    raise Refused(f"the database schema is at {revision}, this caseflow needs {SCHEMA_HEAD}",
                  hint="run `caseflow db upgrade`")
