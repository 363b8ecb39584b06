"""Who is looking at a page: the sign-in cookie, and the CSRF token of every form.

A browser signs in with a login and password (``accounts.authenticate``, throttled)
and receives a personal token (``accounts.issue_token``) in an HttpOnly, SameSite=Lax
cookie, Secure when the request came over TLS: the same tokens the command uses, so
``caseflow user revoke`` or deactivating a user signs their phone out too, and audit
events name the person and where they came from.

Every form carries a CSRF token derived from the session token by HMAC: a page of
another site can make the browser send the cookie but cannot read the token. The
sign-in form, before any session exists, uses a random double-submit cookie.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import Response

from caseflow.services.permissions import Actor

SESSION_COOKIE = "caseflow_session"
SIGN_IN_COOKIE = "caseflow_signin"
SESSION_DAYS = 30


class SignInNeeded(Exception):
    """No valid session: pages redirect to the sign-in, forms are refused (401)."""

    def __init__(self, back_to: str) -> None:
        super().__init__(back_to)
        self.back_to = back_to


class CsrfRefused(Exception):
    """A form posted without this session's CSRF token (403)."""


@dataclass(frozen=True)
class Viewer:
    actor: Actor
    token: str

    @property
    def csrf(self) -> str:
        return csrf_for(self.token)


def csrf_for(token: str) -> str:
    return hmac.new(token.encode(), b"caseflow board form", hashlib.sha256).hexdigest()


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def is_tls(request: Request) -> bool:
    return request.url.scheme == "https"


def back_to(request: Request) -> str:
    path = request.url.path
    return f"{path}?{request.url.query}" if request.url.query else path


def safe_next(raw: str | None) -> str:
    """Only a path of this site: ``//evil.example`` or ``https://...`` go home instead."""
    if not raw or not raw.startswith("/") or raw.startswith("//") or "\\" in raw:
        return "/"
    return raw


def sign_in_url(target: str) -> str:
    return "/sign-in" if target == "/" else f"/sign-in?next={quote(target, safe='')}"


def viewer(app: Any, request: Request) -> Viewer:
    from caseflow.services import accounts

    token = request.cookies.get(SESSION_COOKIE, "")
    if not token:
        raise SignInNeeded(back_to(request))
    try:
        actor = accounts.actor_for_token(app, token, address=client_address(request))
    except accounts.NotSignedIn:
        raise SignInNeeded(back_to(request)) from None
    return Viewer(actor=actor, token=token)


def check_csrf(expected: str, submitted: str | None) -> None:
    if not submitted or not hmac.compare_digest(expected, submitted):
        raise CsrfRefused()


def keep_session(response: Response, request: Request, token: str) -> None:
    response.set_cookie(SESSION_COOKIE, token, max_age=SESSION_DAYS * 86400, httponly=True,
                        samesite="lax", secure=is_tls(request), path="/")


def end_session(response: Response, request: Request) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax",
                           secure=is_tls(request))


def sign_in_csrf(request: Request) -> str:
    return request.cookies.get(SIGN_IN_COOKIE) or secrets.token_urlsafe(24)


def keep_sign_in_csrf(response: Response, request: Request, value: str) -> None:
    response.set_cookie(SIGN_IN_COOKIE, value, max_age=3600, httponly=True, samesite="strict",
                        secure=is_tls(request), path="/sign-in")
