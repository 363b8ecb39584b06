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
