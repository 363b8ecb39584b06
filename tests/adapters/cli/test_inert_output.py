"""User text is inert on the way out: rich markup is shown as typed, terminal escapes
never reach the terminal, spreadsheet cells are never formulas.

Escapes can no longer be typed in (see test_values.py), but a database written by an
older caseflow, or restored from its dump, may hold them: those are planted here
directly in the database, as such a database would hold them."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from caseflow.persistence import tables as t
from caseflow.services import cases, tickets
from caseflow.services.app import App

MARKUP_CASE = "中山市[/x]测试厂"
LINK_TITLE = "[link=https://evil.example]点我领奖[/link]"
ESCAPES = "清屏\x1b[2J改标题\x1b]0;pwned\x07完"
FORMULA_TEAM = '=HYPERLINK("https://evil.example","谈判专班")'


@pytest.fixture
def hostile(app: App, town: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    case = cases.add_case(app, town.lead, "SW01", cases.NewCase(name=MARKUP_CASE,
                                                                 team="negotiation"))
    linked = tickets.add_ticket(app, town.lead, case.id, LINK_TITLE, due_on=date(2026, 3, 4),
                                assignee="zhang").id
    escaped = tickets.add_ticket(app, town.lead, case.id, "占位", due_on=date(2026, 3, 4),
                                 assignee="zhang").id
    with app.engine.begin() as conn:  # what an older caseflow let in
        conn.execute(sa.update(t.ticket).where(t.ticket.c.id == escaped)
                     .values(title=ESCAPES, title_zh=ESCAPES))
        conn.execute(sa.update(t.team).where(t.team.c.code == "negotiation")
                     .values(name=FORMULA_TEAM))
    return {"case": case.id, "linked": linked, "escaped": escaped}


def _no_escape(text: str) -> None:
    assert "\x1b" not in text and "\x07" not in text and "\x9b" not in text


def test_markup_in_a_case_name_never_breaks_the_clear_list(
        cli: Any, hostile: dict[str, int], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASEFLOW_FAKE_NOW", "2026-03-05T09:00+08:00")
    monkeypatch.setenv("COLUMNS", "300")  # wide enough that no name is cut
    assert cli("sweep").code == 0
    for lang in ("en", "zh_CN"):
        monkeypatch.setenv("CASEFLOW_LANG", lang)
        for user in ("root", "sup", "lead1"):
            listed = cli("clearlist", user=user)
            assert listed.code == 0, listed.err
            assert MARKUP_CASE in listed.out
            assert "[link=https://evil.example]" in listed.out
            _no_escape(listed.out)


def test_markup_and_escapes_are_shown_as_text_in_every_listing(
        cli: Any, hostile: dict[str, int]) -> None:
    outputs = [
        cli("ticket", "list", "--all"), cli("ticket", "list", "--mine", user="zhang"),
        cli("ticket", "show", str(hostile["escaped"])),
        cli("ticket", "show", str(hostile["linked"])),
        cli("case", "show", str(hostile["case"])),
        cli("case", "list", "--project", "SW01"), cli("team", "list"),
    ]
    for result in outputs:
        assert result.code == 0, result.err
        _no_escape(result.out + result.err)
    shown = cli("ticket", "show", str(hostile["escaped"])).out
    assert "清屏␛[2J改标题␛]0;pwned␇完" in shown
    assert LINK_TITLE in cli("ticket", "show", str(hostile["linked"])).out
    assert MARKUP_CASE in cli("case", "show", str(hostile["case"])).out


def test_assigning_an_order_with_an_escape_in_its_title_prints_it_inert(
        cli: Any, hostile: dict[str, int]) -> None:
    result = cli("ticket", "assign", str(hostile["escaped"]), "wang", user="lead1")
    assert result.code == 0, result.err
    _no_escape(result.out)
    assert "␛[2J" in result.out


def test_a_team_named_like_a_formula_stays_text_in_xlsx_and_csv(
        cli: Any, hostile: dict[str, int], tmp_path: Path) -> None:
    xlsx, plain = tmp_path / "w.xlsx", tmp_path / "w.csv"
    for fmt, path in (("xlsx", xlsx), ("csv", plain)):
        result = cli("report", "weekly", "--week", "2026-W10", "--format", fmt,
                     "--output", str(path))
        assert result.code == 0, result.err
    ws = load_workbook(xlsx).active
    cells = [c for row in ws.iter_rows() for c in row if c.value == FORMULA_TEAM]
    assert cells and all(c.data_type == "s" for c in cells)
    assert not [c for row in ws.iter_rows() for c in row if c.data_type == "f"]
    rows = list(csv.reader(plain.read_text(encoding="utf-8-sig").splitlines()))
    names = [cell for row in rows for cell in row if "HYPERLINK" in cell]
    assert names == ["'" + FORMULA_TEAM]
    assert not [cell for row in rows for cell in row if cell[:1] in ("=", "+", "@")]
