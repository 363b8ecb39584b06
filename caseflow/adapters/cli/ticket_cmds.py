"""``caseflow ticket ...``: the work orders (工单) people open and close all day.

``ticket list --mine`` and ``ticket close ID`` are the hot paths: they import only
typer, the ticket service and (for the list) rich's table, nothing else heavy.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from caseflow.adapters.cli.context import CliState, UsageProblem, print_json
from caseflow.adapters.cli.i18n import _

JsonOpt = Annotated[bool, typer.Option("--json", help="print JSON")]
IdArg = Annotated[int, typer.Argument(help="work order id")]


def _ticket_dict(view: Any, *, full: bool) -> dict[str, Any]:
    data = view.as_dict()
    if not full:
        data.pop("history", None)
        data.pop("evidence", None)
    return data


def _done(state: CliState, view: Any, json: bool, message: str) -> None:
    if json:
        print_json(_ticket_dict(view, full=False), state.tz)
    else:
        from caseflow.adapters.inert import echo

        echo(message)  # it names the order: user text, shown inert


def _label(state: CliState, view: Any) -> str:
    return f"#{view.id} {view.display_title(state.lang)}"


def _print_ticket(state: CliState, view: Any) -> None:
    from caseflow.adapters.cli import render

    app = state.app()
    tz = state.tz
    if view.status in render.OPEN:
        rel, style = render.relative_due(view.due_at, app.clock.now(), app.calendar)
        due = f"{render.due_text(view.due_at, tz)} ({rel})"
    else:
        due, style = render.due_text(view.due_at, tz), ""
    out = render.console()
    out.print(render.pairs([
        (_("Work order"), _label(state, view)),
        (_("Case"), f"#{view.case_id} {view.case_name}"),
        (_("Status"), render.status_label(view.status)),
        (_("Team"), view.team),
        (_("Assignee"), view.assignee),
        (_("Due"), due),
        (_("Rule"), view.due_rule),
        (_("Opened"), render.when(view.opened_at, tz)),
        (_("Closed"), render.when(view.closed_at, tz) if view.closed_at else None),
        (_("Note"), view.close_note),
        (_("Escalation level"), view.level or None),
    ]), style=style or None)
    if view.evidence:
        out.print(_evidence_table(view.evidence, tz))
    out.print(render.history_table(view.history, tz))


def _evidence_table(items: list[Any], tz: Any) -> Any:
    from caseflow.adapters.cli import render

    grid = render.table(_("Evidence"), _("Type"), _("Size"), _("By"), _("When"), "SHA-256")
    for item in items:
        grid.add_row(f"#{item.id} {item.filename}", item.content_type, _size(item.size),
                     item.uploaded_by, render.when(item.uploaded_at, tz), item.sha256[:12])
    return grid


def _size(n: int) -> str:
    return f"{n / 1048576:.1f} MB" if n >= 1048576 else f"{max(1, round(n / 1024))} KB"


def _pick(state: CliState) -> int:
    """On a terminal: number the user's open orders and ask which one to close."""
    from caseflow.adapters.cli import render
    from caseflow.services import tickets

    app = state.app()
    mine = tickets.list_tickets(app, state.actor(), scope="mine", limit=50)
    if not mine:
        raise UsageProblem(_("you have no open work orders to close"),
                           hint=_("see `caseflow ticket list --team CODE`"))
    now = app.clock.now()
    grid = render.table("#", _("ID"), _("Work order"), _("Due"))
    for number, view in enumerate(mine, start=1):
        rel, style = render.relative_due(view.due_at, now, app.calendar)
        grid.add_row(str(number), str(view.id), view.display_title(state.lang), rel,
                     style=style or None)
    render.console().print(grid)
    choice = typer.prompt(_("Close which one (number)"), type=int)
    if not 1 <= choice <= len(mine):
        raise UsageProblem(_("{n} is not on the list").format(n=choice))
    return mine[choice - 1].id


SHOWN = 100  # a screenful or three; more scrolls past unread and costs a person time


def register(app: typer.Typer) -> None:
    ticket = typer.Typer(help="Work orders (工单).", no_args_is_help=True)
    app.add_typer(ticket, name="ticket")

    @ticket.command("list")
    def list_(
        ctx: typer.Context,
        mine: Annotated[bool, typer.Option("--mine", help="assigned to me (default for "
                                                           "members and leads)")] = False,
        team: Annotated[str | None, typer.Option("--team", help="a team's orders")] = None,
        all_: Annotated[bool, typer.Option("--all", help="everybody's orders")] = False,
        overdue: Annotated[bool, typer.Option("--overdue", help="only overdue ones")] = False,
        as_of: Annotated[str | None, typer.Option(
            "--as-of", help="judge deadlines as of TIME (YYYY-MM-DD[THH:MM])")] = None,
        status: Annotated[str, typer.Option(
            "--status", help="open (default), closed, cancelled or any")] = "open",
        case_id: Annotated[int | None, typer.Option("--case", help="one case's orders")] = None,
        limit: Annotated[int | None, typer.Option(
            "--limit", help=f"at most N (the terminal shows {SHOWN} unless told; 0: all)")] = None,
        json: JsonOpt = False,
    ) -> None:
        """Work orders, soonest due first; overdue in red, due within a working day in
        yellow."""
        from caseflow.services import tickets

        if sum((mine, team is not None, all_)) > 1:
            raise UsageProblem(_("use only one of --mine, --team CODE, --all"))
        state: CliState = ctx.obj
        app_ = state.app()
        actor = state.actor()
        when = None
        if as_of:
            from caseflow.domain.durations import parse_instant

            when = parse_instant(as_of)
        if team is not None:
            scope = "team"
        elif all_ or (not mine and case_id is not None):
            scope = "all"
        elif mine or actor.role in ("member", "lead"):
            scope = "mine"
        else:
            scope = "all"
        views = tickets.list_tickets(app_, actor, scope=scope, team=team, overdue=overdue,
                                     as_of=when, status=status, case_id=case_id,
                                     limit=limit or None)
        if json:
            print_json([_ticket_dict(v, full=False) for v in views], state.tz)
            return
        if not views:
            typer.echo(_("no work orders"), err=True)
            return
        from caseflow.adapters.cli import render

        shown = views if limit is not None else views[:SHOWN]
        render.show(render.ticket_table(shown, lang=state.lang, tz=state.tz,
                                        now=when or app_.clock.now(), calendar=app_.calendar))
        if len(shown) < len(views):
            typer.echo(_("showing {shown} of {total}, soonest due first; --limit 0 shows all")
                       .format(shown=len(shown), total=len(views)))

    @ticket.command("show")
    def show(ctx: typer.Context, ticket_id: IdArg, json: JsonOpt = False) -> None:
        """One work order with its history."""
        from caseflow.services import tickets

        state: CliState = ctx.obj
        state.actor()
        view = tickets.show_ticket(state.app(), ticket_id)
        if json:
            print_json(_ticket_dict(view, full=True), state.tz)
        else:
            _print_ticket(state, view)

    @ticket.command("add")
    def add(
        ctx: typer.Context,
        case_id: Annotated[int, typer.Option("--case", help="case id")],
        title: Annotated[str, typer.Option("--title", help="what is to be done")],
        due: Annotated[str | None, typer.Option("--due", help="due date YYYY-MM-DD")] = None,
        within: Annotated[str | None, typer.Option(
            "--in", help="due in 5wd (working days) or 10d (days)")] = None,
        assignee: Annotated[str | None, typer.Option("--assignee", help="LOGIN")] = None,
        json: JsonOpt = False,
    ) -> None:
        """Open a work order on a case."""
        from caseflow.domain.durations import parse_date, parse_duration
        from caseflow.services import tickets

        if (due is None) == (within is None):
            raise UsageProblem(_("give exactly one of --due DATE or --in 5wd|10d"))
        state: CliState = ctx.obj
        view = tickets.add_ticket(
            state.app(), state.actor(), case_id, title,
            due_on=parse_date(due) if due else None,
            within=parse_duration(within) if within else None, assignee=assignee)
        _done(state, view, json, _("opened {ticket}, due {due}").format(
            ticket=_label(state, view), due=view.due_at.astimezone(state.tz).date()))

    @ticket.command("start")
    def start(ctx: typer.Context, ticket_id: IdArg, json: JsonOpt = False) -> None:
        """Mark a work order in progress (taking it if unassigned)."""
        from caseflow.services import tickets

        state: CliState = ctx.obj
        view = tickets.start(state.app(), state.actor(), ticket_id)
        _done(state, view, json, _("started {ticket}").format(ticket=_label(state, view)))

    @ticket.command("close")
    def close(
        ctx: typer.Context,
        ticket_id: Annotated[int | None, typer.Argument(
            help="work order id; on a terminal, leave it out to pick one")] = None,
        note: Annotated[str | None, typer.Option("--note", help="what was done")] = None,
        json: JsonOpt = False,
    ) -> None:
        """Close a work order with a note of what was done."""
        from caseflow.services import tickets

        state: CliState = ctx.obj
        interactive = sys.stdin.isatty() and sys.stdout.isatty()
        if ticket_id is None:
            if not interactive:
                raise UsageProblem(_("ticket close needs a work order ID when not run on a "
                                     "terminal"), hint="caseflow ticket close ID --note TEXT")
            ticket_id = _pick(state)
        if note is None:
            if not interactive:
                raise UsageProblem(_("ticket close needs --note TEXT (what was done)"))
            note = typer.prompt(_("Note (what was done)"))
        view = tickets.close(state.app(), state.actor(), ticket_id, note)
        late = view.closed_at is not None and view.closed_at > view.due_at
        _done(state, view, json, _("closed {ticket} ({when})").format(
            ticket=_label(state, view), when=_("late") if late else _("on time")))

    @ticket.command("attach")
    def attach(
        ctx: typer.Context, ticket_id: IdArg,
        files: Annotated[list[Path], typer.Argument(
            help="photos, PDF scans or Word/Excel files", exists=False)],
        json: JsonOpt = False,
    ) -> None:
        """Attach evidence (photos, the signed agreement, the acceptance record)."""
        from caseflow.services import evidence

        state: CliState = ctx.obj
        uploads = []
        for path in files:
            try:
                uploads.append(evidence.Upload(path.name, path.read_bytes()))
            except OSError as exc:
                raise UsageProblem("cannot read {path}: {why}", path=str(path),
                                   why=exc.strerror or str(exc)) from None
        added = evidence.attach(state.app(), state.actor(), ticket_id, uploads)
        if json:
            print_json([item.as_dict() for item in added], state.tz)
            return
        for item in added:
            typer.echo(_("attached {file} to work order #{id} ({size}, sha256 {digest})").format(
                file=item.filename, id=ticket_id, size=_size(item.size),
                digest=item.sha256[:12]))

    @ticket.command("reopen")
    def reopen(
        ctx: typer.Context, ticket_id: IdArg,
        reason: Annotated[str, typer.Option("--reason", help="why it is not done")],
        json: JsonOpt = False,
    ) -> None:
        """Reopen a closed work order."""
        from caseflow.services import tickets

        state: CliState = ctx.obj
        view = tickets.reopen(state.app(), state.actor(), ticket_id, reason)
        _done(state, view, json, _("reopened {ticket}").format(ticket=_label(state, view)))

    @ticket.command("assign")
    def assign(
        ctx: typer.Context, ticket_id: IdArg,
        login: Annotated[str, typer.Argument(help="assignee LOGIN")],
        json: JsonOpt = False,
    ) -> None:
        """Assign a work order (leads; members may take an unassigned one)."""
        from caseflow.services import tickets

        state: CliState = ctx.obj
        view = tickets.assign(state.app(), state.actor(), ticket_id, login)
        _done(state, view, json, _("assigned {ticket} to {login}").format(
            ticket=_label(state, view), login=login))

    @ticket.command("extend")
    def extend(
        ctx: typer.Context, ticket_id: IdArg,
        to: Annotated[str, typer.Option("--to", help="new due date YYYY-MM-DD")],
        reason: Annotated[str, typer.Option("--reason", help="why more time")],
        json: JsonOpt = False,
    ) -> None:
        """Move a deadline later (the team's lead)."""
        from caseflow.domain.durations import parse_date
        from caseflow.services import tickets

        state: CliState = ctx.obj
        view = tickets.extend(state.app(), state.actor(), ticket_id, parse_date(to), reason)
        _done(state, view, json, _("extended {ticket} to {due}").format(
            ticket=_label(state, view), due=view.due_at.astimezone(state.tz).date()))

    @ticket.command("comment")
    def comment(
        ctx: typer.Context, ticket_id: IdArg,
        text: Annotated[str, typer.Argument(help="the comment")],
        json: JsonOpt = False,
    ) -> None:
        """Add a comment to a work order's history."""
        from caseflow.services import tickets

        state: CliState = ctx.obj
        view = tickets.comment(state.app(), state.actor(), ticket_id, text)
        _done(state, view, json, _("commented on {ticket}").format(ticket=_label(state, view)))
