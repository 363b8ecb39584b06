"""``ticket close`` without an id on a real (pseudo-)terminal offers a pick list."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from caseflow.services import cases, tickets
from caseflow.services.app import App
from caseflow.services.cases import NewCase

ROOT = Path(__file__).resolve().parents[3]
RUNNER = "import sys; from caseflow.adapters.cli.main import main; sys.exit(main(sys.argv[1:]))"


def _read_until(fd: int, marker: bytes, seen: bytearray, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while marker not in seen:
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"no {marker!r} in {bytes(seen)!r}"
        ready, _, _ = select.select([fd], [], [], remaining)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen.extend(chunk)


def test_close_picker_on_a_terminal(app: App, town: Any, tmp_path: Path) -> None:
    case = cases.add_case(app, town.lead, "SW01", NewCase(name="神湾五金厂", team="negotiation"))
    order = next(v for v in tickets.list_tickets(app, town.admin, scope="all", case_id=case.id)
                 if v.team == "negotiation")
    tickets.assign(app, town.lead, order.id, "zhang")
    master, slave = pty.openpty()
    env = dict(os.environ, PYTHONPATH=str(ROOT), CASEFLOW_LANG="en", COLUMNS="100",
               CASEFLOW_FAKE_NOW="2026-03-02T10:00", XDG_CONFIG_HOME=str(tmp_path))
    process = subprocess.Popen(
        [sys.executable, "-c", RUNNER, "--db", app.settings.database_url, "--user", "zhang",
         "ticket", "close", "--note", "权属已摸清"],
        stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True)
    os.close(slave)
    seen = bytearray()
    try:
        _read_until(master, b"Close which one", seen)
        assert str(order.id).encode() in seen
        os.write(master, b"1\n")
        _read_until(master, b"closed #", seen)
        assert process.wait(timeout=30) == 0, bytes(seen).decode(errors="replace")
    finally:
        if process.poll() is None:
            process.kill()
        os.close(master)
    assert tickets.show_ticket(app, order.id).status == "closed"
