"""``caseflow sweep``, ``clearlist``, ``alerts`` and ``scheduler run``.

The escalation side of caseflow: the sweep that puts overdue work orders on the
clear-to-zero list (清零清单), the list itself with sign-off (销号) and rejection, the
alert outbox and its dispatcher, and the long-running scheduler. Rendering stays in
this module (rich tables; words through the gettext catalogs, by ``--lang``).
"""

from __future__ import annotations

import sys
from datetime import datetime
from typing import Annotated, Any

import typer

from caseflow.adapters.cli.context import CliState, print_json
from caseflow.adapters.cli.i18n import _, ngettext, pgettext
from caseflow.adapters.inert import one_line
from caseflow.redact import SecretFilter, mask, quiet_http_logs

JsonOpt = Annotated[bool, typer.Option("--json", help="print JSON")]
SHOWN = 100  # entries the terminal shows unless told: a screenful or three
AsOfOpt = Annotated[str | None, typer.Option(
    "--as-of", metavar="TIME",
    help="as of this time (YYYY-MM-DD = end of that day, or YYYY-MM-DDTHH:MM; Shanghai time)")]


def _as_of(text: str | None) -> datetime | None:
    if text is None:
        return None
    from caseflow.domain.durations import parse_instant

    return parse_instant(text)


def _when(value: datetime | None, state: CliState) -> str:
    return value.astimezone(state.tz).strftime("%Y-%m-%d %H:%M") if value else "-"


def _console() -> Any:
    from caseflow.adapters.inert import console

    # piped or captured output gets wide lines instead of rich's default 80 columns
    width = None if sys.stdout.isatty() else 200
    return console(soft_wrap=False, width=width)


def _table(*headers: str) -> Any:
    from rich.table import Table

    table = Table(show_edge=False, pad_edge=False, header_style="bold")
    for header in headers:
        table.add_column(header)
    return table


def _error_text(alert: Any) -> str | None:
    """An alert's last error as shown: secrets masked, and no "(will retry)" on an alert
    that has failed for good (rows written before that was fixed still say it)."""
    if not alert.last_error:
        return alert.last_error
    text = mask(alert.last_error)
    return text.replace(" (will retry)", "") if alert.status == "failed" else text


def _status(status: str) -> str:
    """A clear-list entry's or an alert's status, in the catalog's words."""
    labels = {"open": pgettext("status", "open"),
              "awaiting_signoff": pgettext("status", "awaiting signoff"),
              "signed_off": pgettext("status", "signed off"),
              "pending": pgettext("status", "pending"), "sent": pgettext("status", "sent"),
              "failed": pgettext("status", "failed")}
    return labels.get(status, status.replace("_", " "))


def register(app: typer.Typer) -> None:
    clearlist_app = typer.Typer(
        help="The clear-to-zero list (清零清单): what is left, sign-off and rejection.",
        invoke_without_command=True)
    alerts_app = typer.Typer(help="The alert outbox and its delivery.", no_args_is_help=True)
    scheduler_app = typer.Typer(help="The unattended scheduler.", no_args_is_help=True)
    app.add_typer(clearlist_app, name="clearlist")
    app.add_typer(alerts_app, name="alerts")
    app.add_typer(scheduler_app, name="scheduler")

    @app.command("sweep")
    def sweep_cmd(ctx: typer.Context, as_of: AsOfOpt = None, json: JsonOpt = False) -> None:
        """Put overdue work orders on the clear-to-zero list, raise levels, queue alerts.

        Supervisors and admins (the scheduler runs it unattended). Idempotent: sweeping
        twice as of the same time changes nothing. Only orders of active cases are swept
        (a case on hold is paused until it resumes)."""
        from caseflow.services.sweep import sweep

        state: CliState = ctx.obj
        result = sweep(state.app(), _as_of(as_of), actor=state.actor())
        if json:
            print_json(result, state.tz)
            return
        typer.echo(_("as of {as_of}: {new} new entries, {raised} levels raised, {alerts} alerts "
                     "and {reminders} reminders queued; {left} items left to clear").format(
            as_of=_when(result.as_of, state), new=result.new_entries, raised=result.raised,
            alerts=result.alerts_queued, reminders=result.reminders_queued,
            left=result.open_entries))

    @clearlist_app.callback()
    def clearlist_cmd(
        ctx: typer.Context,
        all_: Annotated[bool, typer.Option(
            "--all", help="every entry: signed-off ones too, and all of them, not only "
                          "the first 100")] = False,
        team: Annotated[str | None, typer.Option("--team", metavar="CODE")] = None,
        town: Annotated[str | None, typer.Option("--town", metavar="TOWN")] = None,
        level: Annotated[int | None, typer.Option("--level", metavar="N", min=1)] = None,
        as_of: AsOfOpt = None,
        limit: Annotated[int | None, typer.Option(
            "--limit", metavar="N", min=0,
            help="at most N entries (the terminal shows 100 unless told; 0: all)")] = None,
        offset: Annotated[int, typer.Option(
            "--offset", metavar="N", min=0, help="skip the first N entries (the next page)")] = 0,
        json: JsonOpt = False,
    ) -> None:
        """What is left to clear, highest level first, then oldest: the first 100 and
        how many more (counted in the database)."""
        if ctx.invoked_subcommand is not None:
            return
        state: CliState = ctx.obj
        page = _page(limit, all_, json)
        if state.session is not None:  # remote: the server reads the page
            data = state.call("clearlist.list", all=all_, team=team, town=town, level=level,
                              as_of=as_of, limit=page or 0, offset=offset)
            if json:
                print_json(data, state.tz)
                return
            from caseflow.adapters.cli import plain
            from caseflow.adapters.cli.records import wrap

            entries = [{k: wrap(v, k) for k, v in e.items()} for e in data.pop("entries")]
            plain.write_lines(clearlist_lines(
                wrap(data), iter(entries), state.lang, state.tz, signed=all_,
                colour=plain.colour_wanted(sys.stdout), width=plain.width_of(sys.stdout)))
            return
        from caseflow.services import clearlist

        with clearlist.reading(state.app(), include_signed_off=all_, team=team, town=town,
                               level=level, as_of=_as_of(as_of), limit=page,
                               offset=offset) as (head, rows):
            if json:
                _stream_json(head, rows, state.tz)
                return
            from caseflow.adapters.cli import plain

            plain.write_lines(clearlist_lines(
                head, rows, state.lang, state.tz, signed=all_,
                colour=plain.colour_wanted(sys.stdout), width=plain.width_of(sys.stdout)))

    @clearlist_app.command("signoff")
    def signoff_cmd(
        ctx: typer.Context,
        entry: Annotated[int, typer.Argument(help="clear-list entry id")],
        note: Annotated[str, typer.Option("--note", help="what was checked (销号说明)")],
        json: JsonOpt = False,
    ) -> None:
        """Sign an entry off (销号): supervisors and admins, entries awaiting sign-off."""
        state: CliState = ctx.obj
        view = state.records("clearlist.signoff", entry_id=entry, note=note)
        if json:
            print_json(view.as_dict(), state.tz)
        else:
            typer.echo(_("entry #{id} (work order #{ticket}) signed off").format(
                id=view.id, ticket=view.ticket_id))

    @clearlist_app.command("reject")
    def reject_cmd(
        ctx: typer.Context,
        entry: Annotated[int, typer.Argument(help="clear-list entry id")],
        reason: Annotated[str, typer.Option("--reason", help="why the closure is not accepted")],
        json: JsonOpt = False,
    ) -> None:
        """Reject a closure: the work order is reopened and the entry is open again."""
        state: CliState = ctx.obj
        view = state.records("clearlist.reject", entry_id=entry, reason=reason)
        if json:
            print_json(view.as_dict(), state.tz)
        else:
            typer.echo(_("entry #{id} rejected: work order #{ticket} reopened").format(
                id=view.id, ticket=view.ticket_id))

    @alerts_app.command("list")
    def alerts_list_cmd(
        ctx: typer.Context,
        status: Annotated[str | None, typer.Option(
            "--status", help="pending, sent or failed")] = None,
        limit: Annotated[int | None, typer.Option(
            "--limit", min=0,
            help="at most N alerts (the terminal shows 100 unless told; 0: all)")] = None,
        offset: Annotated[int, typer.Option(
            "--offset", metavar="N", min=0, help="skip the first N alerts (the next page)")] = 0,
        all_: Annotated[bool, typer.Option("--all", help="every alert, not one page")] = False,
        json: JsonOpt = False,
    ) -> None:
        """Alerts in the outbox, oldest first, a page at a time."""
        from caseflow.services import alerts

        state: CliState = ctx.obj
        app_ = state.app()
        page = _page(limit, all_, json)
        rows = alerts.list_alerts(app_, status, limit=page, offset=offset)
        if json:
            print_json([r.as_dict() | {"last_error": _error_text(r)} for r in rows], state.tz)
            return
        total = (offset + len(rows) if page is None or len(rows) < page
                 else alerts.count_alerts(app_, status))
        if not rows:
            typer.echo(_("no alerts"))
            return
        table = _table("ID", _("Kind"), _("Order"), _("Level"), _("Recipient"), _("Channel"),
                       _("Status"), _("Tries"), _("Next try"), _("Error"))
        for r in rows:
            table.add_row(str(r.id), r.kind, f"#{r.ticket_id}" if r.ticket_id else "-",
                          str(r.level or "-"), r.recipient, r.channel, _status(r.status),
                          str(r.attempts),
                          _when(r.next_attempt_at, state) if r.status == "pending" else "-",
                          (_error_text(r) or "")[:60])
        _console().print(table)
        typer.echo(ngettext("{n} alert", "{n} alerts", total).format(n=total))
        if total > offset + len(rows):
            typer.echo(_("… and {n} more: --offset {next} shows the next ones, --all every "
                         "entry").format(n=total - offset - len(rows), next=offset + len(rows)))

    @alerts_app.command("dispatch")
    def alerts_dispatch_cmd(
        ctx: typer.Context,
        retry_failed: Annotated[bool, typer.Option(
            "--retry-failed", help="also retry failed alerts and those waiting out a backoff",
        )] = False,
        json: JsonOpt = False,
    ) -> None:
        """Deliver the alerts due now over the configured channels (supervisors, admins)."""
        from caseflow.services import alerts
        from caseflow.services.ports import close_channels

        state: CliState = ctx.obj
        app_ = state.app()
        actor = state.actor()
        settings = alerts.alert_settings(app_)
        channels = app_.channels()
        try:
            result = alerts.dispatch(app_, channels, retry_failed=retry_failed,
                                     settings=settings, actor=actor)
        finally:
            close_channels(channels)
        if json:
            print_json({"sent": result.sent, "deferred": result.deferred,
                        "failed": result.failed, "errors": [mask(e) for e in result.errors]},
                       state.tz)
            return
        for error in result.errors:
            sys.stderr.write(f"caseflow: {one_line(mask(error))}\n")
        typer.echo(_("{sent} sent, {deferred} to retry later, {failed} failed").format(
            sent=result.sent, deferred=result.deferred, failed=result.failed))

    @alerts_app.command("digest")
    def alerts_digest_cmd(ctx: typer.Context) -> None:
        """Queue today's digest now (supervisors, admins; normally the scheduler does this
        at 08:30)."""
        from caseflow.services import alerts

        state: CliState = ctx.obj
        result = alerts.digest(state.app(), actor=state.actor())
        if result.working_day:
            typer.echo(_("{day}: {queued} digests queued for {people} people").format(
                day=result.day, queued=result.queued, people=result.people))
        else:
            typer.echo(_("{day} is not a working day; no digest").format(day=result.day))

    @scheduler_app.command("run")
    def scheduler_run_cmd(ctx: typer.Context) -> None:
        """Sweep every few minutes ([scheduler] sweep_minutes, default 5), deliver alerts
        every minute and the digest at 08:30 on working days, until SIGINT/SIGTERM."""
        import logging

        from caseflow.adapters import scheduler

        state: CliState = ctx.obj
        root = logging.getLogger()
        if not any(isinstance(h, logging.StreamHandler) and not isinstance(h, logging.FileHandler)
                   and getattr(h, "stream", None) is sys.stderr for h in root.handlers):
            handler = logging.StreamHandler(sys.stderr)
            handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: "
                                                   "%(message)s"))
            root.addHandler(handler)
        root.setLevel(logging.INFO)
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
        quiet_http_logs()  # httpx logs each request's URL, robot keys included
        for each in root.handlers:
            if not any(isinstance(f, SecretFilter) for f in each.filters):
                each.addFilter(SecretFilter())
        scheduler.run(state.app())


def _page(limit: int | None, all_: bool, json: bool) -> int | None:
    """How many entries to show: ``--limit`` (0: all), else all for ``--all`` and for
    JSON (a program reads the whole list), else the first ``SHOWN``."""
    if limit is not None:
        return limit or None
    return None if all_ or json else SHOWN


def _stream_json(head: Any, rows: Any, tz: Any) -> None:
    """The list as one JSON document, written an entry at a time (a city's 80,000
    entries without holding them): the keys of ``EntryView``, instants in the display
    time zone, as ``print_json`` writes them."""
    import json as json_

    from caseflow.adapters.cli.context import jsonable

    out = sys.stdout
    prefix = json_.dumps(jsonable({"as_of": head.as_of, "left": head.left,
                                   "per_team": head.per_team, "total": head.total,
                                   "offset": head.offset}, tz), ensure_ascii=False)
    out.write(prefix[:-1] + ', "entries": [')
    dumps = json_.JSONEncoder(ensure_ascii=False).encode
    instants = ("entered_at", "signed_off_at", "due_at", "level_raised_at", "next_level_at",
                "awaiting_since")
    separator = "\n"
    chunk: list[dict[str, Any]] = []

    def flush() -> None:
        nonlocal separator
        if chunk:  # a thousand entries per encode: the encoder's call costs add up
            out.write(separator)
            out.write(dumps(chunk)[1:-1])
            separator = ",\n"
            chunk.clear()

    for row in rows:
        for key in instants:
            value = row[key]
            if value is not None:
                row[key] = value.astimezone(tz).isoformat()
        chunk.append(row)
        if len(chunk) == 1000:
            flush()
    flush()
    out.write("\n]}\n")


def clearlist_lines(head: Any, rows: Any, lang: str, tz: Any, *, signed: bool = False,
                    colour: bool = False, width: int | None = None,
                    team_names: dict[str, str] | None = None,
                    compact: bool = False) -> Any:
    """What ``caseflow clearlist`` prints, line by line: the headline (还剩 N 项未清零),
    the count per team, the entries (dicts with ``EntryView``'s fields, streamed) and
    how many more there are. ``team_names`` shows teams by name instead of code;
    ``compact`` fits 80 columns (no status, entry time or order id)."""
    from itertools import chain, islice

    from caseflow.adapters.cli import plain
    from caseflow.adapters.cli.render import due_text
    from caseflow.i18n import pick

    names = team_names or {}

    def at(value: datetime | None) -> str:
        return value.astimezone(tz).strftime("%Y-%m-%d %H:%M") if value else "-"

    headline = _("{n} items left to clear").format(n=head.left)
    as_of = _("as of")
    yield (f"\x1b[1m{headline}\x1b[0m" if colour else headline) + f"  ({as_of} {at(head.as_of)})"
    if head.per_team:
        yield "  ".join(f"{plain.inert(names.get(team, team))}: {n}"
                        for team, n in head.per_team.items())
    rows = iter(rows)
    first = list(islice(rows, 200))
    if not first:
        return
    columns = {"id": "ID", "level": pgettext("clearlist", "Level"),
               "status": pgettext("clearlist", "Status"),
               "order": pgettext("clearlist", "Order"), "case": pgettext("clearlist", "Case"),
               "team": pgettext("clearlist", "Team"),
               "assignee": pgettext("clearlist", "Assignee"),
               "due": pgettext("clearlist", "Due"), "entered": pgettext("clearlist", "Entered"),
               "signed": pgettext("clearlist", "Signed off")}
    if not signed or compact:
        del columns["signed"]
    if compact:
        del columns["status"], columns["entered"]
    keys = list(columns)
    styles = {3: "bold red", 2: "red", 1: "yellow"}
    shown = 0

    def cells(e: dict[str, Any]) -> tuple[list[str], str | None]:
        title = pick(lang, en=e["title"], zh=e["title_zh"])
        team = e["team"]
        values = {
            "id": str(e["id"]), "level": str(e["level"]), "status": _status(e["status"]),
            "order": title if compact else f"#{e['ticket_id']} {title}",
            "case": e["case_name"], "team": names.get(team, team) if team else "-",
            "assignee": e["assignee"] or "-", "due": due_text(e["due_at"], tz),
            "entered": at(e["entered_at"]), "signed": at(e["signed_off_at"]),
        }
        return ([values[k] for k in keys],
                styles.get(e["level"]) if e["status"] == "open" else None)

    laid = [cells(e) for e in first]
    squeeze = [keys.index(k) for k in ("order", "case", "team", "assignee") if k in keys]
    table = plain.Table(list(columns.values()), [c for c, _style in laid],
                        width=80 if compact else width, squeeze=squeeze,
                        right=[keys.index("id"), keys.index("level")], colour=colour)
    yield table.header()
    yield table.rule()
    for row, style in chain(laid, (cells(e) for e in rows)):
        shown += 1
        yield table.row(row, style)
    more = head.total - head.offset - shown
    if more > 0:
        yield _("… and {n} more: --offset {next} shows the next ones, --all every entry").format(
            n=more, next=head.offset + shown)


def clearlist_view(listed: Any, lang: str, tz: Any, limit: int | None = None,
                   team_names: dict[str, str] | None = None,
                   compact: bool = False) -> list[str]:
    """``clearlist_lines`` for a list already read (the demo shows the same list the
    command does): its first ``limit`` entries, lines without colour codes."""
    entries = listed.entries if limit is None else listed.entries[:limit]
    return list(clearlist_lines(listed, (e.as_dict() for e in entries), lang, tz,
                                signed=any(e.signed_off_at for e in entries),
                                team_names=team_names, compact=compact))
