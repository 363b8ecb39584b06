"""The board's pages. Each handler reads who is asking (``session.viewer``), calls
the services the command calls, and renders a template; services check permissions
and write audit events, so a page can never do what the person could not do in a
terminal. Forms are plain HTML posts with a CSRF token; nothing needs a script.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from caseflow.adapters.web import session as web_session
from caseflow.adapters.web.i18n import COOKIE, LANGS, Words, pick
from caseflow.adapters.web.present import Present
from caseflow.errors import (
    CaseflowError,
    Conflict,
    EvidenceRequired,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from caseflow.services.app import App

HERE = Path(__file__).resolve().parent
PAGE = 30           # orders per page of a queue
LIST_PAGE = 20      # items per page of the clear-to-zero list
PRINT_MAX = 300     # the printable list for the weekly meeting (a team's, or a town's)
STATIC = {"board.css": "text/css; charset=utf-8"}
# No script runs on these pages; forms post only here; nobody may frame them.
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' data:; "
                               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
ROLES_REVIEWING = ("supervisor", "admin")
REPORT_TTL = 120.0  # seconds a ranking or progress report is reused by this process


def templates() -> Environment:
    env = Environment(loader=FileSystemLoader(HERE / "templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      trim_blocks=True, lstrip_blocks=True)
    return env


class Board:
    """The pages of one server process over one ``App``."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.env = templates()
        self.tz = ZoneInfo(app.settings.display_tz)
        self._reports: dict[tuple[Any, ...], tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def report(self, key: tuple[Any, ...], make: Callable[[], Any]) -> Any:
        """A report computed at most once per ``REPORT_TTL`` seconds per process.

        A city's weekly ranking reads a quarter of a million orders (about half a
        second); fifty leaders opening it after the Monday meeting should not each pay
        that. The figures are the services' own, at most ``REPORT_TTL`` old.
        """
        now = time.monotonic()
        with self._lock:
            found = self._reports.get(key)
            if found is not None and now - found[0] < REPORT_TTL:
                return found[1]
        made = make()
        with self._lock:
            if len(self._reports) > 64:
                self._reports.clear()
            self._reports[key] = (time.monotonic(), made)
        return made

    # ------------------------------------------------------------------ helpers
    def words(self, request: Request) -> Words:
        return Words(pick(request.cookies.get(COOKIE)))

    def render(self, request: Request, name: str, *, status: int = 200,
               viewer: web_session.Viewer | None = None, **context: Any) -> HTMLResponse:
        words = self.words(request)
        present = Present(words, self.tz, self.app.clock.now(), self.app.calendar)
        html = self.env.get_template(name).render(
            _=words._, ngettext=words.ngettext, pgettext=words.pgettext, w=words, p=present,
            viewer=viewer, actor=viewer.actor if viewer else None,
            csrf=viewer.csrf if viewer else None, here=web_session.back_to(request),
            langs=LANGS, quote=quote, **context)
        return HTMLResponse(html, status_code=status, headers=PAGE_HEADERS)

    def refusal(self, request: Request, error: CaseflowError,
                viewer: web_session.Viewer | None) -> HTMLResponse:
        w = self.words(request)
        status, headline = 400, w._("This cannot be done")
        if isinstance(error, PermissionDenied):
            status, headline = 403, w._("Your role does not allow this")
        elif isinstance(error, NotFound):
            status, headline = 404, w._("Not found")
        elif isinstance(error, Conflict):
            status, headline = 409, w._("Somebody else changed this at the same moment")
        elif isinstance(error, InvalidInput):
            status = 422
        return self.render(request, "error.html", status=status, viewer=viewer,
                           headline=headline, detail=self.say(w, error))

    @staticmethod
    def say(w: Words, error: CaseflowError) -> str:
        """A refusal in the reader's language (the one catalog system renders it)."""
        return error.render(w.lang)


def _ctx(request: Request) -> tuple[App, Board]:
    board = board_of(request)
    return board.app, board


def board_of(request: Request) -> Board:
    """The server's one ``Board``, made on first use over ``app.state.caseflow``."""
    state = request.app.state
    board = getattr(state, "board", None)
    if board is None:
        board = state.board = Board(state.caseflow)
    return board


def page(handler: Callable[..., Response]) -> Callable[..., Response]:
    """Turn the ways a request is refused into pages: no session → the sign-in (GET)
    or 401 (forms), a missing CSRF token → 403, a refusal → its page and status."""

    @functools.wraps(handler)
    def run(request: Request, *args: Any, **kwargs: Any) -> Response:
        board = board_of(request)
        if True:  # one indentation level with the old closure, for a small diff
            try:
                return handler(request, *args, **kwargs)
            except web_session.SignInNeeded as needed:
                if request.method in ("GET", "HEAD"):
                    return RedirectResponse(web_session.sign_in_url(needed.back_to), 303)
                return board.render(request, "error.html", status=401,
                                    headline=board.words(request)._("Please sign in first"),
                                    detail="")
            except web_session.CsrfRefused:
                w = board.words(request)
                return board.render(request, "error.html", status=403,
                                    headline=w._("This form has expired"),
                                    detail=w._("Open the page again and resubmit."))
            except CaseflowError as error:
                viewer = getattr(request.state, "viewer", None)
                return board.refusal(request, error, viewer)
    return run


def _uploads(files: list[UploadFile] | None) -> list[Any]:
    from caseflow.services.evidence import MAX_BYTES, Upload

    uploads = []
    for item in files or []:
        if not item.filename:
            continue  # an empty file input still sends a part
        data = item.file.read(MAX_BYTES + 1)
        uploads.append(Upload(item.filename, data))
    return uploads


def _page_number(raw: int | None) -> int:
    return max(1, raw or 1)


router = APIRouter(include_in_schema=False)
"""The board's routes; ``caseflow serve`` includes them at ``/`` (server/routers.py)."""


def build_router(app: App) -> APIRouter:
    """For a server of one's own: the routes read ``request.app.state.caseflow``."""
    return router



def who(request: Request) -> web_session.Viewer:
    app, board = _ctx(request)
    viewer = web_session.viewer(app, request)
    request.state.viewer = viewer
    return viewer

def posted(request: Request, csrf: str) -> web_session.Viewer:
    app, board = _ctx(request)
    viewer = who(request)
    web_session.check_csrf(viewer.csrf, csrf)
    return viewer

# ------------------------------------------------------------------ sign-in
@router.get("/sign-in", response_class=HTMLResponse)
@page
def sign_in_form(request: Request, next: str = "/") -> Response:
    app, board = _ctx(request)
    token = web_session.sign_in_csrf(request)
    response = board.render(request, "sign_in.html", next=web_session.safe_next(next),
                            sign_in_csrf=token, login="", problem=None)
    web_session.keep_sign_in_csrf(response, request, token)
    return response

@router.post("/sign-in", response_class=HTMLResponse)
@page
def sign_in(request: Request, login: str = Form(""), password: str = Form(""),
            csrf: str = Form(""), next: str = Form("/")) -> Response:
    app, board = _ctx(request)
    from caseflow.services import accounts

    w = board.words(request)
    target = web_session.safe_next(next)
    expected = request.cookies.get(web_session.SIGN_IN_COOKIE, "")
    if not expected:
        raise web_session.CsrfRefused()
    web_session.check_csrf(expected, csrf)
    address = web_session.client_address(request)

    def again(problem: str, status: int) -> Response:
        return board.render(request, "sign_in.html", status=status, next=target,
                            sign_in_csrf=expected, login=login, problem=problem)

    if not login.strip() or not password:
        return again(w._("Enter your login and password."), 422)
    try:
        actor = accounts.authenticate(app, login.strip(), password, address=address)
    except accounts.Throttled as throttled:
        minutes = (throttled.retry_after + 59) // 60
        return again(w._("Too many failed sign-ins; try again in {n} minute(s).")
                     .format(n=minutes), 429)
    except accounts.NotSignedIn:
        return again(w._("Wrong login or password."), 401)
    issued = accounts.issue_token(app, actor, label="board", address=address)
    response = RedirectResponse(target, 303)
    web_session.keep_session(response, request, issued.token)
    response.delete_cookie(web_session.SIGN_IN_COOKIE, path="/sign-in")
    return response

@router.post("/sign-out")
@page
def sign_out(request: Request, csrf: str = Form("")) -> Response:
    app, board = _ctx(request)
    from caseflow.services import accounts

    viewer = posted(request, csrf)
    accounts.revoke_token(app, viewer.actor)
    response = RedirectResponse("/sign-in", 303)
    web_session.end_session(response, request)
    return response

@router.get("/lang/{lang}")
def switch_language(request: Request, lang: str, next: str = "/") -> Response:
    app, board = _ctx(request)
    response = RedirectResponse(web_session.safe_next(next), 303)
    response.set_cookie(COOKIE, pick(lang), max_age=365 * 86400, samesite="lax",
                        secure=web_session.is_tls(request), path="/")
    return response

@router.get("/static/{name}")
def static(name: str) -> Response:
    if name not in STATIC:
        return Response(status_code=404)
    return Response((HERE / "static" / name).read_bytes(), media_type=STATIC[name],
                    headers={"Cache-Control": "public, max-age=3600",
                             "X-Content-Type-Options": "nosniff"})

# ------------------------------------------------------------------ queues
@router.get("/", response_class=HTMLResponse)
@page
def home(request: Request, page: int | None = None) -> Response:
    app, board = _ctx(request)
    viewer = who(request)
    if viewer.actor.role in ROLES_REVIEWING:
        return RedirectResponse("/clearlist", 303)
    return queue(request, viewer, "team" if viewer.actor.role == "lead" else "mine", page)

@router.get("/queue/{scope}", response_class=HTMLResponse)
@page
def queue_page(request: Request, scope: str, page: int | None = None) -> Response:
    app, board = _ctx(request)
    if scope not in ("mine", "team"):
        raise NotFound("no queue “{scope}”", scope=scope)
    return queue(request, who(request), scope, page)

def queue(request: Request, viewer: web_session.Viewer, scope: str,
          number: int | None) -> Response:
    app, board = _ctx(request)
    from caseflow.services import tickets

    number = _page_number(number)
    if scope == "team" and viewer.actor.team_id is None:
        scope = "mine"
    views, total = tickets.page_tickets(app, viewer.actor, scope=scope,
                                        offset=(number - 1) * PAGE, limit=PAGE)
    return board.render(request, "queue.html", viewer=viewer, scope=scope, orders=views,
                        total=total, page=number, pages=max(1, -(-total // PAGE)))

# ------------------------------------------------------------------ a work order
@router.get("/tickets/{ticket_id}", response_class=HTMLResponse)
@page
def ticket_page(request: Request, ticket_id: int, done: str | None = None) -> Response:
    app, board = _ctx(request)
    viewer = who(request)
    return show_ticket(request, viewer, ticket_id, done=done)

def show_ticket(request: Request, viewer: web_session.Viewer, ticket_id: int, *,
                problem: str | None = None, note: str = "", status: int = 200,
                done: str | None = None) -> Response:
    app, board = _ctx(request)
    from caseflow.services import clearlist, directory, tickets

    view = tickets.show_ticket(app, ticket_id)
    teams = {t.code: t.name for t in directory.list_teams(app)}
    entry = clearlist.entry_for_ticket(app, ticket_id)
    actor = viewer.actor
    may_close = view.status in ("open", "in_progress") and \
        tickets.may_work_on(app, actor, ticket_id)
    return board.render(request, "ticket.html", status=status, viewer=viewer, t=view,
                        entry=entry, may_close=may_close, problem=problem, note=note,
                        done=done, reviewing=actor.role in ROLES_REVIEWING, teams=teams)

@router.post("/tickets/{ticket_id}/close", response_class=HTMLResponse)
@page
def close_ticket(request: Request, ticket_id: int, note: str = Form(""),
                 csrf: str = Form(""),
                 files: list[UploadFile] | None = File(None)) -> Response:
    app, board = _ctx(request)
    from caseflow.services import tickets

    viewer = posted(request, csrf)
    w = board.words(request)
    if not note.strip():
        return show_ticket(request, viewer, ticket_id, status=422, note=note,
                           problem=w._("Write what was done before closing."))
    try:
        tickets.close(app, viewer.actor, ticket_id, note, evidence=_uploads(files))
    except (EvidenceRequired, InvalidInput) as error:
        return show_ticket(request, viewer, ticket_id, status=422, note=note,
                           problem=board.say(w, error))
    return RedirectResponse(f"/tickets/{ticket_id}?done=closed", 303)

@router.post("/tickets/{ticket_id}/evidence", response_class=HTMLResponse)
@page
def attach(request: Request, ticket_id: int, csrf: str = Form(""),
           files: list[UploadFile] | None = File(None)) -> Response:
    app, board = _ctx(request)
    from caseflow.services import evidence

    viewer = posted(request, csrf)
    w = board.words(request)
    uploads = _uploads(files)
    if not uploads:
        return show_ticket(request, viewer, ticket_id, status=422,
                           problem=w._("Choose a photo or file first."))
    try:
        evidence.attach(app, viewer.actor, ticket_id, uploads)
    except InvalidInput as error:
        return show_ticket(request, viewer, ticket_id, status=422,
                           problem=board.say(w, error))
    return RedirectResponse(f"/tickets/{ticket_id}?done=attached", 303)

@router.get("/evidence/{evidence_id}")
@page
def evidence_file(request: Request, evidence_id: int) -> Response:
    app, board = _ctx(request)
    return _file(request, evidence_id, thumbnail=False)

@router.get("/evidence/{evidence_id}/thumb")
@page
def evidence_thumb(request: Request, evidence_id: int) -> Response:
    app, board = _ctx(request)
    return _file(request, evidence_id, thumbnail=True)

def _file(request: Request, evidence_id: int, *, thumbnail: bool) -> Response:
    app, board = _ctx(request)
    from caseflow.services import evidence

    who(request)
    view, data = evidence.content(app, evidence_id, thumbnail=thumbnail)
    kind = "image/jpeg" if thumbnail else view.content_type
    inline = kind.startswith("image/") or kind == "application/pdf"
    disposition = ("inline" if inline else "attachment") + \
        f"; filename*=UTF-8''{quote(view.filename)}"
    return Response(data, media_type=kind, headers={
        "Content-Disposition": disposition, "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
        "Cache-Control": "private, max-age=86400"})

# ------------------------------------------------------------------ 清零清单
def list_filters(team: str | None, level: int | None, town: str | None) -> dict[str, Any]:
    return {"team": team or None, "level": level if level and level > 0 else None,
            "town": town or None}

@router.get("/clearlist", response_class=HTMLResponse)
@page
def clear_list(request: Request, team: str | None = None, level: int | None = None,
               town: str | None = None, page: int | None = None,
               done: str | None = None, order: int | None = None) -> Response:
    app, board = _ctx(request)
    from caseflow.services import clearlist, directory, evidence, projects

    viewer = who(request)
    number = _page_number(page)
    chosen = list_filters(team, level, town)
    listed = clearlist.list_entries(app, **chosen, offset=(number - 1) * LIST_PAGE,
                                    limit=LIST_PAGE)
    proofs = evidence.for_orders(app, [e.ticket_id for e in listed.entries])
    teams = {t.code: t.name for t in directory.list_teams(app)}
    query = urlencode({k: v for k, v in chosen.items() if v is not None})
    return board.render(
        request, "clearlist.html", viewer=viewer, listed=listed, proofs=proofs,
        teams=teams, towns=projects.towns(app), chosen=chosen, query=query, page=number,
        pages=max(1, -(-listed.left // LIST_PAGE)), done=done, done_order=order,
        reviewing=viewer.actor.role in ROLES_REVIEWING)

@router.get("/clearlist/print", response_class=HTMLResponse)
@page
def clear_list_print(request: Request, team: str | None = None, level: int | None = None,
                     town: str | None = None) -> Response:
    app, board = _ctx(request)
    from caseflow.services import clearlist, directory

    viewer = who(request)
    chosen = list_filters(team, level, town)
    listed = clearlist.list_entries(app, **chosen, limit=PRINT_MAX)
    teams = {t.code: t.name for t in directory.list_teams(app)}
    return board.render(request, "clearlist_print.html", viewer=viewer, listed=listed,
                        teams=teams, chosen=chosen, cut=PRINT_MAX)

def decide_page(request: Request, viewer: web_session.Viewer, entry_id: int, action: str,
                *, problem: str | None = None, text: str = "",
                status: int = 200) -> Response:
    app, board = _ctx(request)
    from caseflow.services import clearlist, directory, evidence

    item = clearlist.show_entry(app, entry_id)
    teams = {t.code: t.name for t in directory.list_teams(app)}
    proofs = evidence.for_orders(app, [item.ticket_id])[item.ticket_id]
    return board.render(request, "decide.html", status=status, viewer=viewer, e=item,
                        proofs=proofs, action=action, problem=problem, text=text,
                        teams=teams)

@router.get("/clearlist/{entry_id}/{action}", response_class=HTMLResponse)
@page
def decide_form(request: Request, entry_id: int, action: str) -> Response:
    app, board = _ctx(request)
    if action not in ("signoff", "reject"):
        raise NotFound("no action “{action}”", action=action)
    viewer = who(request)
    if viewer.actor.role not in ROLES_REVIEWING:
        raise PermissionDenied("{login} ({role}) may not sign clear-list entries off",
                               login=viewer.actor.login, role=viewer.actor.role)
    return decide_page(request, viewer, entry_id, action)

@router.post("/clearlist/{entry_id}/signoff", response_class=HTMLResponse)
@page
def sign_off(request: Request, entry_id: int, note: str = Form(""),
             csrf: str = Form("")) -> Response:
    app, board = _ctx(request)
    from caseflow.services import clearlist

    viewer = posted(request, csrf)
    w = board.words(request)
    if not note.strip():
        return decide_page(request, viewer, entry_id, "signoff", status=422,
                           problem=w._("Write what was checked before signing off."))
    try:
        decided = clearlist.signoff(app, viewer.actor, entry_id, note)
    except EvidenceRequired as error:
        return decide_page(request, viewer, entry_id, "signoff", status=422, text=note,
                           problem=board.say(w, error))
    return RedirectResponse(f"/clearlist?done=signed&order={decided.ticket_id}", 303)

@router.post("/clearlist/{entry_id}/reject", response_class=HTMLResponse)
@page
def reject(request: Request, entry_id: int, reason: str = Form(""),
           csrf: str = Form("")) -> Response:
    app, board = _ctx(request)
    from caseflow.services import clearlist

    viewer = posted(request, csrf)
    w = board.words(request)
    if not reason.strip():
        return decide_page(request, viewer, entry_id, "reject", status=422,
                           problem=w._("Write why the closure is sent back."))
    decided = clearlist.reject(app, viewer.actor, entry_id, reason)
    return RedirectResponse(f"/clearlist?done=rejected&order={decided.ticket_id}", 303)

# ------------------------------------------------------------------ reports
@router.get("/ranking", response_class=HTMLResponse)
@page
def ranking(request: Request, week: str | None = None, by: str = "team") -> Response:
    app, board = _ctx(request)
    from caseflow.services import reports

    viewer = who(request)
    if by not in ("team", "town", "project"):
        by = "team"
    wanted = reports.parse_week(week).label if week else \
        reports.last_complete_week(app.clock.now()).label
    report = board.report(("weekly", wanted, by), lambda: reports.weekly(app, wanted, by=by))
    this = reports.parse_week(report.week)
    later = reports.Week.containing(this.monday + (this.monday - this.previous().monday))
    newer = later.label if later.start < app.clock.now() else None
    return board.render(request, "ranking.html", viewer=viewer, r=report, by=by,
                        newer=newer)

@router.get("/progress", response_class=HTMLResponse)
@page
def progress(request: Request, year: int | None = None, by: str = "project",
             team: str | None = None) -> Response:
    app, board = _ctx(request)
    from caseflow.services import directory, reports

    viewer = who(request)
    if by not in ("project", "town"):
        by = "project"
    report = board.report(("progress", year, by), lambda: reports.progress(app, year, by=by))
    teams = {t.code: t.name for t in directory.list_teams(app)}
    return board.render(request, "progress.html", viewer=viewer, r=report, by=by,
                        team=team or None, teams=teams,
                        elapsed=100 * report.elapsed_days / report.days_in_year)

@router.get("/progress/burndown.svg")
@page
def burndown(request: Request, team: str | None = None, days: int = 30) -> Response:
    app, board = _ctx(request)
    from caseflow.adapters.exporters.burndown import render_svg
    from caseflow.services import reports

    who(request)
    w = board.words(request)
    span = min(max(days, 7), 120)
    svg = board.report(("burndown", span, team or None, w.lang), lambda: render_svg(
        reports.burndown(app, span, team=team or None),
        title=w._("Clear-to-zero burndown"), lang=w.lang))
    return Response(svg, media_type="image/svg+xml", headers={
        "Cache-Control": "private, max-age=300", "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"})

