"""The board on the ``town`` database: passwords for everybody, two enterprises whose
rights surveys went overdue onto the clear-to-zero list, and an order whose title
is an attempt at script injection."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from caseflow.clock import SHANGHAI
from caseflow.services import accounts, cases, sweep, tickets
from caseflow.services.app import App
from caseflow.services.cases import NewCase

PASSWORD = "定溪-correct-horse-7"
LOGINS = ("root", "lead1", "zhang", "wang", "zhao", "sup")
SCRIPT_TITLE = "<script>alert(1)</script>"
# the rights surveys (10 working days from Monday 2 March) were due on 16 March
AFTER_DUE = datetime(2026, 3, 17, 10, 0, tzinfo=SHANGHAI)


@dataclass
class Board:
    survey: int          # 神湾五金厂's rights survey: overdue, on the list, open
    other_survey: int    # 定溪纺织厂's: overdue, closed by zhang, awaiting sign-off
    script_order: int    # an order titled <script>alert(1)</script>
    entry: int           # the clear-list entry of ``survey``
    other_entry: int     # ... of ``other_survey``


def jpeg(size: tuple[int, int] = (1200, 900)) -> bytes:
    """A site photo as a phone takes it: sky, a cleared lot, an old factory shed."""
    from PIL import ImageDraw

    width, height = size
    image = Image.new("RGB", size, "#9cc3e6")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, height * 0.55, width, height), fill="#a08a6a")           # cleared ground
    draw.rectangle((width * 0.15, height * 0.3, width * 0.6, height * 0.62), fill="#8d9399")
    draw.polygon([(width * 0.12, height * 0.32), (width * 0.375, height * 0.15),
                  (width * 0.63, height * 0.32)], fill="#6b4f3a")                # the roof
    draw.rectangle((width * 0.3, height * 0.45, width * 0.4, height * 0.62), fill="#3d4247")
    draw.rectangle((width * 0.7, height * 0.48, width * 0.95, height * 0.6), fill="#d9822b")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def _survey(app: App, town: Any, name: str) -> int:
    case = cases.add_case(app, town.lead, "SW01", NewCase(name=name, area_mu=12.5,
                                                          team="negotiation"))
    views = tickets.list_tickets(app, town.admin, scope="all", case_id=case.id)
    for view in views:  # the office's and relocation's orders are done in time
        if view.template_key in ("assess_tax_per_mu", "draft_relocation_plan"):
            tickets.close(app, town.admin, view.id, "已完成")
    return next(v.id for v in views if v.template_key == "survey_rights")


@pytest.fixture
def board(app: App, town: Any, clock: Any) -> Board:
    for login in LOGINS:
        accounts.set_password(app, town.admin, login, PASSWORD)
    survey = _survey(app, town, "中山市神湾五金制品厂")
    other = _survey(app, town, "中山市定溪纺织有限公司")
    script = tickets.add_ticket(app, town.lead, tickets.show_ticket(app, survey).case_id,
                                SCRIPT_TITLE, due_on=datetime(2026, 3, 20).date(),
                                assignee="zhang").id
    tickets.assign(app, town.lead, survey, "zhang")
    tickets.assign(app, town.lead, other, "zhang")
    clock.set(AFTER_DUE)
    sweep.sweep(app, AFTER_DUE)
    tickets.close(app, town.member, other, "已入户摸清土地及厂房权属，村集体确认")
    from caseflow.services import clearlist

    entries = {e.ticket_id: e.id for e in clearlist.list_entries(app).entries}
    return Board(survey=survey, other_survey=other, script_order=script,
                 entry=entries[survey], other_entry=entries[other])


@pytest.fixture
def client(app: App, board: Board) -> Iterator[TestClient]:
    from caseflow.adapters.server import create_app

    with TestClient(create_app(app), base_url="http://testserver",
                    follow_redirects=False) as test_client:
        yield test_client


CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def sign_in(client: TestClient, login: str, password: str = PASSWORD,
            next_page: str = "/") -> Any:
    form = client.get("/sign-in")
    assert form.status_code == 200
    return client.post("/sign-in", data={"login": login, "password": password,
                                         "csrf": csrf_of(form.text), "next": next_page})
