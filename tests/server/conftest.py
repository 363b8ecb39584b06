"""The server in-process (Starlette's TestClient, real HTTP semantics over ASGI) on
the ``town`` database, with passwords set for everybody."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from caseflow.adapters.server import create_app
from caseflow.services import accounts
from caseflow.services.app import App

PASSWORD = "定溪-correct-horse-7"
LOGINS = ("root", "lead1", "zhang", "wang", "zhao", "sup")


@pytest.fixture
def client(app: App, town: Any) -> Iterator[TestClient]:
    for login in LOGINS:
        accounts.set_password(app, town.admin, login, PASSWORD)
    with TestClient(create_app(app), base_url="http://testserver") as test_client:
        yield test_client


class Signed:
    """Tokens by login, issued through the real sign-in endpoint."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.tokens: dict[str, str] = {}

    def token(self, login: str) -> str:
        if login not in self.tokens:
            r = self.client.post("/api/v1/auth/token",
                                 json={"login": login, "password": PASSWORD})
            assert r.status_code == 201, r.text
            self.tokens[login] = r.json()["token"]
        return self.tokens[login]

    def headers(self, login: str, lang: str = "en") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(login)}", "Accept-Language": lang}


@pytest.fixture
def signed(client: TestClient) -> Signed:
    return Signed(client)


class LiveServer:
    """uvicorn serving ``create_app(app)`` on a free loopback port, in a thread."""

    def __init__(self, app: App) -> None:
        import socket
        import threading

        import uvicorn

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        config = uvicorn.Config(create_app(app), log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run,
                                       kwargs={"sockets": [self.sock]}, daemon=True)

    def __enter__(self) -> LiveServer:
        import time

        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=20)
        self.sock.close()


@pytest.fixture
def live(app: App, town: Any) -> Iterator[LiveServer]:
    for login in LOGINS:
        accounts.set_password(app, town.admin, login, PASSWORD)
    with LiveServer(app) as server:
        yield server
