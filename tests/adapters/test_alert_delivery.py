"""Alerts from the sweep delivered over real channels: an aiosmtpd server and an HTTP
server on 127.0.0.1, including an outage, backoff, the failure bound and recovery;
and several sweepers and dispatchers at once (SQLite and PostgreSQL) sending nothing twice."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from caseflow.adapters.notifiers import build_channels, close_channels, load_alert_settings
from caseflow.clock import SHANGHAI, FixedClock
from caseflow.services import alerts, cases, tickets
from caseflow.services.app import App
from caseflow.services.sweep import sweep
from tests.conftest import Town, make_app
from tests.support.mail_server import MailServer
from tests.support.webhook_server import WebhookServer


def at(y: int, m: int, d: int, hh: int = 9, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=SHANGHAI)


def configure(app: App, mail: MailServer, hook: WebhookServer, max_attempts: int = 3) -> None:
    app.settings.data = {"alerts": {
        "max_attempts": max_attempts, "backoff_seconds": 60,
        "email": {"host": "127.0.0.1", "port": mail.port, "sender": "caseflow@town.example",
                  "timeout": 5},
        "webhook": {"url": hook.url, "timeout": 5},
    }}


def channels(app: App, clock: FixedClock) -> list[Any]:
    return build_channels(load_alert_settings(app.settings.data), clock=clock)


def overdue_order(app: App, town: Town) -> int:
    view = cases.add_case(app, town.lead, "SW01", cases.NewCase(name="定溪五金厂",
                                                                 team="negotiation"))
    return tickets.add_ticket(app, town.lead, view.id, "补交土地权属材料",
                              due_on=date(2026, 3, 4), assignee="zhang").id


def test_sweep_alerts_arrive_by_email_and_webhook_once(
    app: App, town: Town, clock: FixedClock, mail_server: MailServer,
    webhook_server: WebhookServer,
) -> None:
    configure(app, mail_server, webhook_server)
    ticket_id = overdue_order(app, town)
    sweep(app, at(2026, 3, 5))
    mine = alerts.list_alerts(app, ticket_id=ticket_id)
    assert sorted((a.recipient, a.channel) for a in mine) == [
        ("lead1", "email"), ("lead1", "log"), ("lead1", "webhook"),
        ("zhang", "email"), ("zhang", "log"), ("zhang", "webhook")]
    chans = channels(app, clock)
    try:
        result = alerts.dispatch(app, chans)
        assert (result.sent, result.deferred, result.failed) == (6, 0, 0)
        assert alerts.dispatch(app, chans).attempted == 0
    finally:
        close_channels(chans)
    assert sorted(m.rcpt_tos[0] for m in mail_server.messages) == [
        "lead1@town.example", "zhang@town.example"]
    mail = next(m for m in mail_server.messages if m.rcpt_tos == ["zhang@town.example"])
    assert mail.message["Subject"] == f"【逾期】工单 #{ticket_id} 补交土地权属材料"
    assert "列入清零清单第 1 级" in mail.text
    posted = [r.json["caseflow"] for r in webhook_server.delivered]
    assert sorted(p["recipient"]["login"] for p in posted) == ["lead1", "zhang"]
    assert {p["payload"]["ticket_id"] for p in posted} == {ticket_id}
    assert {a.status for a in alerts.list_alerts(app)} == {"sent"}


def test_outage_backs_off_gives_up_and_retry_failed_recovers(
    app: App, town: Town, clock: FixedClock, mail_server: MailServer,
    webhook_server: WebhookServer,
) -> None:
    configure(app, mail_server, webhook_server, max_attempts=3)
    overdue_order(app, town)
    clock.set(at(2026, 3, 5))
    sweep(app)
    mail_server.stop()
    webhook_server.stop()
    chans = channels(app, clock)
    try:
        first = alerts.dispatch(app, chans)
        # the log delivers; e-mail and webhook wait 60 s, then 120 s, then give up
        assert (first.sent, first.deferred, first.failed) == (2, 4, 0)
        assert alerts.dispatch(app, chans).attempted == 0  # still backing off
        clock.advance(seconds=59)
        assert alerts.dispatch(app, chans).attempted == 0
        clock.advance(seconds=2)
        second = alerts.dispatch(app, chans)
        assert (second.deferred, second.failed) == (4, 0)
        clock.advance(seconds=121)
        third = alerts.dispatch(app, chans)
        assert (third.deferred, third.failed) == (0, 4)
        failed = alerts.list_alerts(app, "failed")
        assert len(failed) == 4 and {a.attempts for a in failed} == {3}
        assert all("unreachable" in (a.last_error or "") for a in failed)

        mail_server.start()
        webhook_server.start()
        clock.advance(hours=1)
        assert alerts.dispatch(app, chans).attempted == 0  # failed stays failed ...
        recovered = alerts.dispatch(app, chans, retry_failed=True)  # ... until retried
        assert (recovered.sent, recovered.failed) == (4, 0)
    finally:
        close_channels(chans)
    assert len(mail_server.messages) == 2
    assert len(webhook_server.delivered) == 2
    assert alerts.list_alerts(app, "failed") == []


def test_short_outage_recovers_after_the_backoff_without_duplicates(
    app: App, town: Town, clock: FixedClock, mail_server: MailServer,
    webhook_server: WebhookServer,
) -> None:
    configure(app, mail_server, webhook_server, max_attempts=5)
    overdue_order(app, town)
    clock.set(at(2026, 3, 5))
    sweep(app)
    mail_server.stop()
    webhook_server.answer_next(503, {"errcode": -1, "errmsg": "busy"}, times=2)
    chans = channels(app, clock)
    try:
        assert alerts.dispatch(app, chans).deferred == 4
        mail_server.start()
        clock.advance(seconds=61)
        result = alerts.dispatch(app, chans)
        assert (result.sent, result.deferred) == (4, 0)
    finally:
        close_channels(chans)
    assert len(mail_server.messages) == 2
    assert len(webhook_server.delivered) == 2
    sent = alerts.list_alerts(app, "sent")
    assert {a.attempts for a in sent if a.channel != "log"} == {2}


def test_concurrent_sweepers_and_dispatchers_send_nothing_twice(
    app: App, town: Town, clock: FixedClock, mail_server: MailServer,
    webhook_server: WebhookServer, tmp_path: Path,
) -> None:
    """Four schedulers (own engines, own processes' worth of state) sweep and dispatch
    at once; the database alone keeps them from double-escalating or double-sending."""
    configure(app, mail_server, webhook_server)
    cases.add_cases(app, town.lead, "SW01",
                    [cases.NewCase(name=f"企业{i:02d}", team="negotiation") for i in range(30)])
    url = app.settings.database_url
    times = [at(2026, 3, 17), at(2026, 3, 20), at(2026, 3, 25), at(2026, 4, 2)]
    errors: list[BaseException] = []
    start = threading.Barrier(6)

    def scheduler(n: int) -> None:
        other = make_app(url, clock, tmp_path / f"s{n}")
        other.settings.data = app.settings.data
        chans = channels(other, clock)
        try:
            start.wait()
            for when in times:
                sweep(other, when)
                alerts.dispatch(other, chans)
            alerts.dispatch(other, chans)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            close_channels(chans)
            other.engine.dispose()

    def dispatcher(n: int) -> None:
        other = make_app(url, clock, tmp_path / f"d{n}")
        other.settings.data = app.settings.data
        chans = channels(other, clock)
        try:
            start.wait()
            for _ in range(20):
                alerts.dispatch(other, chans)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            close_channels(chans)
            other.engine.dispose()

    threads = [threading.Thread(target=scheduler, args=(i,)) for i in range(4)]
    threads += [threading.Thread(target=dispatcher, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    chans = channels(app, clock)
    try:
        alerts.dispatch(app, chans)
    finally:
        close_channels(chans)

    with app.engine.connect() as conn:
        def count(sql: str) -> int:
            return int(conn.execute(sa.text(sql)).scalar_one())

        entries = count("SELECT count(*) FROM clear_list_entry")
        assert entries == 120  # 30 cases × 4 first-stage orders, all overdue by 2 April
        assert count("SELECT count(*) FROM audit_event WHERE action = 'entry.enter'") == entries
        raised = conn.execute(sa.text(
            "SELECT entry_id, after FROM audit_event WHERE action = 'entry.level'")).all()
        levels = Counter((entry_id, str(after)) for entry_id, after in raised)
        assert levels and max(levels.values()) == 1
        assert count("SELECT count(*) FROM alert WHERE status <> 'sent'") == 0
        email_alerts = count("SELECT count(*) FROM alert WHERE channel = 'email'")
    ids = Counter(m.message["X-Caseflow-Alert-Id"] for m in mail_server.messages)
    assert email_alerts > 0 and len(ids) == email_alerts
    assert max(ids.values()) == 1, [k for k, v in ids.items() if v > 1]
    hooks = Counter(r.json["caseflow"]["alert_id"] for r in webhook_server.delivered)
    assert max(hooks.values()) == 1
