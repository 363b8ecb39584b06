"""``caseflow scheduler run``: APScheduler 3 running the sweep, the dispatcher and the digest.

Each scheduler keeps its own in-memory schedule (APScheduler 3 must not share a job
store between schedulers); correctness across several schedulers against one
database comes from the database itself: the sweep's single transaction under an
advisory lock, the dispatcher's leased claims with ``FOR UPDATE SKIP LOCKED``, and the
unique constraints on entries and alerts. Jobs never overlap themselves
(``max_instances=1``), missed runs are coalesced into one, and SIGINT/SIGTERM let the
running job finish before the process exits.

Configuration (``[scheduler]`` in the caseflow TOML config)::

    [scheduler]
    sweep_minutes = 5      # how often the escalation sweep runs
    dispatch_minutes = 1   # how often due alerts are delivered
    digest_time = "08:30"  # Asia/Shanghai; skipped on days that are not working days
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from typing import Any

from caseflow.clock import SHANGHAI
from caseflow.errors import ConfigError
from caseflow.services.app import App

log = logging.getLogger("caseflow.scheduler")


def scheduler_settings(app: App) -> dict[str, Any]:
    raw = app.settings.section("scheduler")
    unknown = sorted(set(raw) - {"sweep_minutes", "dispatch_minutes", "digest_time"})
    if unknown:
        raise ConfigError(f"config: unknown key scheduler.{unknown[0]}; expected "
                          "sweep_minutes, dispatch_minutes or digest_time")
    values = {"sweep_minutes": raw.get("sweep_minutes", 5),
              "dispatch_minutes": raw.get("dispatch_minutes", 1)}
    for key, value in values.items():
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ConfigError(f"config: scheduler.{key} must be a whole number of minutes ≥ 1, "
                              f"got {value!r}")
    digest_time = raw.get("digest_time", "08:30")
    try:
        hour, minute = (int(p) for p in str(digest_time).split(":"))
        if not (0 <= hour < 24 and 0 <= minute < 60):
            raise ValueError
    except ValueError:
        raise ConfigError(f"config: scheduler.digest_time must be HH:MM, got {digest_time!r}",
                          ) from None
    return values | {"digest_hour": hour, "digest_minute": minute}


class Jobs:
    """The three jobs, each one log line per run; failures are logged, never fatal."""

    def __init__(self, app: App) -> None:
        from caseflow.bootstrap import alert_channels
        from caseflow.services.alerts import alert_settings

        self.app = app
        self.alert_settings = alert_settings(app)
        self.channels = app.channels() if app.channel_factory else alert_channels(app)

    def sweep(self) -> None:
        from caseflow.services.sweep import sweep

        self._run("sweep", lambda: sweep(self.app), lambda r: (
            f"as of {r.as_of.astimezone(SHANGHAI):%Y-%m-%d %H:%M}: {r.new_entries} new entries, "
            f"{r.raised} raised, {r.alerts_queued} alerts and {r.reminders_queued} reminders "
            f"queued, {r.open_entries} left to clear"))

    def dispatch(self) -> None:
        from caseflow.services.alerts import dispatch

        self._run("dispatch", lambda: dispatch(self.app, self.channels,
                                               settings=self.alert_settings),
                  lambda r: f"{r.sent} sent, {r.deferred} deferred, {r.failed} failed")

    def digest(self) -> None:
        from caseflow.services.alerts import digest

        self._run("digest", lambda: digest(self.app), lambda r: (
            f"{r.day}: {r.queued} digests queued for {r.people} people" if r.working_day
            else f"{r.day} is not a working day; no digest"))
        self.dispatch()

    def close(self) -> None:
        from caseflow.adapters.notifiers import close_channels

        close_channels(self.channels)

    @staticmethod
    def _run(name: str, work: Callable[[], Any], describe: Callable[[Any], str]) -> None:
        try:
            result = work()
        except Exception as exc:  # a failed run is retried at the next one
            log.error("%s failed: %s: %s", name, exc.__class__.__name__, exc)
            return
        log.info("%s: %s", name, describe(result))


def build_scheduler(app: App, jobs: Jobs | None = None) -> Any:
    """A BlockingScheduler (in-memory job store) with the sweep, dispatch and digest jobs."""
    from apscheduler.schedulers.blocking import BlockingScheduler
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    conf = scheduler_settings(app)
    jobs = jobs or Jobs(app)
    scheduler = BlockingScheduler(
        timezone=SHANGHAI,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300},
    )
    now = app.clock.now()
    scheduler.add_job(jobs.sweep, IntervalTrigger(minutes=conf["sweep_minutes"]), id="sweep",
                      name="escalation sweep", next_run_time=now)
    scheduler.add_job(jobs.dispatch, IntervalTrigger(minutes=conf["dispatch_minutes"]),
                      id="dispatch", name="alert dispatch", next_run_time=now)
    scheduler.add_job(jobs.digest, CronTrigger(hour=conf["digest_hour"],
                                               minute=conf["digest_minute"], timezone=SHANGHAI),
                      id="digest", name="daily digest")
    return scheduler


def run(app: App) -> None:
    """Run until SIGINT or SIGTERM; the running job finishes first."""
    jobs = Jobs(app)
    scheduler = build_scheduler(app, jobs)

    def stop(signum: int, _frame: Any) -> None:
        if not scheduler.running:
            return
        log.info("scheduler stopping (%s); letting running jobs finish",
                 signal.Signals(signum).name)
        # Not in the handler itself: the signal may land while this (main) thread holds
        # the executor's lock in submit(), and shutdown() would wait on it for ever.
        threading.Thread(target=scheduler.shutdown, kwargs={"wait": True},
                         name="caseflow-shutdown").start()

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    conf = scheduler_settings(app)
    log.info("scheduler started: sweep every %d min, dispatch every %d min, digest %02d:%02d "
             "Asia/Shanghai on working days", conf["sweep_minutes"], conf["dispatch_minutes"],
             conf["digest_hour"], conf["digest_minute"])
    try:
        scheduler.start()
    finally:
        jobs.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        log.info("scheduler stopped")
