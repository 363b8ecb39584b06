"""``caseflow tui`` driven by keys (Textual's Pilot), against a real town database.

A member closes three orders and a supervisor signs two items off without typing an
id; refusals land in the status line in Chinese and never end the screen.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from textual.widgets import DataTable, Static

from caseflow.adapters.cli import i18n
from caseflow.adapters.tui.app import CaseflowTui
from caseflow.adapters.tui.source import LocalSource
from caseflow.clock import SHANGHAI, FixedClock
from caseflow.services import cases, clearlist, sweep, tickets
from caseflow.services.app import App
from caseflow.services.permissions import Actor
from tests.conftest import Town

Pilot = Any


@dataclass
class Scene:
    app: App
    town: Town
    clock: FixedClock
    orders: list[int]


TITLES = ["补交土地权属材料", "核实消防隐患", "签订腾退协议", "测算补偿款", "约谈村集体"]
ENTERPRISES = ["中山市定溪五金制造有限公司", "神湾镇[/x]测试厂", "中山市宥南塑料制品厂"]


@pytest.fixture
def scene(app: App, town: Town, clock: FixedClock) -> Scene:
    """Five ad-hoc orders for zhang on three cases (one with markup in its name), due
    between 3 and 9 March 2026; the clock stands at Monday 2 March, 09:00."""
    case_ids = [cases.add_case(app, town.lead, "SW01",
                               cases.NewCase(name=name, team="negotiation")).id
                for name in ENTERPRISES]
    orders = []
    for n, title in enumerate(TITLES):
        view = tickets.add_ticket(app, town.lead, case_ids[n % 3], title,
                                  due_on=date(2026, 3, 3 + n), assignee="zhang")
        orders.append(view.id)
    return Scene(app, town, clock, orders)


def run(app: App, actor: Actor, body: Callable[[CaseflowTui, Pilot], Awaitable[None]],
        *, size: tuple[int, int] = (80, 24), lang: str = "zh_CN") -> None:
    i18n.use(lang)
    tui = CaseflowTui(LocalSource(app, actor), lang=lang)

    async def drive() -> None:
        async with tui.run_test(size=size) as pilot:
            await pilot.pause()
            await body(tui, pilot)

    try:
        asyncio.run(drive())
    finally:
        i18n.use("en")


def table_ids(tui: CaseflowTui, selector: str) -> list[int]:
    table = tui.screen.query_one(selector, DataTable)
    return [int(key.value) for key in table.rows]


def screen_text(tui: CaseflowTui) -> str:
    """Everything the screen's text blocks say, as plain text."""
    from rich.console import Console

    console = Console(width=120, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    for widget in tui.screen.query(Static):
        console.print(widget.content)
    return console.export_text()


def status(tui: CaseflowTui) -> str:
    return str(tui.screen.query_one("#status", Static).render())


def test_member_closes_three_orders_without_typing_an_id(scene: Scene) -> None:
    async def body(tui: CaseflowTui, pilot: Pilot) -> None:
        assert table_ids(tui, "#queue") == scene.orders  # soonest due first
        for _ in range(3):
            await pilot.press("c")
            await pilot.pause()
            for ch in "已整改":
                await pilot.press(ch)
            await pilot.press("enter")
            await pilot.pause()
        assert table_ids(tui, "#queue") == scene.orders[3:]
        assert "已办结" in status(tui) or "办结" in status(tui)

    run(scene.app, scene.town.member, body)
    closed = tickets.list_tickets(scene.app, scene.town.member, status="closed")
    assert sorted(v.id for v in closed) == scene.orders[:3]
    assert {v.close_note for v in closed} == {"已整改"}


def test_escape_cancels_the_note_and_closes_nothing(scene: Scene) -> None:
    async def body(tui: CaseflowTui, pilot: Pilot) -> None:
        await pilot.press("c")
        await pilot.pause()
        await pilot.press("x", "escape")
        await pilot.pause()
        assert table_ids(tui, "#queue") == scene.orders

    run(scene.app, scene.town.member, body)
    assert not tickets.list_tickets(scene.app, scene.town.member, status="closed")


def test_a_refusal_is_a_chinese_status_line_and_the_screen_goes_on(scene: Scene) -> None:
    async def body(tui: CaseflowTui, pilot: Pilot) -> None:
        # somebody else closes the first order while the member looks at it
        tickets.close(scene.app, scene.town.lead, scene.orders[0], "组长代办")
        await pilot.press("c")
        await pilot.pause()
        await pilot.press("好", "enter")
        await pilot.pause()
        assert f"#{scene.orders[0]}" in status(tui)  # the refusal, not a traceback
        assert tui.screen.query_one("#status", Static).has_class("error")
        await pilot.press("e")  # members may not extend
        await pilot.pause()
        assert "组长" in status(tui)
        await pilot.press("r")
        await pilot.pause()
        assert table_ids(tui, "#queue") == scene.orders[1:]

    run(scene.app, scene.town.member, body)


def test_filter_as_you_type_matches_title_and_enterprise(scene: Scene) -> None:
    async def body(tui: CaseflowTui, pilot: Pilot) -> None:
        await pilot.press("slash")
        for ch in "宥南":
            await pilot.press(ch)
        await pilot.pause()
        assert table_ids(tui, "#queue") == [scene.orders[2]]
        await pilot.press("escape")
        await pilot.pause()
        assert table_ids(tui, "#queue") == scene.orders
        await pilot.press("slash", "消", "防", "enter")
        await pilot.pause()
        assert table_ids(tui, "#queue") == [scene.orders[1]]

    run(scene.app, scene.town.member, body)


def test_start_then_details_show_history_in_words(scene: Scene) -> None:
    async def body(tui: CaseflowTui, pilot: Pilot) -> None:
        await pilot.press("s")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        text = screen_text(tui)
        assert "补交土地权属材料" in text and "办理中" in text and "开始办理" in text
        assert "ticket.start" not in text and "ticket.open" not in text
        await pilot.press("k")  # the case on its stage path
        await pilot.pause()
        text = screen_text(tui)
        assert " 谈  > 移 > 拆 > 建 > 引" in text and "中山市定溪五金制造有限公司" in text
        await pilot.press("escape", "escape")
        await pilot.pause()
        assert table_ids(tui, "#queue") == scene.orders

    run(scene.app, scene.town.member, body)
    assert tickets.show_ticket(scene.app, scene.orders[0]).status == "in_progress"


def test_lead_extends_and_assigns_by_key(scene: Scene) -> None:
    async def body(tui: CaseflowTui, pilot: Pilot) -> None:
        assert table_ids(tui, "#queue")[:5] == scene.orders  # the team's queue
        await pilot.press("e")
        await pilot.pause()
        for ch in "2026-03-20":
            await pilot.press(ch)
        await pilot.press("enter")
        for ch in "企业申请延期":
            await pilot.press(ch)
        await pilot.press("enter")
        await pilot.pause()
        ids = table_ids(tui, "#queue")
        assert ids.index(scene.orders[0]) > ids.index(scene.orders[4])  # due later now
        tui.screen.query_one("#queue", DataTable).move_cursor(row=0)
        await pilot.press("a")
        await pilot.pause()
        await pilot.press("down", "enter")  # the second person on the list
        await pilot.pause()

    run(scene.app, scene.town.lead, body)
    extended = tickets.show_ticket(scene.app, scene.orders[0])
    assert extended.due_at.astimezone(SHANGHAI).date() == date(2026, 3, 20)
    assert tickets.show_ticket(scene.app, scene.orders[1]).assignee != "zhang"


def _overdue_board(scene: Scene) -> list[int]:
    """Sweep a week later, then zhang closes two of the overdue orders."""
    later = datetime(2026, 3, 10, 9, 0, tzinfo=SHANGHAI)
    scene.clock.set(later)
    sweep.sweep(scene.app, as_of=later)
    for ticket_id in scene.orders[:2]:
        tickets.close(scene.app, scene.town.member, ticket_id, "已整改到位")
    listing = clearlist.list_entries(scene.app)
    return [e.id for e in listing.entries if e.status == "awaiting_signoff"]


def test_supervisor_signs_two_items_off_from_the_board(scene: Scene) -> None:
    awaiting = _overdue_board(scene)
    assert len(awaiting) == 2
    left_before = clearlist.list_entries(scene.app).left

    async def body(tui: CaseflowTui, pilot: Pilot) -> None:
        heading = str(tui.screen.query_one("#heading", Static).render())
        assert f"还剩 {left_before} 项" in heading
        board = tui.screen.query_one("#board", DataTable)
        for entry_id in awaiting:
            board.move_cursor(row=table_ids(tui, "#board").index(entry_id))
            await pilot.press("o")
            await pilot.pause()
            for ch in "现场核实":
                await pilot.press(ch)
            await pilot.press("enter")
            await pilot.pause()
        heading = str(tui.screen.query_one("#heading", Static).render())
        assert f"还剩 {left_before - 2} 项" in heading

    run(scene.app, scene.town.supervisor, body)
    listing = clearlist.list_entries(scene.app, include_signed_off=True)
    signed = [e for e in listing.entries if e.status == "signed_off"]
    assert sorted(e.id for e in signed) == sorted(awaiting)
    assert {e.note for e in signed} == {"现场核实"}


def test_supervisor_rejects_a_closure_and_an_open_item_cannot_be_signed_off(
        scene: Scene) -> None:
    awaiting = _overdue_board(scene)

    async def body(tui: CaseflowTui, pilot: Pilot) -> None:
        board = tui.screen.query_one("#board", DataTable)
        ids = table_ids(tui, "#board")
        board.move_cursor(row=ids.index(awaiting[0]))
        await pilot.press("x")
        await pilot.pause()
        for ch in "照片不清楚":
            await pilot.press(ch)
        await pilot.press("enter")
        await pilot.pause()
        still_open = next(i for i in table_ids(tui, "#board") if i not in awaiting)
        board.move_cursor(row=table_ids(tui, "#board").index(still_open))
        await pilot.press("o", "好", "enter")
        await pilot.pause()
        assert tui.screen.query_one("#status", Static).has_class("error")

    run(scene.app, scene.town.supervisor, body)
    entry = clearlist.show_entry(scene.app, awaiting[0])
    assert entry.status == "open" and entry.ticket_status == "open"


def test_queue_pages_through_more_orders_than_one_page(app: App, town: Town) -> None:
    case_id = cases.add_case(app, town.lead, "SW01",
                             cases.NewCase(name="中山市大量工单测试厂", team="negotiation")).id
    with app.engine.begin() as conn:  # 450 orders for zhang, as a busy member has
        zhang = conn.execute(sa.text("SELECT id FROM app_user WHERE login = 'zhang'")).scalar()
        team = conn.execute(sa.text("SELECT id FROM team WHERE code = 'negotiation'")).scalar()
        now = app.clock.now()
        conn.execute(sa.text(
            "INSERT INTO ticket (case_id, stage, title, required, team_id, assignee_id, "
            "status, due_at, opened_at, level, version) VALUES (:case, 'negotiate', :title, "
            ":req, :team, :who, 'open', :due, :now, 0, 1)"),
            [{"case": case_id, "title": f"巡查记录{n:03d}", "req": False, "team": team,
              "who": zhang, "due": now + timedelta(hours=n), "now": now} for n in range(450)])

    async def body(tui: CaseflowTui, pilot: Pilot) -> None:
        assert len(table_ids(tui, "#queue")) == 200
        await pilot.press("ctrl+end")
        await pilot.pause()
        await pilot.press("ctrl+end")
        await pilot.pause()
        ids = table_ids(tui, "#queue")
        assert len(ids) == 450 and len(set(ids)) == 450

    run(app, town.member, body)
