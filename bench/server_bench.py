"""The town server under load (issue 12): server-side p50/p99 of ``ticket list
--mine``, ``ticket close`` and ``clearlist`` with 50 concurrent clients on loopback
for 30 s, and the whole-process time of a remote ``ticket list --mine`` beside the
local one.

``caseflow serve --workers 2`` runs as its own processes on a copy of the city data
set; 50 asyncio clients (httpx, one process) send the three requests in turn, each
as the person who would: the busiest member lists their queue, a supervisor the
clear-to-zero list, an admin closes open orders one by one. Server-side time is the
``Server-Timing`` header (time inside the application, queueing excluded); client
wall times are reported too. Any non-2xx answer counts as an error.

    python -m bench.server_bench [DB_URL]        (default: a copy of bench/data/city.db)
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

CLIENTS = 50
SECONDS = 30.0
PASSWORD = "bench-password-2026"
RUNNER = "import sys; from caseflow.adapters.cli.main import main; sys.exit(main(sys.argv[1:]))"
TARGETS = {"p50_ms": 20.0, "p99_ms": 100.0, "remote_list_s": 0.25}


def _people(db_url: str) -> dict[str, Any]:
    """Who acts (busiest member, a supervisor, an admin) and the open orders to close;
    each gets the bench password."""
    from sqlalchemy import text

    from bench.cli_latency import _busiest_member
    from caseflow.clock import SystemClock
    from caseflow.services import accounts, directory
    from caseflow.services.app import App

    app = App.from_settings(database_url=db_url, clock=SystemClock())
    try:
        with app.engine.connect() as conn:
            def first(role: str) -> str:
                return str(conn.execute(text(
                    "SELECT login FROM app_user WHERE role = :r AND active ORDER BY id LIMIT 1"),
                    {"r": role}).scalar())

            admin, supervisor = first("admin"), first("supervisor")
            fallback_member = first("member")
            open_ids = [int(i) for i in conn.execute(text(
                "SELECT id FROM ticket WHERE status IN ('open', 'in_progress') "
                "ORDER BY id DESC LIMIT 20000")).scalars()]
        member = _busiest_member(app) or fallback_member
        actor = directory.resolve_actor(app, admin)
        for login in {admin, supervisor, member}:
            accounts.set_password(app, actor, login, PASSWORD)
        return {"admin": admin, "supervisor": supervisor, "member": member,
                "open_ids": open_ids}
    finally:
        app.engine.dispose()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


async def _load(url: str, tokens: dict[str, str], open_ids: list[int],
                clients: int, seconds: float) -> dict[str, Any]:
    import httpx

    server: dict[str, list[float]] = {"list_mine": [], "close": [], "clearlist": []}
    wall: dict[str, list[float]] = {k: [] for k in server}
    errors: dict[str, int] = {k: 0 for k in server}
    closable = list(open_ids)
    deadline = time.perf_counter() + seconds

    def auth(login_kind: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {tokens[login_kind]}"}

    async def one(client: httpx.AsyncClient, kind: str) -> None:
        if kind == "list_mine":
            request = client.get("/api/v1/tickets", params={"mine": "true"},
                                 headers=auth("member"))
        elif kind == "clearlist":
            request = client.get("/api/v1/clearlist", headers=auth("supervisor"))
        else:
            if not closable:
                return
            ticket_id = closable.pop()
            request = client.post(f"/api/v1/tickets/{ticket_id}/close",
                                  json={"note": "基准测试办结"}, headers=auth("admin"))
        began = time.perf_counter()
        response = await request
        wall[kind].append((time.perf_counter() - began) * 1000)
        if response.status_code >= 300:
            errors[kind] += 1
            return
        timing = response.headers.get("server-timing", "")
        if "dur=" in timing:
            server[kind].append(float(timing.split("dur=")[1]))

    async def worker(n: int) -> None:
        kinds = ("list_mine", "close", "clearlist")
        step = n
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:
            while time.perf_counter() < deadline:
                await one(client, kinds[step % 3])
                step += 1

    await asyncio.gather(*(worker(n) for n in range(clients)))
    out: dict[str, Any] = {"clients": clients, "seconds": seconds}
    for kind in server:
        out[f"server_{kind}_p50_ms"] = _percentile(server[kind], 0.50)
        out[f"server_{kind}_p99_ms"] = _percentile(server[kind], 0.99)
        out[f"wall_{kind}_p50_ms"] = _percentile(wall[kind], 0.50)
        out[f"wall_{kind}_p99_ms"] = _percentile(wall[kind], 0.99)
        out[f"{kind}_requests"] = len(wall[kind])
        out[f"{kind}_errors"] = errors[kind]
    out["errors"] = sum(errors.values())
    return out


def _whole_process(args: list[str], env: dict[str, str], runs: int = 7) -> float:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", RUNNER, *args], env=env,
                              capture_output=True, text=True)
        times.append(time.perf_counter() - began)
        if done.returncode != 0:
            raise RuntimeError(f"caseflow {' '.join(args)}: {done.stderr.strip()}")
    return statistics.median(times)


def measure(db_url: str, *, clients: int = CLIENTS, seconds: float = SECONDS,
            workers: int = 2) -> dict[str, Any]:
    import httpx

    people = _people(db_url)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    tmp = Path(tempfile.mkdtemp(prefix="caseflow-server-bench-"))
    env = dict(os.environ, XDG_CONFIG_HOME=str(tmp / "server-config"), PYTHONDONTWRITEBYTECODE="")
    for name in ("CASEFLOW_SERVER", "CASEFLOW_USER", "CASEFLOW_FAKE_NOW"):
        env.pop(name, None)
    log = (tmp / "serve.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "caseflow.adapters.cli.main", "--db", db_url,
                             "serve", "--port", str(port), "--workers", str(workers)],
                            env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("caseflow serve did not start: "
                                   + (tmp / "serve.log").read_text()[-500:])
            time.sleep(0.2)
        tokens = {}
        for kind in ("member", "supervisor", "admin"):
            r = httpx.post(url + "/api/v1/auth/token",
                           json={"login": people[kind], "password": PASSWORD}, timeout=30)
            r.raise_for_status()
            tokens[kind] = r.json()["token"]

        # whole-process remote `ticket list --mine` beside the local one (no load yet)
        client_home = tmp / "client-config"
        (client_home / "caseflow").mkdir(parents=True)
        session = client_home / "caseflow" / "session.json"
        session.write_text(json.dumps({"server": url, "login": people["member"],
                                       "token": tokens["member"], "token_id": None}))
        session.chmod(0o600)
        remote_env = dict(env, XDG_CONFIG_HOME=str(client_home))
        result: dict[str, Any] = {
            "remote_list_mine_s": _whole_process(["ticket", "list", "--mine"], remote_env),
            "local_list_mine_s": _whole_process(
                ["--db", db_url, "--user", people["member"], "ticket", "list", "--mine"], env),
            "member": people["member"],
        }
        result |= asyncio.run(_load(url, tokens, people["open_ids"], clients, seconds))
        return result
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def main() -> None:
    if len(sys.argv) > 1:
        url = sys.argv[1]
    else:
        import shutil

        source = Path(__file__).resolve().parent / "data" / "city.db"
        target = Path(tempfile.mkdtemp(prefix="caseflow-server-bench-")) / "city.db"
        shutil.copy(source, target)
        url = f"sqlite:///{target}"
    print(json.dumps(measure(url), indent=2))


if __name__ == "__main__":
    main()
