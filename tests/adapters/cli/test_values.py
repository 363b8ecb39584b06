"""Values are checked where they enter: a refusal is one line, exit 1, nothing stored,
and whatever was accepted can still be listed, shown, exported and restored."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from caseflow.services import cases, tickets
from caseflow.services.app import App
from caseflow.services.cases import NewCase

CODE = "91442000MA4UQ0BX5Y"


@pytest.fixture
def case_id(app: App, town: Any) -> int:
    return cases.add_case(app, town.lead, "SW01", NewCase(
        name="神湾五金厂", credit_code=CODE, area_mu=12.5, team="negotiation")).id


def _order(app: App, town: Any, case_id: int) -> int:
    views = tickets.list_tickets(app, town.admin, scope="all", case_id=case_id)
    return next(v.id for v in views if v.team == "negotiation")


def _refused(result: Any, *words: str) -> None:
    assert result.code == 1, (result.out, result.err)
    assert "Traceback" not in result.err and len(result.err.strip().splitlines()) == 1
    for word in words:
        assert word in result.err, result.err


def test_an_extension_beyond_the_calendar_is_refused_and_lists_still_work(
        cli: Any, app: App, town: Any, case_id: int) -> None:
    order = _order(app, town, case_id)
    _refused(cli("ticket", "extend", str(order), "--to", "9999-12-31", "--reason", "x",
                 user="lead1"), "9999-12-31", "outside the calendar")
    assert cli("ticket", "list", "--all").code == 0
    assert cli("ticket", "show", str(order)).code == 0
    assert cli("case", "show", str(case_id)).code == 0
    assert "ticket.extend" not in cli("ticket", "show", str(order)).out


def test_an_order_due_in_9999_from_an_older_caseflow_still_lists(
        cli: Any, app: App, town: Any, case_id: int) -> None:
    import sqlalchemy as sa

    from caseflow.domain.calendar import end_of_day
    from caseflow.persistence import tables as t

    order = _order(app, town, case_id)
    with app.engine.begin() as conn:
        conn.execute(sa.update(t.ticket).where(t.ticket.c.id == order)
                     .values(due_at=end_of_day(date(9999, 12, 31))))
    for args in (["ticket", "list", "--all"], ["ticket", "show", str(order)],
                 ["case", "show", str(case_id)], ["ticket", "list", "--all", "--json"]):
        result = cli(*args)
        assert result.code == 0, (args, result.err)


def test_calendar_month_beyond_the_horizon_is_one_sentence(cli: Any) -> None:
    _refused(cli("calendar", "month", "9999-12"), "9999-12", "2099-12-31")
    _refused(cli("calendar", "month", "1999-12"), "1999-12")
    assert cli("calendar", "month", "2026-10").code == 0


def test_refusals_are_in_chinese_for_chinese_users(cli: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv("CASEFLOW_LANG", "zh_CN")
    _refused(cli("calendar", "month", "9999-12"), "超出", "日历")


def test_an_order_due_within_zero_working_days_is_refused(
        cli: Any, app: App, town: Any, case_id: int) -> None:
    before = len(tickets.list_tickets(app, town.admin, scope="all", status="any"))
    for span in ("0wd", "0d"):
        _refused(cli("ticket", "add", "--case", str(case_id), "--title", "补充材料",
                     "--in", span, user="lead1"), "at least 1")
    assert len(tickets.list_tickets(app, town.admin, scope="all", status="any")) == before
    assert cli("ticket", "add", "--case", str(case_id), "--title", "补充材料", "--in", "1wd",
               user="lead1").code == 0


@pytest.mark.parametrize("area", ["inf", "1e300", "nan", "-3", "12.345", "-inf"])
def test_a_case_area_that_is_not_a_real_area_is_refused(cli: Any, area: str) -> None:
    result = cli("case", "add", "--project", "SW01", "--name", "某厂", f"--area-mu={area}",
                 user="lead1")
    _refused(result, "area")
    assert "某厂" not in cli("case", "list", "--project", "SW01").out


@pytest.mark.parametrize("option", ["--target-mu", "--area-mu"])
def test_a_project_target_of_infinity_is_refused(cli: Any, option: str) -> None:
    _refused(cli("project", "add", "XX01", "--name", "某园", "--town", "某镇",
                 "--workflow", "gongai", f"{option}=inf"), "mu")
    assert "XX01" not in cli("project", "list").out


def test_json_output_is_strict_json_and_export_round_trips(
        cli: Any, app: App, town: Any, case_id: int, tmp_path: Path) -> None:
    """An infinite area written by an older caseflow: JSON stays JSON, and the backup
    restores (the meaningless area restores empty)."""
    import sqlalchemy as sa

    from caseflow.persistence import tables as t

    with app.engine.begin() as conn:
        conn.execute(sa.update(t.enterprise_case).where(t.enterprise_case.c.id == case_id)
                     .values(area_mu=float("inf")))
    strict = {"parse_constant": lambda name: pytest.fail(f"{name} in JSON")}
    for args in (["case", "list", "--project", "SW01", "--json"],
                 ["case", "show", str(case_id), "--json"], ["project", "list", "--json"]):
        result = cli(*args)
        assert result.code == 0, result.err
        json.loads(result.out, **strict)
    dump = tmp_path / "all.json"
    assert cli("export", "--output", str(dump)).code == 0
    json.loads(dump.read_text(encoding="utf-8"), **strict)
    restored = f"sqlite:///{tmp_path / 'restored.db'}"
    from caseflow.adapters.cli.main import main

    assert main(["--db", restored, "--user", "root", "import-dump", str(dump)]) == 0


@pytest.mark.parametrize("field,value,word", [
    ("--name", "中山市\x1b[2J测试厂", "control character"),
    ("--name", "x" * 201, "at most 200"),
])
def test_case_text_with_escapes_or_beyond_its_column_is_refused(
        cli: Any, field: str, value: str, word: str) -> None:
    args = ["case", "add", "--project", "SW01", "--area-mu", "1"]
    _refused(cli(*args, field, value, user="lead1"), word)
    assert cli("case", "list", "--project", "SW01", "--json").json() == []


def test_a_title_with_a_terminal_escape_is_refused(
        cli: Any, app: App, town: Any, case_id: int) -> None:
    _refused(cli("ticket", "add", "--case", str(case_id), "--title", "a\x1b]0;pwned\x07",
                 "--in", "2wd", user="lead1"), "control character")
    order = _order(app, town, case_id)
    _refused(cli("ticket", "comment", str(order), "hi\x1b[2J", user="lead1"),
             "control character")
