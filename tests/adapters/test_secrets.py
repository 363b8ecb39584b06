"""Secrets stay secret: a robot key in a webhook URL never shows on stderr, in --json
errors, in ``alerts list`` or in the scheduler's log; a failed alert does not promise
a retry it will never get."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from caseflow.adapters.cli.main import main
from caseflow.services import cases, tickets
from caseflow.services.app import App
from tests.conftest import Town
from tests.support.webhook_server import WebhookServer

ROOT = Path(__file__).resolve().parents[2]
KEY = "693a91f6-7d2c-4e1b-robot-SECRETKEY"


@pytest.fixture
def robot(app: App, town: Town, tmp_path: Path, webhook_server: WebhookServer,
          monkeypatch: pytest.MonkeyPatch) -> Path:
    """A WeCom-style robot whose key is in the URL, an overdue order, and a sweep."""
    config = tmp_path / "config.toml"
    config.write_text(f'[alerts]\nmax_attempts = 1\n\n[alerts.webhook]\n'
                      f'url = "{webhook_server.url}?key={KEY}"\ntimeout = 5\n',
                      encoding="utf-8")
    monkeypatch.setenv("CASEFLOW_CONFIG", str(config))
    monkeypatch.setenv("CASEFLOW_LANG", "en")
    monkeypatch.setenv("CASEFLOW_FAKE_NOW", "2026-03-05T09:00+08:00")
    monkeypatch.delenv("CASEFLOW_DATABASE_URL", raising=False)
    view = cases.add_case(app, town.lead, "SW01", cases.NewCase(name="定溪五金厂",
                                                                 team="negotiation"))
    tickets.add_ticket(app, town.lead, view.id, "补交土地权属材料", due_on=date(2026, 3, 4),
                       assignee="zhang")
    assert main(["--db", app.settings.database_url, "--user", "sup", "sweep"]) == 0
    return config


def _cli(app: App, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["--db", app.settings.database_url, "--user", "sup", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_robot_key_never_leaves_through_dispatch_or_the_alert_list(
        app: App, robot: Path, webhook_server: WebhookServer,
        capsys: pytest.CaptureFixture[str]) -> None:
    webhook_server.answer_next(404, {"errcode": 93000, "errmsg": "invalid webhook url"},
                               times=100)
    code, out, err = _cli(app, capsys, "alerts", "dispatch")
    assert "webhook" in err and "***" in err  # the failure is reported, the key masked
    assert KEY not in out + err
    code, out, err = _cli(app, capsys, "alerts", "dispatch", "--retry-failed", "--json")
    assert KEY not in out + err
    json.loads(out)
    listed = _cli(app, capsys, "alerts", "list")
    as_json = _cli(app, capsys, "alerts", "list", "--json")
    assert listed[0] == 0 and as_json[0] == 0
    assert KEY not in listed[1] + listed[2] + as_json[1]
    failed = [a for a in json.loads(as_json[1]) if a["status"] == "failed"]
    assert failed and all("will retry" not in (a["last_error"] or "") for a in failed)
    assert "will retry" not in listed[1]


def test_the_scheduler_log_shows_no_robot_key(app: App, robot: Path,
                                              webhook_server: WebhookServer) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CASEFLOW_DATABASE_URL":
           app.settings.database_url, "CASEFLOW_USER": "sup"}
    proc = subprocess.Popen(
        [sys.executable, "-c", "from caseflow.adapters.cli.main import run; run()",
         "scheduler", "run"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True)
    seen = ""
    try:
        assert proc.stderr is not None
        while "dispatch:" not in seen:
            line = proc.stderr.readline()
            if not line:
                break
            seen += line
        proc.send_signal(signal.SIGTERM)
        _, rest = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    log = seen + rest
    assert "dispatch:" in log, log
    assert webhook_server.delivered, log  # the alerts really went to the robot
    assert KEY not in log
    assert "HTTP Request" not in log  # httpx's per-request INFO line is quiet
