"""What the server refuses, and what it never lets out."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from caseflow.adapters import usecases
from caseflow.adapters.cli.main import main
from caseflow.services import accounts, cases, dump, tickets
from caseflow.services.app import App
from tests.server.conftest import PASSWORD, Signed


def _path(case: usecases.UseCase) -> str:
    path, _ = case.url({name: "1" for name in case.path_params})
    return "/api/v1" + path


PROTECTED = [c for c in usecases.REGISTRY.values() if not c.public]


@pytest.mark.parametrize("case", PROTECTED, ids=lambda c: c.name)
def test_every_endpoint_refuses_missing_invalid_and_revoked_tokens(
        client: Any, signed: Signed, app: App, town: Any, case: usecases.UseCase) -> None:
    token = signed.token("zhang")
    accounts.revoke_token(app, accounts.actor_for_token(app, token))
    for headers in ({}, {"Authorization": "Bearer cf_not-a-real-token"},
                    {"Authorization": "Basic emhhbmc6cGFzc3dvcmQ="},
                    {"Authorization": f"Bearer {token}"}):
        r = client.request(case.method, _path(case), headers=headers,
                           **({"json": {}} if case.method != "GET" else {}))
        assert r.status_code == 401, (case.name, headers, r.text)
        assert r.headers["www-authenticate"] == "Bearer"
        assert set(r.json()) == {"error", "hint"} and "caseflow login" in r.json()["hint"]


def test_the_openapi_document_is_public_and_lists_every_use_case(client: Any) -> None:
    doc = client.get("/api/v1/openapi.json").json()
    for case in usecases.REGISTRY.values():
        assert case.method.lower() in doc["paths"]["/api/v1" + case.path], case.name
    assert "/api/v1/auth/token" in doc["paths"]


def _cli(app: App, capsys: Any, *args: str, user: str) -> str:
    capsys.readouterr()
    assert main(["--db", app.settings.database_url, "--user", user, "--lang", "en",
                 *args]) == 1
    return capsys.readouterr().err.removeprefix("caseflow: ").strip()


def test_wrong_roles_get_403_with_the_message_the_command_gives(
        client: Any, signed: Signed, app: App, town: Any, capsys: Any,
        monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    monkeypatch.setenv("CASEFLOW_FAKE_NOW", "2026-03-02T09:00+08:00")
    case = cases.add_case(app, town.lead, "SW01", cases.NewCase(name="定溪五金厂",
                                                               team="negotiation"))
    order = tickets.add_ticket(app, town.lead, case.id, "核实消防隐患", within=None,
                               due_on=__import__("datetime").date(2026, 3, 9),
                               assignee="zhang")
    attempts = [
        ("zhang", "POST", f"/tickets/{order.id}/extend", {"to": "2026-03-20", "reason": "x"},
         ["ticket", "extend", str(order.id), "--to", "2026-03-20", "--reason", "x"]),
        ("zhao", "POST", f"/tickets/{order.id}/close", {"note": "done"},
         ["ticket", "close", str(order.id), "--note", "done"]),
        ("lead1", "POST", "/teams", {"code": "x", "name": "X"},
         ["team", "add", "x", "--name", "X"]),
        ("zhang", "POST", f"/cases/{case.id}/advance", {},
         ["case", "advance", str(case.id)]),
        ("sup", "POST", "/users/zhang/revoke", {}, ["user", "revoke", "zhang"]),
    ]
    for login, method, path, body, argv in attempts:
        r = client.request(method, "/api/v1" + path, json=body, headers=signed.headers(login))
        assert r.status_code == 403, (path, r.text)
        error = r.json()
        said = error["error"] + (f" ({error['hint']})" if error["hint"] else "")
        assert said == _cli(app, capsys, *argv, user=login), path


def test_a_member_cannot_list_another_users_tokens(client: Any, signed: Signed) -> None:
    signed.token("wang")
    r = client.get("/api/v1/me/tokens", params={"login": "wang"},
                   headers=signed.headers("zhang"))
    assert r.status_code == 403
    mine = client.get("/api/v1/me/tokens", headers=signed.headers("zhang"))
    assert mine.status_code == 200 and [t["login"] for t in mine.json()] == ["zhang"]


def test_errors_come_in_the_callers_language(client: Any, signed: Signed) -> None:
    r = client.get("/api/v1/me", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert r.json()["error"] == "未登录：缺少令牌或令牌无效"
    r = client.get("/api/v1/me", headers={"Accept-Language": "en-US"})
    assert r.json()["error"].startswith("not signed in")
    r = client.get("/api/v1/me")  # no preference: Chinese first
    assert r.json()["hint"] == "请运行 `caseflow login`"


def test_status_codes_fit_the_refusal(client: Any, signed: Signed, app: App,
                                      town: Any) -> None:
    h = signed.headers("lead1")
    assert client.get("/api/v1/tickets/999", headers=h).status_code == 404
    assert client.post("/api/v1/tickets", json={"case_id": "x"}, headers=h).status_code == 422
    assert client.post("/api/v1/tickets", content=b"not json", headers=h).status_code == 422
    assert client.post("/api/v1/tickets", json={"case_id": 1, "title": "t", "bogus": 1},
                       headers=h).status_code == 422
    assert client.get("/api/v1/tickets", params={"limit": "many"},
                      headers=h).status_code == 422
    case = cases.add_case(app, town.lead, "SW01", cases.NewCase(name="神湾灯饰厂",
                                                               team="negotiation"))
    order = tickets.add_ticket(app, town.lead, case.id, "补交材料", due_on=None,
                               within=__import__("caseflow.domain.durations", fromlist=["x"])
                               .parse_duration("5wd"), assignee="zhang")
    z = signed.headers("zhang")
    assert client.post(f"/api/v1/tickets/{order.id}/close", json={"note": "好了"},
                       headers=z).status_code == 200
    again = client.post(f"/api/v1/tickets/{order.id}/close", json={"note": "好了"}, headers=z)
    assert again.status_code == 409 and again.json()["error"]


def test_sign_in_is_throttled_per_login_over_http(client: Any) -> None:
    for _ in range(accounts.LOGIN_FAILURES):
        r = client.post("/api/v1/auth/token", json={"login": "zhang", "password": "guess-1234"})
        assert r.status_code == 401
        assert "guess-1234" not in r.text
    r = client.post("/api/v1/auth/token", json={"login": "zhang", "password": PASSWORD})
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
    assert "token" not in r.json()


def test_no_cors_and_security_headers_everywhere(client: Any, signed: Signed) -> None:
    origin = {"Origin": "https://evil.example"}
    pre = client.options("/api/v1/tickets", headers=origin | {
        "Access-Control-Request-Method": "GET"})
    assert "access-control-allow-origin" not in pre.headers
    for r in (client.get("/healthz", headers=origin),
              client.get("/api/v1/me", headers=signed.headers("zhang") | origin),
              client.get("/api/v1/nowhere")):
        assert "access-control-allow-origin" not in r.headers
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
        assert r.headers["referrer-policy"] == "no-referrer"
    assert client.get("/api/v1/me", headers=signed.headers("zhang")).headers[
        "cache-control"] == "no-store"


def test_secrets_never_in_logs_json_exports_or_errors(
        client: Any, signed: Signed, app: App, town: Any, caplog: Any, tmp_path: Any) -> None:
    caplog.set_level(logging.DEBUG)
    token = signed.token("zhang")
    bad = client.post("/api/v1/auth/token", json={"login": "zhang", "password": "Wrong-pass-9"})
    seen = [bad.text]
    for path in ("/api/v1/me", "/api/v1/me/tokens", "/api/v1/users"):
        seen.append(client.get(path, headers=signed.headers("zhang")).text)
    seen.append(client.get("/api/v1/me/tokens", params={"login": "zhang"},
                           headers=signed.headers("root")).text)
    out = tmp_path / "dump.json"
    dump.export_to_file(app, town.admin, out)
    seen.append(out.read_text(encoding="utf-8"))
    seen.extend(r.getMessage() for r in caplog.records)
    text = "\n".join(seen)
    for secret in (PASSWORD, "Wrong-pass-9", token, accounts.hash_token(token), "$argon2"):
        assert secret not in text, secret
    tables = json.loads(out.read_text(encoding="utf-8"))["tables"]
    assert "api_token" not in tables and "password_hash" not in tables["app_user"]["columns"]
