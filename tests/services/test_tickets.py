"""Work orders: the daily verbs, permissions, audit trail and concurrent closes."""

from __future__ import annotations

import threading
from datetime import date

import pytest
import sqlalchemy as sa

from caseflow.clock import FixedClock
from caseflow.domain.durations import parse_duration
from caseflow.errors import Conflict, InvalidInput, NotFound, PermissionDenied, Refused
from caseflow.services import cases, tickets
from caseflow.services.app import App
from caseflow.services.views import TicketView
from tests.conftest import Town


@pytest.fixture
def order(app: App, town: Town) -> TicketView:
    case = cases.add_case(app, town.admin, "SW01",
                          cases.NewCase(name="中山市神湾灯饰有限公司", team="negotiation"))
    return tickets.add_ticket(app, town.member, case.id, "核实厂房消防隐患",
                              within=parse_duration("5wd"))


def test_ad_hoc_order_goes_to_the_openers_team_with_deadline(app: App, town: Town,
                                                             order: TicketView) -> None:
    assert order.team == "negotiation" and order.assignee is None
    assert order.title_zh == "核实厂房消防隐患" and order.status == "open"
    assert order.due_at.isoformat() == "2026-03-09T15:59:59+00:00"  # Mon + 5 working days


def test_start_takes_and_close_records_who_and_why(app: App, town: Town, order: TicketView) -> None:
    started = tickets.start(app, town.member, order.id)
    assert (started.status, started.assignee) == ("in_progress", "zhang")
    closed = tickets.close(app, town.member, order.id, "已整改，现场复核通过")
    assert closed.status == "closed" and closed.closed_at is not None
    history = tickets.show_ticket(app, order.id).history
    assert [e.action for e in history] == ["ticket.open", "ticket.start", "ticket.close"]
    assert history[-1].actor == "zhang" and history[-1].note == "已整改，现场复核通过"
    assert history[-1].after and history[-1].after["on_time"] is True


def test_closing_twice_is_refused_clearly(app: App, town: Town, order: TicketView) -> None:
    tickets.close(app, town.member, order.id, "done")
    # shown in Shanghai time: closed at 09:00 on 2 March (the fixture's clock)
    with pytest.raises(Refused, match=rf"work order #{order.id} is already closed \(by zhang at 2026-03-02 09:00\)"):
        tickets.close(app, town.member, order.id, "again")


def test_permissions(app: App, town: Town, order: TicketView) -> None:
    with pytest.raises(PermissionDenied, match="members act on orders assigned"):
        tickets.close(app, town.outsider, order.id, "not my team")
    with pytest.raises(PermissionDenied, match="supervisors review"):
        tickets.close(app, town.supervisor, order.id, "x")
    with pytest.raises(PermissionDenied, match="only its team's lead"):
        tickets.assign(app, town.other_member, order.id, "zhang")
    assigned = tickets.assign(app, town.lead, order.id, "wang")
    assert assigned.assignee == "wang"
    with pytest.raises(PermissionDenied):  # assigned to wang now: zhang may not close it
        tickets.close(app, town.member, order.id, "x")
    with pytest.raises(PermissionDenied, match="only to their own team"):
        tickets.assign(app, town.lead, order.id, "zhao")
    tickets.comment(app, town.supervisor, order.id, "请本周内完成")


def test_extend_needs_a_reason_and_a_later_date(app: App, town: Town, order: TicketView) -> None:
    with pytest.raises(InvalidInput, match="--reason"):
        tickets.extend(app, town.lead, order.id, date(2026, 3, 20), "")
    with pytest.raises(InvalidInput, match="not later"):
        tickets.extend(app, town.lead, order.id, date(2026, 3, 5), "早一点")
    with pytest.raises(PermissionDenied):
        tickets.extend(app, town.member, order.id, date(2026, 3, 20), "我想延期")
    extended = tickets.extend(app, town.lead, order.id, date(2026, 3, 20), "等待村集体表决")
    assert extended.due_at.isoformat() == "2026-03-20T15:59:59+00:00"
    event = tickets.show_ticket(app, order.id).history[-1]
    assert event.action == "ticket.extend" and event.note == "等待村集体表决"
    assert event.before and event.before["due_at"].startswith("2026-03-09")


def test_reopen_retracts_what_the_order_recorded(app: App, town: Town) -> None:
    case = cases.add_case(app, town.admin, "SW01", cases.NewCase(name="企业甲", team="negotiation"))
    sign = next(t for t in cases.show_case(app, case.id).tickets
                if t.template_key == "sign_agreement")
    tickets.close(app, town.member, sign.id, "协议已签")
    assert "agreement_signed" in cases.show_case(app, case.id).facts
    with pytest.raises(InvalidInput):
        tickets.reopen(app, town.member, sign.id, "")
    reopened = tickets.reopen(app, town.lead, sign.id, "协议缺村集体盖章")
    assert reopened.status == "open" and reopened.closed_at is None
    assert "agreement_signed" not in cases.show_case(app, case.id).facts


def test_lists_mine_team_overdue(app: App, town: Town, clock: FixedClock, order: TicketView) -> None:
    tickets.start(app, town.member, order.id)
    assert [t.id for t in tickets.list_tickets(app, town.member, scope="mine")] == [order.id]
    assert tickets.list_tickets(app, town.other_member, scope="mine") == []
    team = tickets.list_tickets(app, town.other_member, scope="team")
    assert order.id in [t.id for t in team]
    assert tickets.list_tickets(app, town.member, scope="mine", overdue=True) == []
    clock.advance(days=10)
    overdue = tickets.list_tickets(app, town.member, scope="mine", overdue=True)
    assert [t.id for t in overdue] == [order.id]
    everyone = tickets.list_tickets(app, town.member, scope="all", overdue=True)
    assert order.id in [t.id for t in everyone]
    assert all(t.due_at < clock.now() and t.status != "closed" for t in everyone)
    with pytest.raises(NotFound):
        tickets.list_tickets(app, town.member, team="nope")


def test_unknown_ids(app: App, town: Town) -> None:
    with pytest.raises(NotFound, match="no work order #4242"):
        tickets.close(app, town.admin, 4242, "x")
    with pytest.raises(NotFound, match="no case #77"):
        tickets.add_ticket(app, town.admin, 77, "x", within=parse_duration("1wd"))


def test_two_people_closing_at_the_same_moment_exactly_one_wins(
    app: App, town: Town, order: TicketView
) -> None:
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def close_as(actor):  # type: ignore[no-untyped-def]
        barrier.wait()
        try:
            tickets.close(app, actor, order.id, f"closed by {actor.login}")
            outcomes.append("ok")
        except (Conflict, Refused) as error:
            outcomes.append(type(error).__name__)

    lead_and_admin = [threading.Thread(target=close_as, args=(a,)) for a in (town.lead, town.admin)]
    for t in lead_and_admin:
        t.start()
    for t in lead_and_admin:
        t.join()
    assert sorted(outcomes)[-1] == "ok" and outcomes.count("ok") == 1
    with app.engine.connect() as conn:
        closes = conn.execute(sa.text(
            "SELECT count(*) FROM audit_event WHERE action = 'ticket.close' AND ticket_id = :t"),
            {"t": order.id}).scalar_one()
    assert closes == 1
