"""Engines for SQLite (embedded default) and PostgreSQL (shared deployment).

SQLite runs in WAL mode with foreign keys and a busy timeout, and write
transactions start with ``BEGIN IMMEDIATE`` so that two writers queue on the lock
instead of failing half-way with "database is locked" when a read turns into a write.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine

from caseflow.errors import ConfigError, Refused
from caseflow.files import FILE_MODE

BUSY_TIMEOUT_MS = 30_000
#: A PostgreSQL server that accepts and never answers fails the command after this long.
CONNECT_TIMEOUT_S = 10
#: No statement runs longer on PostgreSQL (a city-wide sweep takes well under a minute).
STATEMENT_TIMEOUT_S = 600


def make_engine(url: str, *, create: bool = True, connect_timeout: float | None = None,
                statement_timeout: float | None = None, **kwargs: Any) -> Engine:
    """An engine for ``url``. ``create=False``: a missing SQLite file is refused instead
    of created (a mistyped path must not leave an empty database behind)."""
    if url.startswith("sqlite"):
        return _sqlite_engine(url, create=create, **kwargs)
    if url.startswith("postgresql"):
        connect = float(connect_timeout or CONNECT_TIMEOUT_S)
        statement = float(statement_timeout or STATEMENT_TIMEOUT_S)
        args = {"connect_timeout": max(1, round(connect)),
                "options": f"-c statement_timeout={round(statement * 1000)}"}
        args |= kwargs.pop("connect_args", {})
        return sa.create_engine(url, pool_pre_ping=True, connect_args=args, **kwargs)
    raise ConfigError(f"unsupported database URL {url!r}: use sqlite:///FILE or postgresql://...")


def sqlite_file(url: str) -> Path | None:
    """The file of an SQLite URL (None for PostgreSQL, :memory: or a URI)."""
    if not url.startswith("sqlite"):
        return None
    database = sa.engine.make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database).expanduser()


def _writable(path: Path) -> bool:
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK | os.X_OK)


def _sqlite_engine(url: str, *, create: bool, **kwargs: Any) -> Engine:
    path = sqlite_file(url)
    engine = sa.create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000}, **kwargs)
    readonly = {"on": False}

    @event.listens_for(engine, "do_connect")
    def _open(dialect: Any, _record: Any, cargs: Any, cparams: Any) -> Any:
        if path is None:
            return None  # :memory: or a URI: sqlite3 as SQLAlchemy would call it
        if not path.exists():
            if not create:
                raise Refused("no caseflow database at {path}", path=path,
                              hint="check --db or CASEFLOW_DATABASE_URL; "
                                   "`caseflow init --admin LOGIN` creates one")
            path.parent.mkdir(parents=True, exist_ok=True)
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, FILE_MODE))  # two at once: fine
        if _writable(path):
            return None
        # A database we may only read (a read-only directory or file): open it read-only
        # and immutable, since the WAL index (-shm) cannot be created next to it.
        readonly["on"] = True
        import sqlite3
        from urllib.parse import quote

        uri = f"file:{quote(str(path.resolve()))}?mode=ro&immutable=1"
        return sqlite3.connect(uri, uri=True, **{k: v for k, v in cparams.items()
                                                 if k not in ("uri",)})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves, below
        cursor = dbapi_conn.cursor()
        if not readonly["on"]:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        if readonly["on"]:
            mode = "DEFERRED"  # a write then fails as "readonly database" (said in one line)
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"
