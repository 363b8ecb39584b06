"""The board's pages over HTTP (in-process, the server's own app): sign-in, refusals
of unsigned requests, wrong roles and forms without the CSRF token, escaping, and
every action a person takes, checked in the database afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from caseflow.persistence import tables as t
from caseflow.services import clearlist, tickets
from caseflow.services.app import App
from tests.adapters.web.conftest import PASSWORD, SCRIPT_TITLE, Board, csrf_of, jpeg, sign_in


@pytest.fixture
def as_user(app: App, board: Board) -> Iterator[Any]:
    """A signed-in client per login."""
    from caseflow.adapters.server import create_app

    clients: list[TestClient] = []

    def make(login: str) -> TestClient:
        client = TestClient(create_app(app), base_url="http://testserver",
                            follow_redirects=False)
        client.__enter__()
        clients.append(client)
        assert sign_in(client, login).status_code == 303
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


def entry_status(app: App, entry: int) -> str:
    return clearlist.show_entry(app, entry).status


def test_a_page_without_a_session_goes_to_the_sign_in_and_back(client: TestClient) -> None:
    page = client.get("/clearlist?team=negotiation")
    assert page.status_code == 303
    assert page.headers["location"] == "/sign-in?next=%2Fclearlist%3Fteam%3Dnegotiation"
    form = client.get(page.headers["location"])
    assert 'name="login"' in form.text and 'name="password"' in form.text
    assert 'value="/clearlist?team=negotiation"' in form.text
    signed = client.post("/sign-in", data={"login": "sup", "password": PASSWORD,
                                           "csrf": csrf_of(form.text),
                                           "next": "/clearlist?team=negotiation"})
    assert signed.status_code == 303 and signed.headers["location"] == "/clearlist?team=negotiation"
    cookie = signed.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    assert "还剩 2 项" in client.get("/clearlist").text


def test_sign_in_never_sends_you_to_another_site(client: TestClient) -> None:
    signed = sign_in(client, "sup", next_page="//evil.example/x")
    assert signed.headers["location"] == "/"


def test_a_wrong_password_is_said_in_chinese_and_signs_nobody_in(client: TestClient) -> None:
    refused = sign_in(client, "sup", password="not-the-password")
    assert refused.status_code == 401 and "登录名或密码错误" in refused.text
    assert "caseflow_session" not in refused.headers.get("set-cookie", "")
    assert client.get("/clearlist").status_code == 303


def test_sign_in_without_its_csrf_token_is_refused(client: TestClient) -> None:
    client.get("/sign-in")
    refused = client.post("/sign-in", data={"login": "sup", "password": PASSWORD})
    assert refused.status_code == 403


def test_unsigned_forms_are_refused_and_change_nothing(client: TestClient, app: App,
                                                      board: Board) -> None:
    for path, field in ((f"/clearlist/{board.other_entry}/signoff", "note"),
                        (f"/clearlist/{board.other_entry}/reject", "reason"),
                        (f"/tickets/{board.survey}/close", "note")):
        refused = client.post(path, data={field: "x", "csrf": "x"})
        assert refused.status_code == 401, path
    assert entry_status(app, board.other_entry) == "awaiting_signoff"
    assert tickets.show_ticket(app, board.survey).status == "open"
    assert client.get("/evidence/1").status_code == 303


def test_a_form_without_the_csrf_token_is_refused(as_user: Any, app: App, board: Board) -> None:
    sup = as_user("sup")
    for data in ({"note": "已核实"}, {"note": "已核实", "csrf": "forged"}):
        refused = sup.post(f"/clearlist/{board.other_entry}/signoff", data=data)
        assert refused.status_code == 403 and "表单已失效" in refused.text
    assert entry_status(app, board.other_entry) == "awaiting_signoff"


def test_a_member_may_not_sign_off(as_user: Any, app: App, board: Board) -> None:
    zhang = as_user("zhang")
    page = zhang.get(f"/clearlist/{board.other_entry}/signoff")
    assert page.status_code == 403 and "无权" in page.text
    csrf = csrf_of(zhang.get("/").text)
    refused = zhang.post(f"/clearlist/{board.other_entry}/signoff",
                         data={"note": "我自己销号", "csrf": csrf})
    assert refused.status_code == 403
    assert entry_status(app, board.other_entry) == "awaiting_signoff"


def test_another_teams_member_may_not_close(as_user: Any, app: App, board: Board) -> None:
    zhao = as_user("zhao")
    page = zhao.get(f"/tickets/{board.survey}")
    assert page.status_code == 200 and f'action="/tickets/{board.survey}/close"' not in page.text
    refused = zhao.post(f"/tickets/{board.survey}/close",
                        data={"note": "x", "csrf": csrf_of(page.text)})
    assert refused.status_code == 403
    assert tickets.show_ticket(app, board.survey).status == "open"


def test_a_script_title_shows_as_text(as_user: Any, board: Board) -> None:
    zhang = as_user("zhang")
    for path in ("/", f"/tickets/{board.script_order}"):
        html = zhang.get(path).text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, path
        assert SCRIPT_TITLE not in html
    assert "script-src" not in zhang.get("/").headers["content-security-policy"]
    assert "default-src 'none'" in zhang.get("/").headers["content-security-policy"]


def test_member_home_is_their_queue_soonest_due_first(as_user: Any, board: Board) -> None:
    html = as_user("zhang").get("/").text
    assert "我的工单" in html and "中山市神湾五金制品厂" in html
    first, second = html.index(f"#{board.survey} "), html.index(f"#{board.script_order} ")
    assert first < second  # due 16 March before due 20 March
    assert 'class="card overdue"' in html


def test_lead_home_is_the_team_queue_and_supervisor_home_the_list(as_user: Any) -> None:
    assert "本组工单" in as_user("lead1").get("/").text
    sup = as_user("sup")
    home = sup.get("/")
    assert home.status_code == 303 and home.headers["location"] == "/clearlist"


def test_closing_needs_a_note_and_keeps_the_photo(as_user: Any, app: App, board: Board) -> None:
    zhang = as_user("zhang")
    page = zhang.get(f"/tickets/{board.survey}")
    assert 'accept="image/*"' in page.text and "capture" in page.text
    csrf = csrf_of(page.text)
    photo = jpeg()
    no_note = zhang.post(f"/tickets/{board.survey}/close", data={"note": " ", "csrf": csrf},
                         files=[("files", ("现场.jpg", photo, "image/jpeg"))])
    assert no_note.status_code == 422 and "办结前请填写办理情况" in no_note.text
    assert tickets.show_ticket(app, board.survey).status == "open"
    closed = zhang.post(f"/tickets/{board.survey}/close",
                        data={"note": "权属已摸清", "csrf": csrf},
                        files=[("files", ("现场.jpg", photo, "image/jpeg"))])
    assert closed.status_code == 303
    view = tickets.show_ticket(app, board.survey)
    assert view.status == "closed" and [e.filename for e in view.evidence] == ["现场.jpg"]
    (item,) = view.evidence
    thumb = zhang.get(f"/evidence/{item.id}/thumb")
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/jpeg"
    assert len(thumb.content) < len(photo)
    full = zhang.get(f"/evidence/{item.id}")
    assert full.content == photo and full.headers["x-content-type-options"] == "nosniff"
    assert f"/evidence/{item.id}/thumb" in zhang.get(f"/tickets/{board.survey}").text
    assert entry_status(app, board.entry) == "awaiting_signoff"


def test_a_program_is_not_evidence(as_user: Any, app: App, board: Board) -> None:
    zhang = as_user("zhang")
    csrf = csrf_of(zhang.get(f"/tickets/{board.survey}").text)
    refused = zhang.post(f"/tickets/{board.survey}/evidence", data={"csrf": csrf},
                         files=[("files", ("photo.jpg", b"MZ\x90\x00" + bytes(300),
                                           "image/jpeg"))])
    assert refused.status_code == 422
    assert tickets.show_ticket(app, board.survey).evidence == []


def test_sign_off_and_reject_each_after_a_confirmation(as_user: Any, app: App,
                                                       board: Board) -> None:
    sup = as_user("sup")
    listed = sup.get("/clearlist").text
    assert "还剩 2 项" in listed and "已入户摸清土地及厂房权属" in listed
    confirm = sup.get(f"/clearlist/{board.other_entry}/signoff")
    assert confirm.status_code == 200 and "确认销号" in confirm.text
    assert entry_status(app, board.other_entry) == "awaiting_signoff"  # asking changes nothing
    csrf = csrf_of(confirm.text)
    empty = sup.post(f"/clearlist/{board.other_entry}/signoff", data={"note": "", "csrf": csrf})
    assert empty.status_code == 422 and "销号前请填写核查情况" in empty.text
    done = sup.post(f"/clearlist/{board.other_entry}/signoff",
                    data={"note": "已现场核查", "csrf": csrf})
    assert done.status_code == 303
    assert entry_status(app, board.other_entry) == "signed_off"
    assert "还剩 1 项" in sup.get(done.headers["location"]).text
    # send back: close the other order first, then reject it
    tickets.close(app, tickets_actor(app, "zhang"), board.survey, "已摸清")
    page = sup.get(f"/clearlist/{board.entry}/reject")
    sent = sup.post(f"/clearlist/{board.entry}/reject",
                    data={"reason": "缺少村集体确认书", "csrf": csrf_of(page.text)})
    assert sent.status_code == 303
    assert entry_status(app, board.entry) == "open"
    assert tickets.show_ticket(app, board.survey).status == "open"
    with app.engine.connect() as conn:
        actors = conn.execute(sa.select(t.audit_event.c.actor).where(
            t.audit_event.c.action.in_(("entry.signed_off", "entry.rejected")))).scalars().all()
    assert actors == ["sup", "sup"]


def tickets_actor(app: App, login: str) -> Any:
    from caseflow.services.directory import resolve_actor

    return resolve_actor(app, login)


def test_sign_out_ends_the_session(as_user: Any, client: TestClient) -> None:
    sup = as_user("sup")
    cookie = sup.cookies.get("caseflow_session")
    out = sup.post("/sign-out", data={"csrf": csrf_of(sup.get("/clearlist").text)})
    assert out.status_code == 303 and out.headers["location"] == "/sign-in"
    client.cookies.set("caseflow_session", cookie)
    assert client.get("/clearlist").status_code == 303


def test_english_on_the_switch(as_user: Any) -> None:
    sup = as_user("sup")
    switched = sup.get("/lang/en?next=/clearlist")
    assert switched.status_code == 303 and switched.headers["location"] == "/clearlist"
    html = sup.get("/clearlist").text
    assert "Clear-to-zero list" in html and "2 items left" in html and "清零清单" not in html
    assert "中文" in html


def test_the_printable_list_has_every_item(as_user: Any, board: Board) -> None:
    html = as_user("sup").get("/clearlist/print").text
    assert html.count("<tr>") == 3  # the header and two items
    assert "中山市神湾五金制品厂" in html and "中山市定溪纺织有限公司" in html


def test_filters_by_team_level_and_town(as_user: Any) -> None:
    sup = as_user("sup")
    assert "还剩 2 项" in sup.get("/clearlist?team=negotiation&level=1&town=神湾镇").text
    assert "还剩 0 项" in sup.get("/clearlist?town=桐乡市").text


def test_ranking_progress_and_burndown_pages(as_user: Any, app: App) -> None:
    from caseflow.services import reports

    sup = as_user("sup")
    ranking = sup.get("/ranking?week=2026-W11&by=team")
    assert ranking.status_code == 200 and "每周量化排序" in ranking.text
    for row in reports.weekly(app, "2026-W11", by="team").rows:
        assert row.unit_name in ranking.text
    progress = sup.get("/progress")
    assert progress.status_code == 200 and "神湾镇定溪工业园" in progress.text
    chart = sup.get("/progress/burndown.svg")
    assert chart.status_code == 200 and chart.headers["content-type"].startswith("image/svg+xml")
    assert b"<svg" in chart.content[:500]


def test_evidence_wanted_before_sign_off_is_said_on_the_page(as_user: Any, app: App,
                                                             board: Board, monkeypatch: Any,
                                                             tmp_path: Any) -> None:
    source = app.workflows.get("gongai").source.replace(
        "[escalation]\n", '[escalation]\nevidence = "signoff"\n', 1)
    # the case keeps the version it started with: change the stored one, as a test only
    with app.engine.begin() as conn:
        conn.execute(t.workflow_version.update().values(source=source))
    app.__dict__.pop("_definitions_by_id", None)
    sup = as_user("sup")
    page = sup.get(f"/clearlist/{board.other_entry}/signoff")
    refused = sup.post(f"/clearlist/{board.other_entry}/signoff",
                       data={"note": "已核实", "csrf": csrf_of(page.text)})
    assert refused.status_code == 422 and "需先上传佐证材料" in refused.text
    assert entry_status(app, board.other_entry) == "awaiting_signoff"
