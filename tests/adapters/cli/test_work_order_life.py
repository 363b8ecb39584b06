"""A work order's life through the command: history that never changes.

Issue 9, defects 1 and 2: a rejected sign-off must not rewrite a finished week, and a
reopened overdue order whose entry was signed off is back on the clear-to-zero list.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from caseflow.services import cases, tickets
from caseflow.services.app import App
from tests.adapters.cli.conftest import Cli


def _now(monkeypatch: pytest.MonkeyPatch, when: str) -> None:
    monkeypatch.setenv("CASEFLOW_FAKE_NOW", when)


def _team_row(cli: Cli, week: str) -> dict[str, Any]:
    result = cli("report", "weekly", "--week", week, "--format", "json")
    assert result.code == 0, result.err
    return next(r for r in result.json()["rows"] if r["unit"] == "negotiation")


@pytest.fixture
def late_order(cli: Cli, app: App, town: Any, monkeypatch: pytest.MonkeyPatch) -> int:
    """An order due Wednesday 4 March 2026 (W10), listed on Thursday, closed late on
    Friday 6 March: at W10's end it is closed and awaiting sign-off."""
    case = cases.add_case(app, town.lead, "SW01", cases.NewCase(name="定溪五金厂",
                                                                team="negotiation"))
    order = tickets.add_ticket(app, town.lead, case.id, "补交土地权属材料",
                               due_on=date(2026, 3, 4), assignee="zhang").id
    _now(monkeypatch, "2026-03-05T09:00+08:00")
    assert cli("sweep", user="sup").code == 0
    _now(monkeypatch, "2026-03-06T10:00+08:00")
    assert cli("ticket", "close", str(order), "--note", "材料已补交", user="zhang").code == 0
    return order


def _entry_of(cli: Cli, order: int, *flags: str) -> list[dict[str, Any]]:
    listed = cli("clearlist", *flags, "--json", user="sup")
    assert listed.code == 0, listed.err
    return [e for e in listed.json()["entries"] if e["ticket_id"] == order]


def test_a_rejected_sign_off_leaves_the_finished_week_as_it_was(
    cli: Cli, late_order: int, monkeypatch: pytest.MonkeyPatch,
) -> None:
    _now(monkeypatch, "2026-03-10T10:00+08:00")  # W11
    w10 = _team_row(cli, "2026-W10")
    assert (w10["closed"], w10["overdue"]) == (1, 0)
    entry = _entry_of(cli, late_order)[0]
    rejected = cli("clearlist", "reject", str(entry["id"]), "--reason", "缺村集体盖章", user="sup")
    assert rejected.code == 0, rejected.err
    assert cli("ticket", "show", str(late_order), "--json").json()["status"] == "open"
    assert _team_row(cli, "2026-W10") == w10
    # and the week of the rejection sees the order open and overdue again
    _now(monkeypatch, "2026-03-17T10:00+08:00")
    assert _team_row(cli, "2026-W11")["overdue"] == 1


def test_reopening_a_signed_off_overdue_order_puts_it_back_on_the_list(
    cli: Cli, late_order: int, monkeypatch: pytest.MonkeyPatch,
) -> None:
    _now(monkeypatch, "2026-03-09T10:00+08:00")
    entry = _entry_of(cli, late_order)[0]
    signed = cli("clearlist", "signoff", str(entry["id"]), "--note", "现场核实", user="sup")
    assert signed.code == 0, signed.err
    assert _entry_of(cli, late_order) == []
    w10 = _team_row(cli, "2026-W10")

    _now(monkeypatch, "2026-03-11T10:00+08:00")
    reopened = cli("ticket", "reopen", str(late_order), "--reason", "复查发现未整改", user="sup")
    assert reopened.code == 0, reopened.err
    back = _entry_of(cli, late_order)
    assert [(e["status"], e["id"] != entry["id"]) for e in back] == [("open", True)]
    assert back[0]["level"] >= entry["level"]
    history = _entry_of(cli, late_order, "--all")
    assert sorted(e["status"] for e in history) == ["open", "signed_off"]
    assert _team_row(cli, "2026-W10") == w10

    # the next sweep neither lists it twice nor loses it; closing it awaits sign-off again
    assert cli("sweep", user="sup").code == 0
    assert len(_entry_of(cli, late_order)) == 1
    assert cli("ticket", "close", str(late_order), "--note", "已整改", user="zhang").code == 0
    assert [e["status"] for e in _entry_of(cli, late_order)] == ["awaiting_signoff"]


def test_every_change_writes_the_whole_snapshot(
    cli: Cli, app: App, late_order: int, monkeypatch: pytest.MonkeyPatch,
) -> None:
    _now(monkeypatch, "2026-03-10T10:00+08:00")
    entry = _entry_of(cli, late_order)[0]
    cli("clearlist", "reject", str(entry["id"]), "--reason", "缺村集体盖章", user="sup")
    shown = cli("ticket", "show", str(late_order), "--json").json()
    keys = {"status", "assignee_id", "due_at", "level", "entry_status", "version"}
    changes = [e for e in shown["history"] if e["action"] in (
        "ticket.close", "ticket.reopen", "entry.awaiting_signoff", "entry.rejected")]
    assert len(changes) == 4
    for event in changes:
        assert keys <= set(event["before"]) and keys <= set(event["after"]), event
    assert changes[-1]["after"]["status"] == "open"
    assert changes[-1]["after"]["entry_status"] == "open"


@pytest.fixture
def ready_case(app: App, town: Any) -> tuple[int, list[int]]:
    """A case whose required orders of its first stage are closed, with its optional
    orders still open plus a member's ad-hoc order; returns (case id, open order ids)."""
    case = cases.add_case(app, town.lead, "SW01", cases.NewCase(name="定溪灯饰厂",
                                                                team="negotiation"))
    tickets.add_ticket(app, town.member, case.id, "补拍现场照片", due_on=date(2026, 3, 20))
    for order in cases.show_case(app, case.id).tickets:
        if order.required:
            tickets.close(app, town.lead, order.id, "协议已签")
    left = sorted(o.id for o in cases.show_case(app, case.id).tickets
                  if o.status == "open" and o.stage == "negotiate")
    assert left
    return case.id, left


def test_advance_with_open_optional_orders_is_refused_naming_them(
    cli: Cli, app: App, ready_case: tuple[int, list[int]],
) -> None:
    case_id, left = ready_case
    refused = cli("case", "advance", str(case_id), user="lead1")
    assert refused.code == 1 and len(refused.err.strip().splitlines()) == 1
    assert all(f"#{i}" in refused.err for i in left)
    assert "--cancel-open" in refused.err and "--keep-open" in refused.err
    assert cases.show_case(app, case_id).stage == "negotiate"
    assert {o.status for o in cases.show_case(app, case_id).tickets if o.id in left} == {"open"}
    zh = cli("--lang", "zh_CN", "case", "advance", str(case_id), user="lead1")
    assert zh.code == 1 and "--cancel-open" in zh.err and "工单" in zh.err
    both = cli("case", "advance", str(case_id), "--cancel-open", "--keep-open", user="lead1")
    assert both.code == 2


def test_advance_cancel_open_records_the_note_on_each(
    cli: Cli, app: App, ready_case: tuple[int, list[int]],
) -> None:
    case_id, left = ready_case
    no_note = cli("case", "advance", str(case_id), "--cancel-open", user="lead1")
    assert no_note.code == 1 and "--note" in no_note.err
    moved = cli("case", "advance", str(case_id), "--cancel-open", "--note", "协议已签，其余不再办",
                "--json", user="lead1")
    assert moved.code == 0, moved.err
    assert sorted(moved.json()["cancelled"]) == left
    for order in left:
        shown = cli("ticket", "show", str(order), "--json").json()
        assert shown["status"] == "cancelled"
        cancel = [e for e in shown["history"] if e["action"] == "ticket.cancel"]
        assert cancel and cancel[-1]["note"] == "协议已签，其余不再办"
        assert cancel[-1]["after"]["status"] == "cancelled"


def test_advance_keep_open_leaves_them_under_the_old_stage(
    cli: Cli, app: App, ready_case: tuple[int, list[int]],
) -> None:
    case_id, left = ready_case
    moved = cli("case", "advance", str(case_id), "--keep-open", "--json", user="lead1")
    assert moved.code == 0, moved.err
    assert moved.json()["cancelled"] == []
    shown = cases.show_case(app, case_id)
    assert shown.stage == "relocate"
    kept = {o.id: o for o in shown.tickets if o.id in left}
    assert {(o.status, o.stage) for o in kept.values()} == {("open", "negotiate")}
    # still the member's to close after the case moved on
    assert cli("ticket", "close", str(left[-1]), "--note", "照片已补", user="zhang").code == 0
