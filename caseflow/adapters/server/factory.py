"""``create_app(app)``: the FastAPI application over one composition root.

No CORS middleware: browsers on other origins get no access (the phone pages are
served from this same origin). Every response carries security headers; API
responses are never cached.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from caseflow.adapters.server import errors
from caseflow.adapters.server.routers import ROUTERS
from caseflow.errors import CaseflowError

API = "/api/v1"
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(self), geolocation=(), microphone=()",
}
# pages may send their own (stricter or looser) policy; this is the default
DEFAULT_CSP = ("default-src 'self'; img-src 'self' data:; object-src 'none'; "
               "base-uri 'none'; frame-ancestors 'none'; form-action 'self'")


def create_app(app: Any) -> FastAPI:
    """The ASGI application for ``app`` (a ``caseflow.services.app.App``)."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        app.engine.dispose()  # SIGTERM: uvicorn drains requests, then we close the pool

    server = FastAPI(
        title="caseflow", version=_version(), lifespan=lifespan,
        description="Work orders of the 工改 task forces. Sign in at POST /api/v1/auth/token "
                    "and send the token as `Authorization: Bearer ...`.",
        openapi_url=f"{API}/openapi.json", docs_url=None, redoc_url=None,
    )
    server.state.caseflow = app

    @server.middleware("http")
    async def security_headers(request: Request,
                               call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        began = time.perf_counter()
        response = await call_next(request)
        # what the server spent (monitoring and ``make bench``; no secrets in it)
        response.headers["Server-Timing"] = \
            f"app;dur={(time.perf_counter() - began) * 1000:.2f}"
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        response.headers.setdefault("Content-Security-Policy", DEFAULT_CSP)
        if request.url.path.startswith(API):
            response.headers.setdefault("Cache-Control", "no-store")
        if request.url.scheme == "https":
            response.headers.setdefault("Strict-Transport-Security",
                                        "max-age=31536000; includeSubDomains")
        return response

    @server.exception_handler(CaseflowError)
    async def _caseflow_error(request: Request, error: CaseflowError) -> JSONResponse:
        return errors.caseflow_error(request, error)

    @server.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        _ = errors.gettext_for(request)
        where = ", ".join(".".join(str(p) for p in e.get("loc", ())) for e in error.errors())
        return JSONResponse(errors.body(_("the request is not valid: {where}").format(
            where=where), None), status_code=422)

    @server.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> JSONResponse:
        _ = errors.gettext_for(request)
        text = {404: _("no such page"), 405: _("method not allowed")}.get(
            error.status_code, str(error.detail))
        return JSONResponse(errors.body(text, None), status_code=error.status_code,
                            headers=getattr(error, "headers", None))

    @server.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception) -> JSONResponse:
        return errors.unexpected(request, error)

    @server.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, Any]:
        """Alive, and the database answers with the schema this server needs."""
        from caseflow.persistence.migrate import require_current

        require_current(app.engine)
        return {"ok": True, "version": _version()}

    for spec in ROUTERS:
        module, _, attribute = spec.partition(":")
        server.include_router(getattr(importlib.import_module(module), attribute))
    return server


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("caseflow")
    except PackageNotFoundError:  # pragma: no cover - a checkout without install
        return "0"
