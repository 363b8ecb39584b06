"""Who is calling: the bearer token of a request, resolved on the server.

Identity is the token, never a name the client claims; the actor carries the token's
id and the client's address into every audit event.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request

from caseflow.services import accounts
from caseflow.services.permissions import Actor


def the_app(request: Request) -> Any:
    """The composition root (``caseflow.services.app.App``) this server runs on."""
    return request.app.state.caseflow


def client_address(request: Request) -> str:
    """The caller's address (uvicorn puts the proxy's X-Forwarded-For here when the
    proxy is trusted, see ``--forwarded-allow-ips``)."""
    return request.client.host if request.client else "unknown"


def bearer_token(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def current_actor(request: Request) -> Actor:
    """FastAPI dependency: the signed-in actor, or 401."""
    return accounts.actor_for_token(the_app(request), bearer_token(request),
                                    address=client_address(request))
