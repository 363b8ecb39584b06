"""The README's "a day's work" table, run in remote mode by the people it names,
each from their own config directory with no database."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from caseflow.adapters.cli.main import main
from caseflow.persistence import tables as t
from caseflow.services import cases, sweep
from caseflow.services.app import App
from tests.adapters.cli.test_import import credit_code
from tests.server.conftest import PASSWORD


class Person:
    def __init__(self, login: str, home: Path, capsys: Any, monkeypatch: Any) -> None:
        self.login, self.home, self.capsys, self.monkeypatch = login, home, capsys, monkeypatch

    def __call__(self, *args: str, stdin: str = "", ok: bool = True) -> tuple[int, str, str]:
        self.monkeypatch.setenv("XDG_CONFIG_HOME", str(self.home))
        self.monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        self.capsys.readouterr()
        code = main(list(args))
        out = self.capsys.readouterr()
        if ok:
            assert code == 0, (self.login, args, out.err)
        return code, out.out, out.err


@pytest.fixture
def people(live: Any, tmp_path: Path, capsys: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("CASEFLOW_FAKE_NOW", "2026-03-02T09:00+08:00")
    monkeypatch.setenv("CASEFLOW_LANG", "en")
    monkeypatch.setenv("COLUMNS", "120")
    for name in ("CASEFLOW_CONFIG", "CASEFLOW_DATABASE_URL", "CASEFLOW_USER",
                 "CASEFLOW_SERVER", "CASEFLOW_HOLIDAYS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "nodata"))
    signed = {}
    for login in ("zhang", "lead1", "sup"):
        person = Person(login, tmp_path / login, capsys, monkeypatch)
        person("login", "--server", live.url, "--user", login, "--password-stdin",
               stdin=PASSWORD + "\n")
        signed[login] = person
    return signed


def test_a_days_work_through_the_server(people: Any, app: App, town: Any, clock: Any,
                                        tmp_path: Path) -> None:
    member, lead, supervisor = people["zhang"], people["lead1"], people["sup"]
    # the lead imports cases and advances one
    sheet = tmp_path / "cases.csv"
    sheet.write_text("name,credit_code,area_mu,team\n"
                     f"定溪五金厂,{credit_code(1)},12.5,negotiation\n"
                     f"神湾灯饰厂,{credit_code(2)},8,negotiation\n", encoding="utf-8")
    _, out, _ = lead("case", "import", str(sheet), "--project", "SW01", "--json")
    assert json.loads(out)["imported"] == 2
    case_id = json.loads(lead("case", "list", "--project", "SW01", "--json")[1])[0]["id"]
    orders = json.loads(lead("ticket", "list", "--team", "negotiation", "--json")[1])
    assert len(orders) >= 2
    first = orders[0]["id"]
    lead("ticket", "assign", str(first), "zhang")
    lead("ticket", "extend", str(first), "--to", "2026-03-20", "--reason", "企业负责人出差")
    code, _, err = lead("case", "advance", str(case_id), ok=False)
    assert code == 1 and "cannot" in err  # its negotiation orders are still open

    # the member works the queue
    _, out, _ = member("ticket", "list", "--mine")
    assert f"{first}" in out
    member("ticket", "start", str(first))
    _, out, _ = member("ticket", "add", "--case", str(case_id), "--title", "核实消防隐患",
                       "--in", "5wd", "--json")
    added = json.loads(out)["id"]
    member("ticket", "close", str(added), "--note", "已整改")
    member("ticket", "close", str(first), "--note", "已谈妥")

    # an overdue order goes on the clear-to-zero list; the member closes it late;
    # the supervisor signs it off
    late = orders[1]["id"]
    lead("ticket", "assign", str(late), "zhang")
    clock.advance(days=30)
    sweep.sweep(app, clock.now())
    member("ticket", "close", str(late), "--note", "补交完毕")
    _, out, _ = supervisor("clearlist", "--json")
    listed = json.loads(out)
    entry = next(e for e in listed["entries"] if e["ticket_id"] == late)
    _, out, _ = supervisor("clearlist")
    assert "items left to clear" in out
    supervisor("clearlist", "signoff", str(entry["id"]), "--note", "现场核实")
    for report in (["report", "weekly"], ["report", "progress"], ["report", "burndown"],
                   ["report", "weekly", "--format", "json"]):
        assert supervisor(*report)[1].strip()
    xlsx = tmp_path / "weekly.xlsx"
    supervisor("report", "weekly", "--format", "xlsx", "--output", str(xlsx))
    assert xlsx.stat().st_size > 0

    with app.engine.connect() as conn:
        actors = conn.execute(sa.select(t.audit_event.c.actor, t.audit_event.c.token_id)
                              .where(t.audit_event.c.action.in_(
                                  ["ticket.close", "entry.signed_off", "ticket.assign"]))
                              ).all()
    assert {a for a, _ in actors} == {"zhang", "sup", "lead1"}
    assert all(token_id for _, token_id in actors)
    assert cases.show_case(app, case_id).id == case_id
