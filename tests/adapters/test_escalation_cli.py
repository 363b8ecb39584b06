"""``caseflow sweep``, ``clearlist``, ``alerts`` and ``scheduler run`` as a user runs them."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from caseflow.adapters.cli.main import main
from caseflow.services import cases, tickets
from caseflow.services.app import App
from tests.conftest import Town

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def cli(app: App, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
        capsys: pytest.CaptureFixture[str]):
    config = tmp_path / "config.toml"
    config.write_text("", encoding="utf-8")
    monkeypatch.setenv("CASEFLOW_CONFIG", str(config))
    monkeypatch.delenv("CASEFLOW_DATABASE_URL", raising=False)

    def run(*args: str, user: str = "sup", lang: str = "en") -> tuple[int, str, str]:
        capsys.readouterr()
        code = main(["--db", app.settings.database_url, "--user", user, "--lang", lang, *args])
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def overdue(app: App, town: Town) -> int:
    view = cases.add_case(app, town.lead, "SW01", cases.NewCase(name="定溪五金厂",
                                                                 team="negotiation"))
    return tickets.add_ticket(app, town.lead, view.id, "补交土地权属材料",
                              due_on=date(2026, 3, 4), assignee="zhang").id


def test_sweep_then_the_list_in_chinese_and_json(  # type: ignore[no-untyped-def]
    cli, overdue: int,
) -> None:
    code, out, _ = cli("sweep", "--as-of", "2026-03-05T09:00", "--json")
    assert code == 0
    result = json.loads(out)
    assert result["new_entries"] == 1 and result["alerts_queued"] == 2
    assert result["as_of"] == "2026-03-05T09:00:00+08:00"
    code, out, _ = cli("sweep", "--as-of", "2026-03-05T09:00", "--json")
    assert json.loads(out)["new_entries"] == 0

    code, out, _ = cli("clearlist", "--as-of", "2026-03-05T10:00", lang="zh_CN")
    assert code == 0
    assert "还剩 1 项未清零" in out and "negotiation: 1" in out and "补交土地权属材料" in out

    code, out, _ = cli("clearlist", "--as-of", "2026-03-05T10:00", "--json")
    listed = json.loads(out)
    assert listed["left"] == 1 and listed["per_team"] == {"negotiation": 1}
    entry = listed["entries"][0]
    assert {"id", "ticket_id", "level", "status", "entered_at", "signed_off_at"} <= set(entry)
    assert (entry["ticket_id"], entry["level"], entry["status"]) == (overdue, 1, "open")
    code, out, _ = cli("clearlist", "--level", "2", "--as-of", "2026-03-05T10:00", "--json")
    assert json.loads(out)["entries"] == []
    code, out, _ = cli("clearlist", "--team", "demolition", "--as-of", "2026-03-05T10:00")
    assert out.startswith("0 items left to clear")


def test_signoff_and_reject_from_the_command_line(  # type: ignore[no-untyped-def]
    cli, app: App, town: Town, overdue: int,
) -> None:
    cli("sweep", "--as-of", "2026-03-05T09:00")
    entry_id = json.loads(cli("clearlist", "--all", "--json")[1])["entries"][0]["id"]
    code, _, err = cli("clearlist", "signoff", str(entry_id), "--note", "核实")
    assert code == 1 and "awaiting sign-off" in err
    tickets.close(app, town.member, overdue, "材料已补交")
    code, _, err = cli("clearlist", "signoff", str(entry_id), "--note", "核实", user="zhang")
    assert code == 1 and "may not sign" in err
    code, out, _ = cli("clearlist", "reject", str(entry_id), "--reason", "缺盖章")
    assert code == 0 and "reopened" in out
    assert tickets.show_ticket(app, overdue).status == "open"
    tickets.close(app, town.member, overdue, "补盖章")
    code, out, _ = cli("clearlist", "signoff", str(entry_id), "--note", "现场核实", "--json")
    assert code == 0 and json.loads(out)["status"] == "signed_off"
    code, out, _ = cli("clearlist", "--json")
    assert json.loads(out)["left"] == 0
    code, out, _ = cli("clearlist", "--all", "--json")
    assert json.loads(out)["entries"][0]["signed_off_at"] is not None


def test_alerts_list_and_dispatch(cli, overdue: int) -> None:  # type: ignore[no-untyped-def]
    cli("sweep", "--as-of", "2026-03-05T09:00")
    code, out, _ = cli("alerts", "list", "--status", "pending", "--json")
    rows = json.loads(out)
    assert code == 0 and len(rows) == 2
    assert {"id", "ticket_id", "level", "recipient", "channel", "status", "attempts"} <= set(rows[0])
    assert {r["recipient"] for r in rows} == {"zhang", "lead1"}
    code, _, err = cli("alerts", "list", "--status", "lost")
    assert code == 1 and "must be one of" in err
    code, out, _ = cli("alerts", "dispatch")
    assert code == 0 and out.startswith("2 sent")
    code, out, _ = cli("alerts", "list", "--status", "sent", "--json")
    assert [r["attempts"] for r in json.loads(out)] == [1, 1]


def test_scheduler_runs_jobs_and_stops_cleanly_on_sigterm(app: App, town: Town,
                                                         tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[scheduler]\nsweep_minutes = 5\n", encoding="utf-8")
    env = {**os.environ, "CASEFLOW_CONFIG": str(config), "PYTHONPATH": str(ROOT),
           "CASEFLOW_DATABASE_URL": app.settings.database_url}
    proc = subprocess.Popen(
        [sys.executable, "-c", "from caseflow.adapters.cli.main import run; run()",
         "scheduler", "run"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        seen = ""
        assert proc.stderr is not None
        while time.monotonic() < deadline and ("sweep:" not in seen or "dispatch:" not in seen):
            line = proc.stderr.readline()
            if not line:
                break
            seen += line
        assert "scheduler started: sweep every 5 min" in seen
        assert "sweep:" in seen and "dispatch:" in seen
        proc.send_signal(signal.SIGTERM)
        _, rest = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, seen + rest
    assert "stopping (SIGTERM)" in rest and "scheduler stopped" in rest


def test_a_member_may_not_sweep_or_run_alerts_by_hand(  # type: ignore[no-untyped-def]
    cli, overdue: int,
) -> None:
    for args in (("sweep", "--as-of", "2026-03-05T09:00"), ("alerts", "dispatch"),
                 ("alerts", "digest")):
        code, out, err = cli(*args, user="zhang")
        assert code == 1 and out == ""
        assert len(err.strip().splitlines()) == 1, err
        assert "zhang (member) may not" in err and "supervisor or admin" in err
    code, out, _ = cli("clearlist", "--json", "--as-of", "2026-03-05T10:00")
    assert json.loads(out)["left"] == 0  # the refused sweep changed nothing

    code, out, _ = cli("sweep", "--as-of", "2026-03-05T09:00", user="sup")
    assert code == 0 and out.startswith("as of 2026-03-05 09:00: 1 new entries")
    code, out, _ = cli("alerts", "dispatch", user="root")
    assert code == 0 and out.startswith("2 sent")


def test_the_list_is_paged_and_says_how_many_more(  # type: ignore[no-untyped-def]
    cli, app: App, town: Town,
) -> None:
    view = cases.add_case(app, town.lead, "SW01", cases.NewCase(name="沙溪五金厂",
                                                                 team="negotiation"))
    with app.engine.begin() as conn:  # an escape an older caseflow let in (now refused)
        conn.exec_driver_sql("UPDATE enterprise_case SET name = '沙溪' || char(27) || "
                             "'[31m五金厂'" if app.engine.dialect.name == "sqlite" else
                             "UPDATE enterprise_case SET name = '沙溪' || chr(27) || "
                             "'[31m五金厂'")
    ids = [tickets.add_ticket(app, town.lead, view.id, f"补交材料{n}", due_on=date(2026, 3, 4),
                              assignee="zhang").id for n in range(3)]
    cli("sweep", "--as-of", "2026-03-05T09:00")

    code, out, _ = cli("clearlist", "--limit", "2", lang="zh_CN")
    assert code == 0 and "还剩 3 项未清零" in out
    assert "\x1b" not in out and "沙溪␛[31m五金厂" in out  # user text is inert
    assert sum(f"#{i} " in out for i in ids) == 2
    assert "还有 1 项：--offset 2" in out
    code, out, _ = cli("clearlist", "--limit", "2", "--offset", "2")
    assert sum(f"#{i} " in out for i in ids) == 1 and "more" not in out

    code, out, _ = cli("clearlist", "--json", "--limit", "1", "--offset", "1")
    page = json.loads(out)
    assert (page["left"], page["total"], page["offset"]) == (3, 3, 1)
    assert len(page["entries"]) == 1
    whole = json.loads(cli("clearlist", "--json")[1])["entries"]
    assert [e["id"] for e in whole][1] == page["entries"][0]["id"] and len(whole) == 3
    assert whole[0]["entered_at"] == "2026-03-05T09:00:00+08:00"
    assert [e["id"] for e in json.loads(cli("clearlist", "--json", "--limit", "0")[1])[
        "entries"]] == [e["id"] for e in whole]
    code, _, err = cli("clearlist", "--offset", "-1")
    assert code == 2 and "--offset" in err

    queued = json.loads(cli("alerts", "list", "--json")[1])
    assert len(queued) > 2
    code, out, _ = cli("alerts", "list", "--limit", "2")
    assert f"{len(queued)} alerts" in out and f"{len(queued) - 2} more: --offset 2" in out
    second = json.loads(cli("alerts", "list", "--json", "--limit", "2", "--offset", "2")[1])
    assert [a["id"] for a in second] == [a["id"] for a in queued[2:4]]
