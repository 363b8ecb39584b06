"""The command in remote mode, against a real server on loopback: same output,
``--json`` and exit codes as local; identity is the token."""

from __future__ import annotations

import io
import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from caseflow.adapters.cli.main import main
from caseflow.persistence import tables as t
from caseflow.services import cases, tickets
from caseflow.services.app import App
from tests.server.conftest import PASSWORD


class Remote:
    """``caseflow`` run in-process in a config directory with no database."""

    def __init__(self, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
                 home: Path) -> None:
        self.capsys, self.monkeypatch, self.home = capsys, monkeypatch, home

    def __call__(self, *args: str, stdin: str = "") -> Any:
        self.monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        self.capsys.readouterr()
        code = main(list(args))
        out = self.capsys.readouterr()
        return code, out.out, out.err


@pytest.fixture
def remote(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
           tmp_path: Path) -> Remote:
    home = tmp_path / "client"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("CASEFLOW_FAKE_NOW", "2026-03-02T09:00+08:00")
    monkeypatch.setenv("CASEFLOW_LANG", "en")
    monkeypatch.setenv("COLUMNS", "100")
    for name in ("CASEFLOW_CONFIG", "CASEFLOW_DATABASE_URL", "CASEFLOW_USER",
                 "CASEFLOW_SERVER", "CASEFLOW_HOLIDAYS"):
        monkeypatch.delenv(name, raising=False)
    return Remote(capsys, monkeypatch, home)


@pytest.fixture
def work(app: App, town: Any) -> dict[str, int]:
    case = cases.add_case(app, town.lead, "SW01", cases.NewCase(name="定溪五金厂",
                                                               team="negotiation"))
    from datetime import date

    mine = tickets.add_ticket(app, town.lead, case.id, "补交土地权属材料",
                              due_on=date(2026, 3, 4), assignee="zhang")
    theirs = tickets.add_ticket(app, town.lead, case.id, "核实消防隐患",
                                due_on=date(2026, 3, 5), assignee="wang")
    return {"case": case.id, "mine": mine.id, "theirs": theirs.id}


def _local(app: App, capsys: Any, *args: str, user: str) -> tuple[int, str, str]:
    """The same command on the database, from a machine that signed in nowhere."""
    capsys.readouterr()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CONFIG_HOME", str(Path(app.settings.config_path).parent / "local"))
        code = main(["--db", app.settings.database_url, "--user", user, *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_login_work_and_logout_as_that_person(remote: Remote, live: Any, app: App,
                                              work: dict[str, int], capsys: Any) -> None:
    code, out, err = remote("login", "--server", live.url, "--user", "zhang",
                            "--password-stdin", stdin=PASSWORD + "\n")
    assert code == 0, err
    assert f"signed in to {live.url} as zhang" in out and PASSWORD not in out + err
    session = remote.home / "config" / "caseflow" / "session.json"
    assert stat.S_IMODE(os.stat(session).st_mode) == 0o600

    # the same --json and the same table as the local command
    code, out, err = remote("ticket", "list", "--mine", "--json")
    assert code == 0 and out, err
    local = _local(app, capsys, "ticket", "list", "--mine", "--json", user="zhang")
    assert local[0] == 0, local
    assert json.loads(out) == json.loads(local[1]) and [r["id"] for r in json.loads(out)] \
        == [work["mine"]]
    assert remote("ticket", "list", "--mine")[1] == \
        _local(app, capsys, "ticket", "list", "--mine", user="zhang")[1]

    code, out, err = remote("ticket", "close", str(work["mine"]), "--note", "已补交")
    assert code == 0 and "closed #" in out, err
    with app.engine.connect() as conn:
        event = conn.execute(sa.select(t.audit_event).where(
            t.audit_event.c.action == "ticket.close")).one()
    assert event.actor == "zhang" and event.address == "127.0.0.1" and event.token_id

    # refusals: same message and exit code as local
    code, out, err = remote("ticket", "close", str(work["theirs"]), "--note", "x")
    local = _local(app, capsys, "ticket", "close", str(work["theirs"]), "--note", "x",
                   user="zhang")
    assert (code, err) == (local[0], local[2]) and code == 1 and "may not" in err

    code, out, err = remote("logout")
    assert code == 0 and not session.exists()
    with app.engine.connect() as conn:
        assert conn.execute(sa.select(t.api_token.c.revoked_at)).scalar() is not None


def test_impersonation_and_database_options_are_refused(remote: Remote, live: Any,
                                                        app: App, work: Any) -> None:
    remote("login", "--server", live.url, "--user", "zhang", "--password-stdin",
           stdin=PASSWORD + "\n")
    for args in (["--user", "root", "ticket", "list"],
                 ["--db", app.settings.database_url, "ticket", "list"]):
        code, out, err = remote(*args)
        assert code == 1 and "--user and --db do not apply" in err and not out


def test_a_configured_server_without_sign_in_says_to_log_in(
        remote: Remote, live: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASEFLOW_SERVER", live.url)
    code, out, err = remote("ticket", "list", "--mine")
    assert code == 1 and "not signed in" in err and "caseflow login" in err


def test_wrong_password_is_refused_and_nothing_is_saved(remote: Remote, live: Any) -> None:
    code, out, err = remote("login", "--server", live.url, "--user", "zhang",
                            "--password-stdin", stdin="wrong-password\n")
    assert code == 1 and "wrong login or password" in err
    assert not (remote.home / "config" / "caseflow" / "session.json").exists()


def test_a_revoked_token_is_refused_with_advice(remote: Remote, live: Any, app: App,
                                                town: Any) -> None:
    from caseflow.services import accounts

    remote("login", "--server", live.url, "--user", "zhang", "--password-stdin",
           stdin=PASSWORD + "\n")
    accounts.revoke_all_for_user(app, town.admin, "zhang")
    code, out, err = remote("ticket", "list", "--mine")
    assert code == 1 and "revoked" in err and "caseflow login" in err


def test_remote_mode_loads_neither_sqlalchemy_nor_sqlmodel(
        remote: Remote, live: Any, work: Any) -> None:
    import subprocess
    import sys

    remote("login", "--server", live.url, "--user", "zhang", "--password-stdin",
           stdin=PASSWORD + "\n")
    probe = ("import sys; from caseflow.adapters.cli.main import main; code = main(sys.argv[1:]);"
             " heavy = sorted(m for m in ('sqlalchemy', 'sqlmodel', 'httpx', 'alembic')"
             " if m in sys.modules); print('HEAVY', heavy, code, file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", probe, "ticket", "list", "--mine", "--json"],
                          capture_output=True, text=True, env=dict(os.environ), timeout=120)
    assert "HEAVY [] 0" in done.stderr, done.stderr
    assert [r["id"] for r in json.loads(done.stdout)] == [work["mine"]]
