"""``caseflow serve`` as real processes: two servers on one database close the same
orders at the same moment and exactly one of each pair wins; SIGTERM stops cleanly."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from caseflow.persistence import tables as t
from caseflow.services import accounts, cases, tickets
from caseflow.services.app import App
from tests.server.conftest import PASSWORD

ORDERS = 24


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Served:
    def __init__(self, url: str, tmp: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ, XDG_CONFIG_HOME=str(tmp / "cfg"), CASEFLOW_LANG="en",
                   CASEFLOW_FAKE_NOW="2026-03-02T09:00+08:00")
        env.pop("CASEFLOW_SERVER", None)
        self.log = (tmp / f"serve-{self.port}.log").open("w+")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "caseflow.adapters.cli.main", "--db", url, "serve",
             "--port", str(self.port)], env=env, stdout=self.log, stderr=subprocess.STDOUT)

    def wait_ready(self) -> None:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.output()
            try:
                if httpx.get(self.url + "/healthz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise AssertionError("the server did not come up: " + self.output())

    def output(self) -> str:
        if self.log.closed:
            return self.final
        self.log.flush()
        self.log.seek(0)
        return self.log.read()

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=60)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
            self.final = self.output()
            self.log.close()


@pytest.fixture
def two_servers(app: App, town: Any, tmp_path: Path) -> Iterator[list[Served]]:
    accounts.set_password(app, town.admin, "zhang", PASSWORD)
    servers = [Served(app.settings.database_url, tmp_path) for _ in range(2)]
    try:
        for server in servers:
            server.wait_ready()
        yield servers
    finally:
        codes = [server.stop() for server in servers]
        assert codes == [0, 0], [s.output() for s in servers]
        assert all("Finished server process" in s.output() for s in servers)


def test_two_server_processes_close_the_same_orders_and_exactly_one_wins(
        app: App, town: Any, two_servers: list[Served]) -> None:
    case = cases.add_case(app, town.lead, "SW01", cases.NewCase(name="定溪五金厂",
                                                               team="negotiation"))
    ids = [tickets.add_ticket(app, town.lead, case.id, f"整改隐患第{i}项",
                              due_on=date(2026, 3, 20), assignee="zhang").id
           for i in range(ORDERS)]
    first, second = two_servers
    token = httpx.post(first.url + "/api/v1/auth/token",
                       json={"login": "zhang", "password": PASSWORD}).json()["token"]
    headers = {"Authorization": f"Bearer {token}", "Accept-Language": "en"}
    results: dict[int, list[int]] = {i: [] for i in ids}
    lock = threading.Lock()

    def close_all(server: Served, gate: threading.Barrier) -> None:
        with httpx.Client(base_url=server.url, headers=headers, timeout=60) as client:
            for ticket_id in ids:
                gate.wait()  # both servers get each order at the same moment
                r = client.post(f"/api/v1/tickets/{ticket_id}/close", json={"note": "已整改"})
                with lock:
                    results[ticket_id].append(r.status_code)

    gate = threading.Barrier(2)
    threads = [threading.Thread(target=close_all, args=(s, gate)) for s in two_servers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert all(sorted(codes) == [200, 409] for codes in results.values()), results
    with app.engine.connect() as conn:
        closes = conn.execute(sa.select(t.audit_event.c.ticket_id).where(
            t.audit_event.c.action == "ticket.close")).scalars().all()
        statuses = conn.execute(sa.select(t.ticket.c.status).where(
            t.ticket.c.id.in_(ids))).scalars().all()
    assert sorted(closes) == sorted(ids) and set(statuses) == {"closed"}
