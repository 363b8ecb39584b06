"""A refused command writes nothing, and what goes wrong is one clear sentence.

These run the real command against files in a temporary directory, as a person who
mistypes a login, a path or a config key would."""

from __future__ import annotations

import json
import os
import shutil
import socket
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from caseflow.adapters.cli.main import main
from caseflow.persistence.db import make_engine

ROOT = Path(__file__).resolve().parents[3]


class Run:
    """``caseflow`` in-process with a clean environment rooted in ``tmp_path``."""

    def __init__(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.tmp = tmp_path
        self.capsys = capsys

    def __call__(self, *args: str) -> tuple[int, str, str]:
        self.capsys.readouterr()
        code = main(list(args))
        out, err = self.capsys.readouterr()
        return code, out, err


@pytest.fixture
def run(tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> Run:
    for name in ("CASEFLOW_CONFIG", "CASEFLOW_DATABASE_URL", "CASEFLOW_HOLIDAYS",
                 "CASEFLOW_FAKE_NOW"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("CASEFLOW_USER", "root")
    monkeypatch.setenv("CASEFLOW_LANG", "en")
    return Run(tmp_path, capsys)


def _one_line(code: int, err: str, *words: str) -> None:
    assert code == 1, err
    assert "Traceback" not in err and "unexpected error" not in err, err
    assert len(err.strip().splitlines()) == 1, err
    for word in words:
        assert word in err, err


def _db(run: Run, name: str = "c.db") -> tuple[str, Path]:
    path = run.tmp / name
    return f"sqlite:///{path}", path


# --------------------------------------------------------------------------- nothing written


def test_init_with_a_bad_admin_login_leaves_no_database(run: Run) -> None:
    url, path = _db(run)
    _one_line(*run("--db", url, "init", "--admin", "bad login")[::2], "login")
    assert not path.exists()
    code, _, err = run("--db", url, "init", "--admin", "root")
    assert code == 0, err


def test_a_mistyped_sqlite_path_in_a_reading_command_creates_no_file(run: Run) -> None:
    url, path = _db(run)
    assert run("--db", url, "init", "--admin", "root")[0] == 0
    typo = run.tmp / "missing" / "cf.db"
    for args in (["ticket", "list", "--all"], ["case", "list"], ["clearlist"],
                 ["db", "upgrade"]):
        code, _, err = run("--db", f"sqlite:///{typo}", *args)
        _one_line(code, err, str(typo))
    assert not typo.exists() and not typo.parent.exists()


def _export(run: Run) -> Path:
    url, _ = _db(run, "source.db")
    assert run("--db", url, "init", "--admin", "root")[0] == 0
    assert run("--db", url, "team", "add", "negotiation", "--name", "谈判专班")[0] == 0
    dump = run.tmp / "all.json"
    code, _, err = run("--db", url, "export", "--output", str(dump))
    assert code == 0, err
    return dump


def _plant_long_name(dump: Path) -> Path:
    """What an older caseflow on SQLite exported: a 100,007-character name."""
    data = json.loads(dump.read_text(encoding="utf-8"))
    teams = data["tables"]["team"]
    teams["rows"][0][teams["columns"].index("name")] = "厂" * 100_007
    bad = dump.with_name("long.json")
    bad.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return bad


def test_a_refused_import_dump_leaves_no_file_and_names_the_row(run: Run) -> None:
    bad = _plant_long_name(_export(run))
    url, path = _db(run, "restored.db")
    code, _, err = run("--db", url, "import-dump", str(bad))
    _one_line(code, err, "team row id 1", "name", "100,007", "nothing was restored")
    assert not path.exists()


def test_a_refused_import_dump_leaves_no_schema_on_either_database(
        run: Run, database_url: str) -> None:
    """On the test database (SQLite or PostgreSQL), emptied of its schema first."""
    engine = make_engine(database_url)
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("DROP SCHEMA public CASCADE")
            conn.exec_driver_sql("CREATE SCHEMA public")
        else:
            for table in sa.inspect(conn).get_table_names():
                conn.exec_driver_sql(f'DROP TABLE "{table}"')
    bad = _plant_long_name(_export(run))
    try:
        code, _, err = run("--db", database_url, "import-dump", str(bad))
        _one_line(code, err, "team row id 1", "100,007")
        assert sa.inspect(engine).get_table_names() == []
        good = bad.with_name("all.json")
        code, _, err = run("--db", database_url, "import-dump", str(good))
        assert code == 0, err
    finally:
        with engine.begin() as conn:  # leave the shared database as the fixtures expect
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql("DROP SCHEMA public CASCADE")
                conn.exec_driver_sql("CREATE SCHEMA public")
        engine.dispose()
        if database_url.startswith("postgresql"):
            from caseflow.persistence import migrate

            engine = make_engine(database_url)
            migrate.upgrade(engine)
            engine.dispose()


# --------------------------------------------------------------------------- one sentence


def test_case_import_of_a_missing_file(run: Run) -> None:
    url, _ = _db(run)
    assert run("--db", url, "init", "--admin", "root")[0] == 0
    missing = run.tmp / "企业名单.xlsx"
    code, _, err = run("--db", url, "case", "import", str(missing), "--project", "SW01")
    _one_line(code, err, "no such file", "企业名单.xlsx")


def test_db_upgrade_on_a_database_of_a_newer_schema(run: Run) -> None:
    url, _ = _db(run)
    assert run("--db", url, "init", "--admin", "root")[0] == 0
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0099_future'")
    engine.dispose()
    for args in (["db", "upgrade"], ["ticket", "list", "--all"]):
        code, _, err = run("--db", url, *args)
        _one_line(code, err, "0099_future", "newer than this caseflow")


@pytest.mark.parametrize("config,words", [
    ('timezone = "Mars/Olympus"\n', ["Mars/Olympus", "not a time zone"]),
    ("timezone = 5\n", ["timezone", "string"]),
    ('database = "sqlite:///x.db"\n', ["database", "table", "database_url"]),
    ("[database]\nurl = 5\n", ["database.url"]),
    ("[database]\nconnect_timeout = -1\n", ["connect_timeout"]),
])
def test_config_mistakes_are_one_config_line(run: Run, config: str, words: list[str]) -> None:
    path = run.tmp / "config.toml"
    path.write_text(config, encoding="utf-8")
    os.environ["CASEFLOW_CONFIG"] = str(path)
    try:
        code, _, err = run("ticket", "list", "--all")
    finally:
        del os.environ["CASEFLOW_CONFIG"]
    _one_line(code, err, *words)


def test_config_pointing_at_a_directory(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASEFLOW_CONFIG", str(run.tmp))
    _one_line(*run("ticket", "list")[::2], "is a directory")


def test_an_unquoted_password_in_the_config_is_not_echoed(
        run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    url, _ = _db(run)
    assert run("--db", url, "init", "--admin", "root")[0] == 0
    path = run.tmp / "config.toml"
    path.write_text('[alerts.email]\nhost = "127.0.0.1"\nsender = "cf@town.example"\n'
                    'username = "cf"\npassword = 12345678\n', encoding="utf-8")
    monkeypatch.setenv("CASEFLOW_CONFIG", str(path))
    code, _, err = run("--db", url, "alerts", "dispatch")
    _one_line(code, err, "password")
    assert "12345678" not in err


# --------------------------------------------------------------------------- files


def test_the_database_export_and_reports_are_private_files(
        run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(run.tmp)
    old = os.umask(0o022)
    try:
        url, path = _db(run)
        assert run("--db", url, "init", "--admin", "root")[0] == 0
        made = [path, run.tmp / "all.json", run.tmp / "w.xlsx", run.tmp / "w.csv",
                run.tmp / "w.html"]
        assert run("--db", url, "export", "--output", str(made[1]))[0] == 0
        for report in made[2:]:
            code, _, err = run("--db", url, "report", "weekly", "--format",
                               report.suffix[1:], "--output", str(report))
            assert code == 0, err
    finally:
        os.umask(old)
    for made_file in made:
        assert stat.S_IMODE(made_file.stat().st_mode) == 0o600, made_file


def _without_file_permissions(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """Run caseflow as a user who may not write: root without CAP_DAC_OVERRIDE obeys the
    file modes like anyone else (setpriv, util-linux); another user needs nothing."""
    command = [sys.executable, "-c", "from caseflow.adapters.cli.main import run; run()", *args]
    if os.geteuid() == 0:
        command = ["setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner",
                   *command]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)


def test_reading_commands_work_on_a_read_only_directory(run: Run) -> None:
    assert shutil.which("setpriv") or os.geteuid() != 0
    folder = run.tmp / "shared"
    folder.mkdir()
    url = f"sqlite:///{folder / 'c.db'}"
    assert run("--db", url, "init", "--admin", "root")[0] == 0
    assert run("--db", url, "team", "add", "negotiation", "--name", "谈判专班")[0] == 0
    folder.chmod(0o555)
    (folder / "c.db").chmod(0o444)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CASEFLOW_DATABASE_URL": url,
           "CASEFLOW_USER": "root", "CASEFLOW_LANG": "en"}
    try:
        for args in (["team", "list"], ["ticket", "list", "--all"], ["clearlist"]):
            done = _without_file_permissions(*args, env=env)
            assert done.returncode == 0, done.stderr
        assert "谈判专班" in _without_file_permissions("team", "list", env=env).stdout
        refused = _without_file_permissions("team", "add", "x", "--name", "X", env=env)
        assert refused.returncode == 1 and "read-only" in refused.stderr, refused.stderr
        assert sorted(p.name for p in folder.iterdir()) == ["c.db"]
    finally:
        folder.chmod(0o755)


# --------------------------------------------------------------------------- timeouts


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A listener that accepts connections and never says a word."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        sock.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(sock.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield sock.getsockname()[1]
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    sock.close()


def test_a_silent_database_server_fails_the_command_with_a_clear_message(
        run: Run, silent_server: int) -> None:
    """Before, the command waited forever; the subprocess timeout only keeps a
    regression from hanging the suite (it is not a speed assertion)."""
    path = run.tmp / "config.toml"
    path.write_text("[database]\nconnect_timeout = 2\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CASEFLOW_CONFIG": str(path),
           "CASEFLOW_USER": "root", "CASEFLOW_LANG": "en"}
    done = subprocess.run(
        [sys.executable, "-c", "from caseflow.adapters.cli.main import run; run()",
         "--db", f"postgresql://u:hunter2@127.0.0.1:{silent_server}/x", "ticket", "list"],
        env=env, capture_output=True, text=True, timeout=300)
    _one_line(done.returncode, done.stderr, "did not answer")
    assert "hunter2" not in done.stderr
