"""Export and restore: a dump restored into an empty database is the same database."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from caseflow.errors import InvalidInput, Refused
from caseflow.persistence import migrate
from caseflow.persistence.db import make_engine
from caseflow.services import cases, dump, tickets
from caseflow.services.app import App
from tests.conftest import PG_URL, Town, make_app


def _activity(app: App, town: Town) -> None:
    ids = cases.add_cases(app, town.admin, "SW01", [
        cases.NewCase("中山市兴华五金制品有限公司", "91442000MA4UJ5XQ06", 12.5, team="negotiation"),
        cases.NewCase("中山市永利灯饰有限公司", None, 3.25, team="negotiation"),
    ])
    open_orders = tickets.list_tickets(app, town.admin, scope="all", case_id=ids[0])
    ours = [t for t in open_orders if t.team == "negotiation"]
    from caseflow.services import evidence
    from tests.adapters.cli.test_evidence import photo

    picture = photo(Path(tempfile.mkdtemp()) / "现场.jpg")
    tickets.close(app, town.member, ours[0].id, "已现场核查，完成",
                  evidence=[evidence.Upload("现场.jpg", picture.read_bytes())])
    tickets.comment(app, town.supervisor, open_orders[1].id, "请加快进度")


def _snapshot(app: App) -> dict[str, list[tuple[object, ...]]]:
    """Every row as caseflow reads it (typed: aware datetimes, decoded JSON)."""
    from caseflow.persistence.models import metadata

    with app.engine.connect() as conn:
        return {name: [tuple(r) for r in conn.execute(
            sa.select(metadata.tables[name]).order_by(
                *metadata.tables[name].primary_key.columns))]
            for name in dump.TABLES}


@pytest.fixture
def empty_url(database_url: str, tmp_path: Path) -> str:
    """A second, empty database of the same kind as ``app``'s."""
    if database_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'restored.db'}"
    assert PG_URL
    base, _, name = PG_URL.rpartition("/")
    restore = f"{name.split('?')[0]}_restore"  # one per test database: runs do not collide
    admin = make_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{restore}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{restore}"')
    admin.dispose()
    return f"{base}/{restore}"


def test_round_trip_restores_every_row(app: App, town: Town, empty_url: str,
                                       tmp_path: Path) -> None:
    _activity(app, town)
    path = tmp_path / "town.json"
    summary = dump.export_to_file(app, town.admin, path)
    header = json.loads(path.read_text(encoding="utf-8"))
    assert header["format"] == "caseflow-dump" and header["schema_revision"] == migrate.SCHEMA_HEAD
    assert summary.rows["audit_event"] == len(header["tables"]["audit_event"]["rows"]) > 10

    target = make_app(empty_url, app.clock, tmp_path)  # type: ignore[arg-type]
    restored = dump.import_dump(target, path)
    assert restored.rows == summary.rows
    assert _snapshot(target) == _snapshot(app)
    # the restored database keeps working: new ids do not collide with restored ones
    new_ids = cases.add_cases(target, town.admin, "SW01", [cases.NewCase("中山市新增电器有限公司")])
    assert new_ids[0] > max(r[0] for r in _snapshot(app)["enterprise_case"])
    target.engine.dispose()


def test_restore_refuses_a_database_with_data(app: App, town: Town, tmp_path: Path) -> None:
    path = tmp_path / "town.json"
    dump.export_to_file(app, town.admin, path)
    with pytest.raises(Refused, match="not empty"):
        dump.import_dump(app, path)


def test_a_damaged_dump_restores_nothing(app: App, town: Town, empty_url: str,
                                         tmp_path: Path) -> None:
    _activity(app, town)
    path = tmp_path / "town.json"
    dump.export_to_file(app, town.admin, path)
    text = path.read_text(encoding="utf-8")
    cut = tmp_path / "cut.json"
    cut.write_text(text[: int(len(text) * 0.8)], encoding="utf-8")
    target = make_app(empty_url, app.clock, tmp_path)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="nothing was restored"):
        dump.import_dump(target, cut)
    # nothing at all: schema, rows and upgrade are one transaction (no half schema left)
    assert "team" not in sa.inspect(target.engine).get_table_names()
    # and the good file then restores into the same (still empty) database
    assert dump.import_dump(target, path).rows["team"] == 5
    target.engine.dispose()


def test_not_a_dump_is_refused_clearly(app: App, tmp_path: Path) -> None:
    path = tmp_path / "other.json"
    path.write_text('{"name": "x"}', encoding="utf-8")
    with pytest.raises(InvalidInput, match="not a caseflow dump"):
        dump.import_dump(app, path)


def test_only_an_admin_exports(app: App, town: Town, tmp_path: Path) -> None:
    from caseflow.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        dump.export_to_file(app, town.member, tmp_path / "x.json")
    assert not (tmp_path / "x.json").exists()


def test_a_dump_moves_between_database_kinds(app: App, town: Town, tmp_path: Path) -> None:
    """Restoring into SQLite from either kind: a town can move between SQLite and
    PostgreSQL through ``caseflow export`` / ``import-dump``."""
    _activity(app, town)
    path = tmp_path / "town.json"
    dump.export_to_file(app, town.admin, path)
    target = make_app(f"sqlite:///{tmp_path / 'moved.db'}", app.clock, tmp_path)  # type: ignore[arg-type]
    dump.import_dump(target, path)
    assert _snapshot(target) == _snapshot(app)
    target.engine.dispose()
