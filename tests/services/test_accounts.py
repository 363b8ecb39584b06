"""Passwords, sign-in throttling and personal tokens, on both databases."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from caseflow.clock import FixedClock
from caseflow.errors import InvalidInput, PermissionDenied
from caseflow.persistence import tables as t
from caseflow.services import accounts, tickets
from caseflow.services.accounts import NotSignedIn, Throttled
from caseflow.services.app import App
from tests.conftest import Town

PASSWORD = "定溪-correct-horse-7"


def _signed_in(app: App, town: Town, address: str = "10.0.0.5") -> accounts.IssuedToken:
    accounts.set_password(app, town.admin, "zhang", PASSWORD)
    actor = accounts.authenticate(app, "zhang", PASSWORD, address=address)
    return accounts.issue_token(app, actor, label="laptop")


def test_password_sign_in_and_token_round_trip(app: App, town: Town) -> None:
    issued = _signed_in(app, town)
    assert issued.token.startswith("cf_") and len(issued.token) >= 43 + 3
    actor = accounts.actor_for_token(app, issued.token, address="10.0.0.5")
    assert (actor.login, actor.role, actor.token_id, actor.address) == \
        ("zhang", "member", issued.id, "10.0.0.5")
    with app.engine.connect() as conn:
        row = conn.execute(sa.select(t.api_token)).one()
        user = conn.execute(sa.select(t.app_user).where(t.app_user.c.login == "zhang")).one()
    assert row.token_hash == accounts.hash_token(issued.token) and issued.token not in str(row)
    assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash
    assert "cf_" not in repr(issued)


def test_wrong_password_unknown_login_and_no_password_are_refused_alike(
        app: App, town: Town) -> None:
    accounts.set_password(app, town.admin, "zhang", PASSWORD)
    messages = set()
    for login, password in [("zhang", "wrong-password"), ("nobody", PASSWORD),
                            ("wang", PASSWORD)]:  # wang has no password yet
        with pytest.raises(NotSignedIn) as err:
            accounts.authenticate(app, login, password, address="10.0.0.5")
        messages.add(str(err.value))
    assert len(messages) == 1 and PASSWORD not in messages.pop()


def test_only_admins_set_passwords_and_weak_ones_are_refused(app: App, town: Town) -> None:
    with pytest.raises(PermissionDenied):
        accounts.set_password(app, town.lead, "zhang", PASSWORD)
    for weak in ("short", "zhang", " padded-password "):
        with pytest.raises(InvalidInput):
            accounts.set_password(app, town.admin, "zhang", weak)


def test_change_password_needs_the_current_one_and_keeps_only_this_token(
        app: App, town: Town) -> None:
    first, second = _signed_in(app, town), None
    actor = accounts.authenticate(app, "zhang", PASSWORD, address="10.0.0.6")
    second = accounts.issue_token(app, actor)
    me = accounts.actor_for_token(app, second.token)
    with pytest.raises(NotSignedIn):
        accounts.change_password(app, me, "not-the-password", "新的密码-2026-spring")
    accounts.change_password(app, me, PASSWORD, "新的密码-2026-spring")
    assert accounts.actor_for_token(app, second.token).login == "zhang"
    with pytest.raises(NotSignedIn):
        accounts.actor_for_token(app, first.token)
    with pytest.raises(NotSignedIn):
        accounts.authenticate(app, "zhang", PASSWORD, address="10.0.0.6")
    assert accounts.authenticate(app, "zhang", "新的密码-2026-spring", address="10.0.0.6")


def test_revoked_tokens_and_deactivated_users_are_refused(app: App, town: Town) -> None:
    issued = _signed_in(app, town)
    me = accounts.actor_for_token(app, issued.token)
    accounts.revoke_token(app, me)
    with pytest.raises(NotSignedIn):
        accounts.actor_for_token(app, issued.token)
    again = accounts.issue_token(app, accounts.authenticate(app, "zhang", PASSWORD,
                                                            address="x"))
    assert accounts.revoke_all_for_user(app, town.admin, "zhang") == 1
    with pytest.raises(NotSignedIn):
        accounts.actor_for_token(app, again.token)
    with pytest.raises(PermissionDenied):
        accounts.revoke_all_for_user(app, town.lead, "zhang")
    for bad in ("", "Bearer", "cf_" + "A" * 43, "x" * 500):
        with pytest.raises(NotSignedIn):
            accounts.actor_for_token(app, bad)


def test_throttling_per_login_then_lifted_after_the_window(
        app: App, town: Town, clock: FixedClock) -> None:
    accounts.set_password(app, town.admin, "zhang", PASSWORD)
    for _ in range(accounts.LOGIN_FAILURES):
        with pytest.raises(NotSignedIn):
            accounts.authenticate(app, "zhang", "guess-guess", address="10.0.0.9")
    with pytest.raises(Throttled) as err:  # even the right password, from anywhere
        accounts.authenticate(app, "zhang", PASSWORD, address="10.0.0.10")
    assert 0 < err.value.retry_after <= accounts.WINDOW.total_seconds() + 1
    clock.advance(seconds=accounts.WINDOW.total_seconds() + 1)
    assert accounts.authenticate(app, "zhang", PASSWORD, address="10.0.0.10").login == "zhang"


def test_throttling_per_address_across_logins(app: App, town: Town) -> None:
    for i in range(accounts.ADDRESS_FAILURES):
        with pytest.raises(NotSignedIn):
            accounts.authenticate(app, f"guess{i}", "guess-guess", address="10.9.9.9")
    accounts.set_password(app, town.admin, "zhang", PASSWORD)
    with pytest.raises(Throttled):
        accounts.authenticate(app, "zhang", PASSWORD, address="10.9.9.9")
    assert accounts.authenticate(app, "zhang", PASSWORD, address="10.0.0.1").login == "zhang"


def test_audit_names_the_token_and_address_never_the_secrets(
        app: App, town: Town, order: object) -> None:
    issued = _signed_in(app, town, address="192.0.2.7")
    me = accounts.actor_for_token(app, issued.token, address="192.0.2.7")
    tickets.close(app, me, order.ticket_id, "已补交")  # type: ignore[attr-defined]
    with app.engine.connect() as conn:
        rows = conn.execute(sa.select(t.audit_event).order_by(t.audit_event.c.id)).all()
    close = [r for r in rows if r.action == "ticket.close"][0]
    assert (close.actor, close.token_id, close.address) == ("zhang", issued.id, "192.0.2.7")
    everything = json.dumps([[str(v) for v in r] for r in rows], ensure_ascii=False)
    assert PASSWORD not in everything and issued.token not in everything
    assert {"user.password_set", "token.issue"} <= {r.action for r in rows}
