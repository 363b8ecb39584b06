"""The alert outbox: listing, delivery by a dispatcher, and the daily digest.

Alerts are written to the ``alert`` table in the transaction that decides them (the
sweep, the digest); the dispatcher delivers them afterwards, so a crash between the
two loses nothing.

Delivery avoids double sends where it can: a dispatcher first *claims* due alerts in a
short committed transaction that pushes their ``next_attempt_at`` forward by a lease
(rows picked with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, under SQLite's
``BEGIN IMMEDIATE`` lock otherwise), then sends each outside any transaction and marks
it ``sent`` (or counts the failed attempt) at once. Another dispatcher never sees a
claimed alert until its lease runs out, so only a crash between a send and its mark
can repeat an alert, and channels carry the alert id (e-mail header, webhook
``Idempotency-Key``) so a receiver can drop that repeat.

A failing channel never loses an alert: a retryable failure waits
``AlertSettings.next_attempt_delay`` (exponential backoff) and after
``max_attempts`` the alert is marked ``failed``, listed, and retried by
``dispatch(retry_failed=True)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlmodel import select

from caseflow.clock import SHANGHAI, local_date
from caseflow.errors import InvalidInput
from caseflow.persistence import tables
from caseflow.persistence.models import ALERT_STATUSES, Alert, Case, Ticket, User
from caseflow.redact import mask
from caseflow.services.app import App
from caseflow.services.queries import ticket_is_open

if TYPE_CHECKING:
    from caseflow.services.alert_settings import AlertSettings
    from caseflow.services.permissions import Actor
    from caseflow.services.ports import Channel

LEASE = timedelta(minutes=10)
BATCH = 100
DIGEST_ROWS = 15


@dataclass(frozen=True)
class AlertView:
    id: int
    ticket_id: int | None
    level: int | None
    recipient: str
    channel: str
    status: str
    attempts: int
    kind: str
    subject: str
    created_at: datetime
    next_attempt_at: datetime | None
    sent_at: datetime | None
    last_error: str | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class DispatchResult:
    sent: int = 0
    deferred: int = 0  # failed this time, will be retried after a backoff
    failed: int = 0  # gave up (bound reached or not retryable)
    errors: list[str] = field(default_factory=list)

    @property
    def attempted(self) -> int:
        return self.sent + self.deferred + self.failed


@dataclass(frozen=True)
class DigestResult:
    day: date
    working_day: bool
    people: int
    queued: int


def alert_settings(app: App) -> AlertSettings:
    from caseflow.services.alert_settings import load_alert_settings

    return load_alert_settings(app.settings.data)


def list_alerts(app: App, status: str | None = None, *, limit: int | None = None,
                ticket_id: int | None = None, offset: int = 0) -> list[AlertView]:
    """Alerts oldest first, ``limit`` of them from ``offset`` (cut in SQL, on Core)."""
    a = _alert_filter(status, ticket_id)
    query = sa.select(*(tables.alert.c[name] for name in _VIEW_FIELDS)).where(*a)
    query = query.order_by(tables.alert.c.id).offset(offset or None)
    if limit:
        query = query.limit(limit)
    with app.transaction(readonly=True) as tx:
        return [AlertView(**dict(zip(_VIEW_FIELDS, row, strict=True)))
                for row in tx.conn.execute(query)]


def count_alerts(app: App, status: str | None = None, *, ticket_id: int | None = None) -> int:
    """How many alerts ``list_alerts`` would list without a limit (counted in SQL)."""
    query = sa.select(sa.func.count()).select_from(tables.alert)
    with app.transaction(readonly=True) as tx:
        return int(tx.conn.execute(query.where(*_alert_filter(status, ticket_id))).scalar() or 0)


_VIEW_FIELDS = ("id", "ticket_id", "level", "recipient", "channel", "status", "attempts",
                "kind", "subject", "created_at", "next_attempt_at", "sent_at", "last_error")


def _alert_filter(status: str | None, ticket_id: int | None) -> list[Any]:
    if status is not None and status not in ALERT_STATUSES:
        raise InvalidInput(f"status {status!r} must be one of {', '.join(ALERT_STATUSES)}")
    where: list[Any] = []
    if status is not None:
        where.append(tables.alert.c.status == status)
    if ticket_id is not None:
        where.append(tables.alert.c.ticket_id == ticket_id)
    return where


# ---------------------------------------------------------------------- delivery
def dispatch(app: App, channels: Sequence[Channel], *, retry_failed: bool = False,
             settings: AlertSettings | None = None, limit: int | None = None,
             actor: Actor | None = None) -> DispatchResult:
    """Deliver every alert due now through ``channels`` (matched by their ``name``).

    ``retry_failed`` first puts failed alerts and those waiting out a backoff back in
    the queue, due now (each gets one more attempt once past the bound). ``actor`` is
    the person running it by hand (supervisor or admin); the scheduler passes none.
    """
    from caseflow.services.ports import AlertMessage, DeliveryError
    from caseflow.services.sweep import require_operator

    require_operator(actor, "deliver alerts (the scheduler does this unattended)")
    settings = settings or alert_settings(app)
    by_name = {c.name: c for c in channels}
    result = DispatchResult()
    if retry_failed:
        _requeue(app)
    while limit is None or result.attempted < limit:
        claimed = _claim(app, BATCH if limit is None else min(BATCH, limit - result.attempted))
        if not claimed:
            break
        for row in claimed:
            channel = by_name.get(row["channel"])
            error: DeliveryError | None = None
            if channel is None:
                error = DeliveryError(f"channel {row['channel']!r} is not configured",
                                      retryable=False, channel=row["channel"])
            elif row["name"] is None:
                error = DeliveryError(f"user {row['recipient']} no longer exists or is inactive",
                                      retryable=False, channel=row["channel"])
            else:
                try:
                    message = AlertMessage(
                        alert_id=row["id"], kind=row["kind"], recipient_login=row["recipient"],
                        recipient_name=row["name"], recipient_email=row["email"],
                        subject=row["subject"], body=row["body"], payload=row["payload"] or {})
                    channel.send(message)
                except DeliveryError as exc:
                    error = exc
                except ValueError as exc:
                    error = DeliveryError(str(exc), retryable=False, channel=row["channel"])
            _mark(app, settings, row, error, result)
    return result


def _requeue(app: App) -> None:
    with app.uow() as uow:
        uow.session.execute(
            sa.update(Alert)
            .where(sa.or_(Alert.status == "failed",
                          sa.and_(Alert.status == "pending",
                                  Alert.next_attempt_at > app.clock.now())))  # type: ignore[operator]
            .values(status="pending", next_attempt_at=app.clock.now())
        )
        uow.commit()


def _claim(app: App, batch: int) -> list[dict[str, Any]]:
    """Lease up to ``batch`` due alerts to this dispatcher (committed before sending)."""
    now = app.clock.now()
    with app.uow() as uow:
        session = uow.session
        ids: Any = session.execute(
            sa.select(Alert.id)
            .where(Alert.status == "pending", Alert.next_attempt_at <= now)  # type: ignore[operator]
            .order_by(Alert.next_attempt_at, Alert.id)  # type: ignore[arg-type]
            .limit(batch)
            .with_for_update(skip_locked=True)
        ).scalars().all()
        if not ids:
            return []
        session.execute(sa.update(Alert).where(Alert.id.in_(ids))  # type: ignore[union-attr]
                        .values(next_attempt_at=now + LEASE))
        rows = session.execute(
            sa.select(Alert.id, Alert.kind, Alert.recipient, Alert.channel, Alert.subject,
                      Alert.body, Alert.payload, Alert.attempts, Alert.level, User.name,
                      User.email, Ticket.id.label("ticket_id"), Ticket.title, Ticket.title_zh,
                      Ticket.due_at, Ticket.case_id, Case.name.label("case_name"),
                      Case.workflow_version_id)
            .join(User, sa.and_(User.login == Alert.recipient, User.active), isouter=True)
            .join(Ticket, Ticket.id == Alert.ticket_id, isouter=True)
            .join(Case, Case.id == Ticket.case_id, isouter=True)
            .where(Alert.id.in_(ids))  # type: ignore[union-attr]
            .order_by(Alert.id)  # type: ignore[arg-type]
        ).mappings().all()
        claimed = [_rendered(app, session, dict(r)) for r in rows]
        uow.commit()
    return claimed


def _rendered(app: App, session: Any, row: dict[str, Any]) -> dict[str, Any]:
    """Escalations and reminders are queued lean (subject and ids, to keep the sweep
    fast); their body and full payload are written here, from the order as it is now."""
    if row["body"] or row["ticket_id"] is None:
        return row
    from caseflow.services.queries import definition_for

    title = row["title_zh"] or row["title"]
    due = row["due_at"].astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
    payload = dict(row["payload"] or {}) | {
        "ticket_id": row["ticket_id"], "case_id": row["case_id"], "case": row["case_name"],
        "title": title, "due_at": row["due_at"].isoformat()}
    head = f"工单 #{row['ticket_id']}「{title}」（{row['case_name']}）"
    head_en = f"Work order #{row['ticket_id']} \"{row['title']}\" ({row['case_name']})"
    if row["kind"] == "escalation" and row["level"]:
        level = definition_for(app, session, row["workflow_version_id"]).level(row["level"])
        zh, en = (level.label_zh, level.label_en) if level else ("", "")
        payload |= {"level": row["level"], "label": zh}
        row["body"] = (f"{head}已于 {due} 到期未办结，列入清零清单第 {row['level']} 级：{zh}。\n"
                       f"{head_en} was due {due} and is on the clear-to-zero list at level "
                       f"{row['level']}: {en}.")
    else:
        row["body"] = f"{head}将于 {due} 到期，请及时办结。\n{head_en} is due {due}."
    row["payload"] = payload
    return row


def _mark(app: App, settings: AlertSettings, row: dict[str, Any], error: Any,
          result: DispatchResult) -> None:
    now = app.clock.now()
    attempts = int(row["attempts"]) + 1
    values: dict[str, Any] = {"attempts": attempts}
    if error is None:
        values |= {"status": "sent", "sent_at": now, "last_error": None}
        result.sent += 1
    elif error.retryable and not settings.gives_up(attempts):
        values |= {"next_attempt_at": now + settings.next_attempt_delay(attempts),
                   "last_error": mask(str(error))}
        result.deferred += 1
        result.errors.append(f"alert {row['id']}: {mask(str(error))}")
    else:
        # a failed alert is not retried: its error must not say "(will retry)"
        final = error.message if hasattr(error, "message") else str(error)
        channel = getattr(error, "channel", "")
        final = mask(f"{channel}: {final}" if channel else final) + (
            f" (gave up after {attempts} attempts)" if error.retryable else " (not retryable)")
        values |= {"status": "failed", "last_error": final}
        result.failed += 1
        result.errors.append(f"alert {row['id']}: {final}")
    with app.uow() as uow:
        uow.session.execute(sa.update(Alert).where(
            Alert.id == row["id"], Alert.status == "pending").values(**values))
        uow.commit()


# ---------------------------------------------------------------------- digest
def digest(app: App, day: date | None = None, channels: Sequence[str] | None = None,
           actor: Actor | None = None) -> DigestResult:
    """Queue one digest per person with open work orders: theirs (a lead's also
    include the team's unassigned ones), overdue first. Working days only; one per
    person, day and channel however often it runs (``dedup_key`` ``digest:DAY``).
    ``actor``: as for ``dispatch``."""
    from caseflow.services.sweep import channel_names, require_operator

    require_operator(actor, "queue the daily digest (the scheduler does this unattended)")
    now = app.clock.now()
    day = day or local_date(now)
    if not app.calendar.is_workday(day):
        return DigestResult(day=day, working_day=False, people=0, queued=0)
    names = list(channels) if channels is not None else channel_names(app)
    with app.uow() as uow:
        session = uow.session
        users = session.exec(select(User).where(
            User.active, User.role.in_(("member", "lead")))  # type: ignore[attr-defined]
            .order_by(User.login)).all()
        rows: list[dict[str, Any]] = []
        people = 0
        for user in users:
            mine: Any = Ticket.assignee_id == user.id
            if user.role == "lead" and user.team_id is not None:
                mine = sa.or_(mine, sa.and_(Ticket.assignee_id.is_(None),  # type: ignore[union-attr]
                                            Ticket.team_id == user.team_id))
            orders = session.execute(
                sa.select(Ticket.id, Ticket.title, Ticket.title_zh, Ticket.due_at, Case.name)
                .join(Case, Case.id == Ticket.case_id)
                .where(mine, ticket_is_open(Ticket.status))
                .order_by(Ticket.due_at, Ticket.id)
            ).all()
            if not orders:
                continue
            people += 1
            overdue = [o for o in orders if o.due_at < now]
            subject = (f"【每日待办】{day.isoformat()} 未办结 {len(orders)} 项，"
                       f"其中逾期 {len(overdue)} 项")
            lines = [f"{user.name}：您好。截至 {day.isoformat()} 08:30，您名下未办结工单 "
                     f"{len(orders)} 项，其中逾期 {len(overdue)} 项。", ""]
            for o in orders[:DIGEST_ROWS]:
                due = o.due_at.astimezone(SHANGHAI).strftime("%m-%d")
                flag = "【逾期】" if o.due_at < now else ""
                lines.append(f"#{o.id} {flag}{o.title_zh or o.title}（{o.name}）截止 {due}")
            if len(orders) > DIGEST_ROWS:
                lines.append(f"……另有 {len(orders) - DIGEST_ROWS} 项，见 caseflow ticket list")
            lines += ["", f"Daily digest {day.isoformat()}: {len(orders)} open work orders, "
                      f"{len(overdue)} overdue."]
            payload = {"day": day.isoformat(), "open": len(orders), "overdue": len(overdue),
                       "ticket_ids": [o.id for o in orders[:DIGEST_ROWS]]}
            for channel in names:
                if channel == "email" and not user.email:
                    continue
                rows.append({
                    "kind": "digest", "dedup_key": f"digest:{day.isoformat()}", "ticket_id": None,
                    "level": None, "recipient": user.login, "channel": channel,
                    "status": "pending", "attempts": 0, "subject": subject,
                    "body": "\n".join(lines), "payload": payload, "created_at": now,
                    "next_attempt_at": now,
                })
        queued = 0
        if rows:
            insert = _insert(uow.is_postgres)
            table = Alert.__table__  # type: ignore[attr-defined]
            stmt = insert(table).on_conflict_do_nothing(
                index_elements=["dedup_key", "recipient", "channel"]).returning(table.c.id)
            for row in rows:  # RETURNING counts what was new on both dialects
                queued += len(session.execute(stmt, row).all())
        uow.commit()
    return DigestResult(day=day, working_day=True, people=people, queued=queued)


def _insert(postgres: bool) -> Any:
    if postgres:
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert
