from typing import Any


def test_sign_in_me_and_health(client: Any, signed: Any) -> None:
    r = client.get("/api/v1/me", headers=signed.headers("zhang"))
    assert r.status_code == 200, r.text
    assert r.json()["login"] == "zhang" and r.json()["team"] == "negotiation"
    assert client.get("/healthz").json()["ok"] is True
    doc = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/me" in doc["paths"]
    r = client.get("/api/v1/me")
    assert r.status_code == 401, r.text
    print(r.json(), r.headers)
