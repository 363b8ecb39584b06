"""A sweep or a dispatcher killed (SIGKILL) half-way leaves the database consistent,
and running it again completes the work: every overdue order on the list once, every
alert delivered, none twice except the one that was on the wire when the process died
(which carries the same Idempotency-Key, so a receiving bot can drop it)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from caseflow.adapters.notifiers.webhook import WebhookChannel
from caseflow.clock import FixedClock, SystemClock
from caseflow.services import alerts, cases, sweep
from caseflow.services.app import App
from tests.conftest import Town
from tests.support.webhook_server import WebhookServer

ROOT = Path(__file__).resolve().parents[2]
AS_OF = "2026-06-30T18:00:00+08:00"  # every order of the batch long overdue by then

SWEEP = textwrap.dedent("""
    import sys
    from caseflow.domain.durations import parse_instant
    from caseflow.services import sweep
    from tests.reliability.workers import app_for

    app = app_for(sys.argv[1])
    print("begin", flush=True)
    result = sweep.sweep(app, parse_instant(sys.argv[2]), channels=["log"])
    print("done", result.new_entries, flush=True)
""")

DISPATCH = textwrap.dedent("""
    import sys
    from caseflow.adapters.notifiers.webhook import WebhookChannel
    from caseflow.services import alerts
    from tests.reliability.workers import app_for

    app = app_for(sys.argv[1])
    print("begin", flush=True)
    result = alerts.dispatch(app, [WebhookChannel(sys.argv[2])])
    print("done", result.sent, flush=True)
""")


def _run(script: str, *args: str) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, "-c", script, *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _kill_after(proc: subprocess.Popen[str], seconds: float) -> bool:
    """SIGKILL ``proc`` ``seconds`` after it said "begin"; False if it finished first."""
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "begin"
    time.sleep(seconds)
    finished = proc.poll() is not None
    if not finished:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    return not finished


def _kill_once_sent(proc: subprocess.Popen[str], app: App, timeout: float = 120) -> bool:
    """SIGKILL ``proc`` as soon as its first alert is recorded as sent (however loaded
    the machine is); False if it finished first."""
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "begin"
    deadline = time.monotonic() + timeout
    while proc.poll() is None and time.monotonic() < deadline:
        if _scalar(app, "SELECT count(*) FROM alert WHERE status = 'sent'"):
            break
        time.sleep(0.02)
    finished = proc.poll() is not None
    if not finished:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    return not finished


def _scalar(app: App, sql: str) -> int:
    with app.engine.connect() as conn:
        return int(conn.execute(sa.text(sql)).scalar_one())


def _url(app: App) -> str:
    return app.engine.url.render_as_string(hide_password=False)


def test_killed_sweep_leaves_all_or_nothing_and_rerun_lists_each_order_once(
    app: App, town: Town
) -> None:
    cases.add_cases(app, town.admin, "SW01",
                    [cases.NewCase(f"中山市巡查测试五金厂{i}", team="negotiation")
                     for i in range(3000)])
    overdue = _scalar(app, "SELECT count(*) FROM ticket WHERE status = 'open'")
    app.engine.dispose()

    killed = _kill_after(_run(SWEEP, _url(app), AS_OF), 0.3)
    entries = _scalar(app, "SELECT count(*) FROM clear_list_entry")
    assert entries in (0, overdue)  # one transaction: nothing or everything
    if killed:
        assert entries == 0
    proc = _run(SWEEP, _url(app), AS_OF)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "begin"
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert _scalar(app, "SELECT count(*) FROM clear_list_entry") == overdue
    assert _scalar(app, "SELECT count(DISTINCT ticket_id) FROM clear_list_entry") == overdue
    assert _scalar(app, "SELECT count(*) FROM alert") == _scalar(
        app, "SELECT count(*) FROM (SELECT DISTINCT dedup_key, recipient, channel FROM alert) d")


def test_killed_dispatcher_loses_no_alert_and_resends_at_most_the_one_in_flight(
    app: App, town: Town, clock: FixedClock
) -> None:
    cases.add_cases(app, town.admin, "SW01",
                    [cases.NewCase(f"中山市督办测试灯饰厂{i}", team="negotiation")
                     for i in range(15)])
    clock.advance(days=60)
    sweep.sweep(app, clock.now(), channels=["webhook"])
    queued = _scalar(app, "SELECT count(*) FROM alert WHERE status = 'pending'")
    assert queued > 40
    app.engine.dispose()
    server = WebhookServer()
    server.start()
    try:
        server.delay = 0.05  # a slow bot: the dispatcher is mid-way when it dies
        killed = _kill_once_sent(_run(DISPATCH, _url(app), server.url), app)
        assert killed, "the dispatcher finished before it could be killed"
        sent_before = _scalar(app, "SELECT count(*) FROM alert WHERE status = 'sent'")
        assert 0 < sent_before < queued
        # the dead dispatcher's lease runs out; a new one finishes the queue
        clock.set(SystemClock().now() + timedelta(minutes=11))
        server.delay = 0
        with WebhookChannel(server.url) as channel:
            alerts.dispatch(app, [channel])
    finally:
        server.stop()
    assert _scalar(app, "SELECT count(*) FROM alert WHERE status = 'sent'") == queued
    keys = Counter(r.headers["idempotency-key"] for r in server.requests)
    assert len(keys) == queued  # every alert reached the bot
    assert sum(n - 1 for n in keys.values()) <= 1  # only the in-flight one twice
