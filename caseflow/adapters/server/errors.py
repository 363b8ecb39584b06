"""Errors as ``{"error": ..., "hint": ...}`` with the HTTP status that fits, in the
caller's language (``Accept-Language``; Chinese when the caller names none).

The same ``CaseflowError`` the command prints as one line is what the server sends;
anything else is logged (without request bodies, so no password or token reaches a
log) and answered with a bare 500.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from caseflow import errors
from caseflow.services.accounts import NotSignedIn, Throttled

log = logging.getLogger("caseflow.server")
DEFAULT_LANG = "zh_CN"

STATUS: list[tuple[type[errors.CaseflowError], int]] = [
    (NotSignedIn, 401),
    (Throttled, 429),
    (errors.PermissionDenied, 403),
    (errors.NotFound, 404),
    (errors.Conflict, 409),
    (errors.Refused, 409),
    (errors.InvalidInput, 422),
    (errors.WorkflowDefinitionError, 422),
]


def status_of(error: errors.CaseflowError) -> int:
    for kind, status in STATUS:
        if isinstance(error, kind):
            return status
    return 400  # e.g. a usage problem


def request_lang(request: Request) -> str:
    """The first language of ``Accept-Language`` that has a catalog, else Chinese."""
    from caseflow.i18n import known

    header = request.headers.get("accept-language", "")
    for part in header.split(","):
        tag = part.split(";")[0].strip()
        if tag and tag != "*":
            found = known(tag)
            if found:
                return found
    return DEFAULT_LANG


def body(message: str, hint: str | None, **extra: Any) -> dict[str, Any]:
    return {"error": message, "hint": hint, **extra}


def caseflow_error(request: Request, error: errors.CaseflowError) -> JSONResponse:
    status = status_of(error)
    headers = {}
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    if isinstance(error, Throttled):
        headers["Retry-After"] = str(error.retry_after)
    return JSONResponse(error.as_dict(request_lang(request)), status_code=status,
                        headers=headers)


def unexpected(request: Request, error: Exception) -> JSONResponse:
    log.error("%s %s failed: %s: %s", request.method, request.url.path,
              type(error).__name__, error)
    _ = gettext_for(request)
    return JSONResponse(body(_("internal server error"),
                             _("try again later; if it persists, tell the administrator")),
                        status_code=500)


def gettext_for(request: Request) -> Any:
    """``_`` for this request's language."""
    from caseflow.i18n import translation

    return translation(request_lang(request)).gettext
