"""Passwords, sign-in and personal API tokens: who a request to the server really is.

- Passwords are hashed with argon2id (argon2-cffi's defaults: 64 MiB, 3 passes), so
  a stolen database does not give them away; a user without a hash cannot sign in.
- A sign-in gives a personal token of 256 random bits. Only its SHA-256 is stored:
  a token that random needs no slow hash, and each request is checked with one
  indexed lookup. Tokens are revoked (``revoked_at``), never deleted.
- Failed sign-ins are kept in the database (``sign_in_attempt``), so throttling
  holds across every server process: after ``LOGIN_FAILURES`` failures for one login,
  or ``ADDRESS_FAILURES`` from one address, within ``WINDOW``, further attempts are
  refused until the window has passed (a success clears the login's count).
- Passwords and tokens never appear in audit events, errors or views.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from caseflow.errors import CaseflowError, InvalidInput, NotFound, Refused
from caseflow.persistence import tables as t
from caseflow.services import audit
from caseflow.services.app import App
from caseflow.services.directory import user_by_login
from caseflow.services.permissions import Actor, require_role

WINDOW = timedelta(minutes=15)
LOGIN_FAILURES = 5
ADDRESS_FAILURES = 20
MIN_PASSWORD = 8  # (the refusals below say these numbers)
MAX_PASSWORD = 256  # argon2 takes any length; a megabyte "password" is a denial of service
TOKEN_PREFIX = "cf_"
TOKEN_BYTES = 32  # 256 bits
# a token's last use is written at most this often, so reads stay reads
TOUCH_EVERY = timedelta(minutes=5)
U, K, A = t.app_user, t.api_token, t.sign_in_attempt


class NotSignedIn(CaseflowError):
    """No token, an unknown or revoked one, or wrong credentials (HTTP 401)."""


class Throttled(CaseflowError):
    """Too many failed sign-ins; ``retry_after`` seconds until the next try (HTTP 429)."""

    def __init__(self, message: str, *, retry_after: int, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.retry_after = retry_after


@dataclass(frozen=True)
class IssuedToken:
    """A new token: ``token`` is shown to its owner once and stored nowhere in clear."""

    id: int
    login: str
    token: str
    created_at: datetime
    label: str | None = None

    def __repr__(self) -> str:  # never let a log line or traceback carry the token
        return f"IssuedToken(id={self.id}, login={self.login!r}, token='***')"


@dataclass(frozen=True)
class TokenView:
    id: int
    login: str
    label: str | None
    address: str | None
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


def _hasher() -> Any:
    from argon2 import PasswordHasher  # only sign-in and password changes pay for it

    return PasswordHasher()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _check_password(password: str, login: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InvalidInput("a password needs at least 8 characters")
    if len(password) > MAX_PASSWORD:
        raise InvalidInput("a password has at most 256 characters")
    if password.strip() != password or any(ord(c) < 32 or ord(c) == 127 for c in password):
        raise InvalidInput("a password cannot have control characters or surrounding spaces")
    if password.lower() == login.lower():
        raise InvalidInput("a password cannot be the login")


def _store_password(conn: Any, app: App, actor: Actor, user: Any, password: str,
                    action: str, keep_token: int | None = None) -> None:
    now = app.clock.now()
    conn.execute(U.update().where(U.c.id == user.id).values(
        password_hash=_hasher().hash(password), password_changed_at=now))
    revoked = _revoke_where(conn, now, K.c.user_id == user.id,
                            *([K.c.id != keep_token] if keep_token else []))
    audit.record(conn, at=now, actor=actor, action=action,
                 after={"login": user.login, "tokens_revoked": revoked})


def set_password(app: App, actor: Actor, login: str, password: str) -> None:
    """An admin sets or resets a user's password; the user's tokens are revoked."""
    require_role(actor, "admin", doing="set passwords")
    _check_password(password, login)
    with app.transaction() as tx:
        user = user_by_login(tx.conn, login)
        _store_password(tx.conn, app, actor, user, password, "user.password_set")
        tx.commit()


def change_password(app: App, actor: Actor, current: str, new: str) -> None:
    """A user changes their own password; their other tokens are revoked (the one
    they are using, if any, stays)."""
    _check_password(new, actor.login)
    with app.transaction() as tx:
        user = user_by_login(tx.conn, actor.login)
        if not _verify(user.password_hash, current):
            raise NotSignedIn("the current password is wrong")
        _store_password(tx.conn, app, actor, user, new, "user.password_change",
                        keep_token=actor.token_id)
        tx.commit()


def _verify(stored: str | None, password: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError

    hasher = _hasher()
    try:
        # an account without a password still pays the same time, so timing tells nothing
        return hasher.verify(stored or _DUMMY.hash, password)
        # (the dummy never matches: its password is random and thrown away)
    except (VerificationError, InvalidHashError):
        return False


class _Dummy:
    @property
    def hash(self) -> str:
        if not hasattr(self, "_hash"):
            self._hash = _hasher().hash(secrets.token_urlsafe(24))
        return self._hash


_DUMMY = _Dummy()


def _throttle(conn: Any, now: datetime, login: str, address: str) -> None:
    since = now - WINDOW
    last_ok = conn.execute(sa.select(sa.func.max(A.c.at)).where(
        A.c.login == login, A.c.ok.is_(True), A.c.at >= since)).scalar()
    login_fails = conn.execute(sa.select(sa.func.count(), sa.func.min(A.c.at)).where(
        A.c.login == login, A.c.ok.is_(False), A.c.at >= (last_ok or since))).one()
    address_fails = conn.execute(sa.select(sa.func.count(), sa.func.min(A.c.at)).where(
        A.c.address == address, A.c.ok.is_(False), A.c.at >= since)).one()
    for (count, first), limit in ((login_fails, LOGIN_FAILURES),
                                  (address_fails, ADDRESS_FAILURES)):
        if count >= limit:
            wait = max(1, int((first + WINDOW - now).total_seconds()) + 1)
            raise Throttled("too many failed sign-ins; try again later", retry_after=wait,
                            hint="an admin can reset the password with "
                                 "`caseflow user password LOGIN`")


def authenticate(app: App, login: str, password: str, *, address: str) -> Actor:
    """Check a login and password; every attempt is recorded for throttling.

    Wrong login and wrong password get the same refusal, so sign-in does not tell
    which logins exist.
    """
    address = (address or "unknown")[:64]
    login = login[:64]
    with app.transaction() as tx:
        conn = tx.conn
        now = app.clock.now()
        _throttle(conn, now, login, address)
        user = conn.execute(sa.select(U).where(U.c.login == login)).first()
        ok = _verify(user.password_hash if user is not None else None,
                     password[:MAX_PASSWORD]) and user is not None and bool(user.active)
        conn.execute(A.insert().values(login=login, address=address, at=now, ok=ok))
        tx.commit()
    if not ok or user is None:
        raise NotSignedIn("wrong login or password",
                          hint="an admin sets passwords with `caseflow user password LOGIN`")
    return Actor.of(user, address=address)


def issue_token(app: App, actor: Actor, *, label: str | None = None,
                address: str | None = None) -> IssuedToken:
    """A new personal token for ``actor`` (after ``authenticate``)."""
    if actor.id is None:
        raise Refused("only users get tokens")
    token = TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)
    label = " ".join((label or "").split())[:100] or None
    with app.transaction() as tx:
        now = app.clock.now()
        token_id: int = tx.conn.execute(K.insert().values(
            user_id=actor.id, token_hash=hash_token(token), label=label,
            address=(address or actor.address), created_at=now,
        ).returning(K.c.id)).scalar_one()
        audit.record(tx.conn, at=now, actor=actor, action="token.issue",
                     after={"token_id": token_id, "label": label})
        tx.commit()
    return IssuedToken(id=token_id, login=actor.login, token=token, created_at=now, label=label)


def actor_for_token(app: App, token: str, *, address: str | None = None) -> Actor:
    """The user a bearer token belongs to; missing, unknown, revoked tokens and
    inactive users are all refused the same way."""
    if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        raise NotSignedIn("not signed in: the token is missing or not valid",
                          hint="run `caseflow login`")
    with app.transaction(readonly=True) as tx:
        row = tx.conn.execute(
            sa.select(K.c.id.label("token_id"), K.c.last_used_at, U)
            .join(U, U.c.id == K.c.user_id)
            .where(K.c.token_hash == hash_token(token), K.c.revoked_at.is_(None))
        ).first()
    if row is None or not row.active:
        raise NotSignedIn("not signed in: the token is not valid or was revoked",
                          hint="run `caseflow login`")
    now = app.clock.now()
    if row.last_used_at is None or now - row.last_used_at >= TOUCH_EVERY:
        with app.transaction() as tx:
            tx.conn.execute(K.update().where(K.c.id == row.token_id).values(last_used_at=now))
            tx.commit()
    return Actor.of(row, token_id=row.token_id, address=address)


def _revoke_where(conn: Any, now: datetime, *where: Any) -> int:
    return int(conn.execute(K.update().where(K.c.revoked_at.is_(None), *where)
                            .values(revoked_at=now)).rowcount)


def revoke_token(app: App, actor: Actor, token_id: int | None = None) -> None:
    """Sign out: revoke one of the actor's own tokens (default: the one in use)."""
    token_id = token_id or actor.token_id
    if token_id is None:
        raise Refused("no token to revoke: this command is not signed in to a server")
    with app.transaction() as tx:
        owner = tx.conn.execute(sa.select(K.c.user_id).where(K.c.id == token_id)).scalar()
        if owner is None or owner != actor.id:
            raise NotFound("no token #{id} of yours", id=token_id)
        now = app.clock.now()
        _revoke_where(tx.conn, now, K.c.id == token_id)
        audit.record(tx.conn, at=now, actor=actor, action="token.revoke",
                     after={"token_id": token_id})
        tx.commit()


def revoke_all_in(conn: Any, app: App, actor: Actor, user: Any, reason: str) -> int:
    """Revoke every token of ``user`` inside the caller's transaction (e.g. when a
    user is deactivated); returns how many were live."""
    now = app.clock.now()
    revoked = _revoke_where(conn, now, K.c.user_id == user.id)
    audit.record(conn, at=now, actor=actor, action="token.revoke_all",
                 after={"login": user.login, "tokens_revoked": revoked}, note=reason)
    return revoked


def revoke_all_for_user(app: App, actor: Actor, login: str) -> int:
    """``caseflow user revoke LOGIN``: an admin signs a user out everywhere."""
    require_role(actor, "admin", doing="revoke other users' tokens")
    with app.transaction() as tx:
        user = user_by_login(tx.conn, login)
        revoked = revoke_all_in(tx.conn, app, actor, user, "revoked by an admin")
        tx.commit()
    return revoked


def list_tokens(app: App, actor: Actor, login: str | None = None) -> list[TokenView]:
    """A user's tokens (their own; an admin: anybody's), newest first."""
    login = login or actor.login
    if login != actor.login:
        require_role(actor, "admin", doing="list other users' tokens")
    with app.transaction(readonly=True) as tx:
        user = user_by_login(tx.conn, login)
        rows = tx.conn.execute(sa.select(K).where(K.c.user_id == user.id)
                               .order_by(K.c.id.desc())).all()
    return [TokenView(id=r.id, login=login, label=r.label, address=r.address,
                      created_at=r.created_at, last_used_at=r.last_used_at,
                      revoked_at=r.revoked_at) for r in rows]
