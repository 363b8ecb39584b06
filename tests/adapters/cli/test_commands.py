"""The ``caseflow`` command as users and scripts see it: output, JSON keys, exit codes."""

from __future__ import annotations

from typing import Any

import pytest

from caseflow.services import cases, tickets
from caseflow.services.app import App
from caseflow.services.cases import NewCase

CODE = "91442000MA4UQ0BX5Y"  # a valid unified social credit code
TICKET_KEYS = {"id", "case_id", "title", "status", "assignee", "team", "due_at", "closed_at",
               "level"}
CASE_KEYS = {"id", "project", "name", "credit_code", "area_mu", "stage", "status"}


@pytest.fixture
def case_id(app: App, town: Any) -> int:
    view = cases.add_case(app, town.lead, "SW01",
                          NewCase(name="神湾五金厂", credit_code=CODE, area_mu=12.5,
                                  team="negotiation"))
    return view.id


def _negotiation_order(app: App, town: Any, case_id: int) -> int:
    views = tickets.list_tickets(app, town.admin, scope="all", case_id=case_id)
    return next(v.id for v in views if v.team == "negotiation")


def test_ticket_list_json_has_the_contract_keys(cli: Any, case_id: int) -> None:
    result = cli("ticket", "list", "--all", "--json")
    assert result.code == 0, result.err
    rows = result.json()
    assert len(rows) == 4
    assert set(rows[0]) >= TICKET_KEYS
    assert rows[0]["due_at"].endswith("+08:00")
    assert {r["status"] for r in rows} == {"open"}


def test_case_list_show_and_add_json(cli: Any, case_id: int) -> None:
    listed = cli("case", "list", "--project", "SW01", "--json").json()
    assert set(listed[0]) >= CASE_KEYS and listed[0]["credit_code"] == CODE
    shown = cli("case", "show", str(case_id), "--json").json()
    assert set(shown) >= CASE_KEYS
    assert [e["action"] for e in shown["history"]][:1] == ["case.open"]
    assert len(shown["tickets"]) == 4
    added = cli("case", "add", "--project", "SW01", "--name", "Acme", "--area-mu", "3",
                "--json", user="lead1")
    assert added.code == 0 and set(added.json()) >= CASE_KEYS


def test_user_and_team_lists(cli: Any) -> None:
    users = cli("user", "list", "--json").json()
    zhang = next(u for u in users if u["login"] == "zhang")
    assert {"login", "name", "role", "team"} <= set(zhang)
    assert (zhang["role"], zhang["team"]) == ("member", "negotiation")
    assert "谈判专班" in cli("team", "list").out


def test_close_then_show_has_the_note_in_history(cli: Any, app: App, town: Any,
                                                 case_id: int) -> None:
    order = _negotiation_order(app, town, case_id)
    closed = cli("ticket", "close", str(order), "--note", "权属已摸清", "--json", user="zhang")
    assert closed.code == 0, closed.err
    assert closed.json()["status"] == "closed" and closed.json()["assignee"] == "zhang"
    shown = cli("ticket", "show", str(order), "--json").json()
    assert any(e["action"] == "ticket.close" and e["note"] == "权属已摸清"
               for e in shown["history"])
    again = cli("ticket", "close", str(order), "--note", "x", user="zhang")
    assert again.code == 1 and "already closed" in again.err
    assert again.err.count("\n") == 1


def test_close_without_id_and_without_terminal_is_a_usage_error(cli: Any, case_id: int) -> None:
    result = cli("ticket", "close", "--note", "done", user="zhang")
    assert result.code == 2
    assert "needs a work order ID" in result.err


def test_unknown_option_is_a_usage_error(cli: Any) -> None:
    assert cli("ticket", "list", "--bogus").code == 2


def test_unknown_id_is_one_line_exit_1(cli: Any) -> None:
    result = cli("ticket", "show", "99999")
    assert result.code == 1
    assert result.err.strip() == ("caseflow: no work order #99999 "
                                  "(see `caseflow ticket list`)")
    assert "Traceback" not in result.err


def test_unknown_user_is_refused(cli: Any) -> None:
    result = cli("ticket", "list", user="nobody")
    assert result.code == 1 and "not a caseflow user" in result.err


def test_member_may_not_add_a_team_and_nothing_changes(cli: Any) -> None:
    result = cli("team", "add", "audit", "--name", "审计", user="zhang")
    assert result.code == 1 and "may not add teams" in result.err
    assert "audit" not in {t["code"] for t in cli("team", "list", "--json").json()}


def test_member_may_not_close_another_teams_order(cli: Any, app: App, town: Any,
                                                  case_id: int) -> None:
    order = _negotiation_order(app, town, case_id)
    result = cli("ticket", "close", str(order), "--note", "x", user="zhao")
    assert result.code == 1 and "may not close" in result.err
    assert tickets.show_ticket(app, order).status == "open"


def test_bad_credit_code_is_refused_and_nothing_stored(cli: Any, app: App) -> None:
    result = cli("case", "add", "--project", "SW01", "--name", "X",
                 "--credit-code", "91442000MA4UQ0BX5A", user="lead1")
    assert result.code == 1 and "check digit" in result.err
    assert cases.list_cases(app, "SW01") == []


def test_malformed_date_is_refused(cli: Any, app: App, case_id: int) -> None:
    result = cli("ticket", "add", "--case", str(case_id), "--title", "补充材料",
                 "--due", "2026-13-45", user="zhang")
    assert result.code == 1 and "is not a date" in result.err
    assert len(tickets.list_tickets(app, cli_actor(app), scope="all")) == 4


def cli_actor(app: App) -> Any:
    from caseflow.services.directory import resolve_actor

    return resolve_actor(app, "root")


def test_ticket_add_in_working_days(cli: Any, case_id: int) -> None:
    # Monday 2 March 2026 + 5 working days = Monday 9 March
    added = cli("ticket", "add", "--case", str(case_id), "--title", "补充材料", "--in", "5wd",
                "--json", user="zhang")
    assert added.code == 0, added.err
    assert added.json()["due_at"].startswith("2026-03-09T23:59:59")


def test_illegal_trigger_is_refused_and_the_case_stays(cli: Any, app: App,
                                                        case_id: int) -> None:
    result = cli("case", "advance", str(case_id), "build", user="lead1")
    assert result.code == 1 and result.err.count("\n") == 1
    assert cases.show_case(app, case_id).stage == "negotiate"


def test_hold_and_resume(cli: Any, app: App, case_id: int) -> None:
    assert cli("case", "hold", str(case_id), "--reason", "企业诉讼中", user="lead1").code == 0
    assert cases.show_case(app, case_id).status == "on_hold"
    assert cli("case", "resume", str(case_id), user="lead1").code == 0
    assert cases.show_case(app, case_id).stage == "negotiate"


def test_overdue_in_working_days_english_and_chinese(cli: Any, case_id: int,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    # the office order is due 5 working days after Mon 2 March: Mon 9 March.
    # As of Thu 12 March it is 3 working days late.
    english = cli("ticket", "list", "--all", "--overdue", "--as-of", "2026-03-12T10:00")
    assert english.code == 0, english.err
    assert "overdue 3 working days" in english.out
    assert all(len(line) <= 80 for line in english.out.splitlines())
    monkeypatch.setenv("CASEFLOW_LANG", "zh_CN")
    chinese = cli("ticket", "list", "--all", "--overdue", "--as-of", "2026-03-12T10:00")
    assert "逾期3个工作日" in chinese.out and "开展企业亩均税收" in chinese.out
    upcoming = cli("ticket", "list", "--all")
    assert "还剩5个工作日" in upcoming.out


def test_lang_option_wins(cli: Any, case_id: int) -> None:
    assert "还剩" in cli("--lang", "zh_CN", "ticket", "list", "--all").out


def test_workflow_diagram_and_show(cli: Any) -> None:
    diagram = cli("workflow", "show", "gongai", "--diagram")
    assert diagram.out.startswith("stateDiagram-v2")
    assert "negotiate --> relocate" in diagram.out
    assert "gongai" in cli("workflow", "list").out
    assert cli("workflow", "show", "nope").code == 1


def test_project_show(cli: Any, case_id: int) -> None:
    shown = cli("project", "show", "SW01", "--json").json()
    assert shown["cases"] == 1 and shown["cases_by_stage"] == {"negotiate": 1}


def test_calendar_add_and_month(cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # 2026 National Day: 1–7 Oct off (5 weekdays), Sat 10 Oct a make-up working day
    assert cli("calendar", "add", "2026-09-28", "5wd").out.startswith("2026-10-10")
    assert cli("calendar", "add", "2026-09-28", "10d").out.startswith("2026-10-08")
    month = cli("calendar", "month", "2026-10", "--json").json()
    assert [d["date"] for d in month if d["adjusted"] and d["working"]] == ["2026-10-10"]
    assert cli("calendar", "month", "2026-13").code == 1
    unknown = cli("calendar", "month", "2031-05")
    assert unknown.code == 0 and "no official holiday schedule for 2031" in unknown.err


def test_database_that_cannot_be_opened_is_one_line(tmp_path: Any,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    from caseflow.adapters.cli.main import main

    code = main(["--db", f"sqlite:///{tmp_path}", "--user", "root", "ticket", "list"])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("caseflow: database error:") and err.count("\n") == 1


def test_help_still_lists_every_group_after_a_command(cli: Any) -> None:
    cli("ticket", "list", "--all")
    help_text = cli("--help").out
    for group in ("workflow", "team", "user", "project", "case", "ticket", "calendar"):
        assert f"  {group} " in help_text


def test_init_again_keeps_everything_and_refuses_a_non_admin(cli: Any) -> None:
    again = cli("init", "--admin", "root")
    assert again.code == 0, again.err
    assert "is current" in again.out
    other = cli("init", "--admin", "zhang")
    assert other.code == 1 and "not an admin" in other.err


def test_overdue_red_and_due_within_a_working_day_yellow(cli: Any, case_id: int,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.delenv("NO_COLOR", raising=False)
    # as of Fri 6 March 10:00 the office order (due Mon 9 March) is one working day away;
    # as of Tue 10 March it is overdue
    soon = cli("ticket", "list", "--all", "--as-of", "2026-03-06T10:00").out
    line = next(x for x in soon.splitlines() if "due in 1 working day" in x)
    assert "\x1b[33m" in line  # yellow
    late = cli("ticket", "list", "--all", "--as-of", "2026-03-10T10:00").out
    line = next(x for x in late.splitlines() if "overdue 1 working day" in x)
    assert "\x1b[31m" in line  # red
    calm = next(x for x in soon.splitlines() if "due in 6 working days" in x)
    assert "\x1b[31m" not in calm and "\x1b[33m" not in calm


def test_lifecycle_refusals_speak_chinese(cli) -> None:  # noqa: ANN001
    added = cli("case", "add", "--project", "SW01", "--name", "中山市神湾灯饰有限公司", "--json")
    case_id = str(added.json()["id"])
    refused = cli("--lang", "zh_CN", "case", "advance", case_id)
    assert refused.code == 1 and refused.out == ""
    assert "「谈」阶段不能执行「启动腾挪」" in refused.err
    assert "尚未办结" in refused.err and "签订补偿及搬迁协议" in refused.err
    assert "negotiate" not in refused.err and "relocate" not in refused.err
    assert len(refused.err.strip().splitlines()) == 1
    illegal = cli("--lang", "zh_CN", "case", "advance", case_id, "build")
    assert illegal.code == 1 and "可执行：启动腾挪（relocate）、暂缓推进（hold）" in illegal.err
    english = cli("case", "advance", case_id, "build")
    assert "allowed: relocate, hold, withdraw" in english.err


def test_a_wide_terminal_shows_the_whole_enterprise_name(cli: Any, app: App, town: Any,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    name = "中山市神湾宏成塑料制品实业有限公司"  # every name starts 中山市: the end tells them apart
    cases.add_case(app, town.lead, "SW01", NewCase(name=name, team="negotiation"))
    narrow = cli("ticket", "list", "--all")
    assert name not in narrow.out and all(len(line) <= 80 for line in narrow.out.splitlines())
    monkeypatch.setenv("COLUMNS", "160")
    wide = cli("ticket", "list", "--all")
    assert name in wide.out


def test_a_long_queue_shows_the_soonest_hundred_and_says_so(cli: Any, app: App, town: Any) -> None:
    ids = cases.add_cases(app, town.lead, "SW01",
                          [NewCase(name=f"企业{i}", team="negotiation") for i in range(60)])
    assert len(ids) == 60  # two negotiation orders each: 120 in the team's queue
    listed = cli("ticket", "list", "--team", "negotiation")
    assert listed.code == 0 and "showing 100 of 120, soonest due first" in listed.out
    everything = cli("ticket", "list", "--team", "negotiation", "--limit", "0", "--json")
    assert len(everything.json()) == 120
    assert "showing" not in cli("ticket", "list", "--team", "negotiation", "--limit", "0").out
