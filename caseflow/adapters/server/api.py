"""``/api/v1``: sign-in, and one endpoint per use case of ``caseflow.adapters.usecases``.

Requests and responses are the ``--json`` shapes of the command. Arguments come from
the path, the query string (GET) or a JSON object body (POST); unknown or ill-typed
arguments are refused with 422 before anything runs. Services do the permission
checks, validation and audit; the actor is always the token's owner.
"""

from __future__ import annotations

import json
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from caseflow.adapters import usecases
from caseflow.adapters.cli.context import jsonable
from caseflow.adapters.server.auth import client_address, current_actor, the_app
from caseflow.errors import InvalidInput
from caseflow.services import accounts

API = "/api/v1"
router = APIRouter(prefix=API)
MAX_BODY = 20 * 1024 * 1024  # a case import's spreadsheet fits; a flood does not


def respond(request: Request, result: Any, status: int = 200) -> JSONResponse:
    tz = ZoneInfo(the_app(request).settings.display_tz)
    return JSONResponse(jsonable(result, tz), status_code=status)


async def json_body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise InvalidInput("the request body is too large")
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput("the request body is not JSON") from None
    if not isinstance(data, dict):
        raise InvalidInput("the request body must be a JSON object")
    return data


@router.post("/auth/token", status_code=201, summary="Sign in: a personal token for "
             "login and password (throttled per login and address)")
async def sign_in(request: Request) -> JSONResponse:
    data = await json_body(request)
    login, password = data.get("login"), data.get("password")
    if not isinstance(login, str) or not isinstance(password, str) or not login:
        raise InvalidInput("sign-in needs \"login\" and \"password\" (strings)")
    label = data.get("label") if isinstance(data.get("label"), str) else None
    app, address = the_app(request), client_address(request)

    def work() -> Any:
        actor = accounts.authenticate(app, login, password, address=address)
        return accounts.issue_token(app, actor, label=label, address=address), actor

    issued, actor = await run_in_threadpool(work)
    return respond(request, {"token": issued.token, "token_id": issued.id,
                             "login": actor.login, "name": actor.name, "role": actor.role,
                             "lang": actor.lang, "created_at": issued.created_at}, status=201)


# ------------------------------------------------------------- generated endpoints

_KINDS = {"int": int, "float": float, "bool": bool, "str": str, "list": list, "dict": dict}
_SCHEMA = {int: "integer", float: "number", bool: "boolean", str: "string", list: "array",
           dict: "object"}


def _kind(annotation: Any) -> tuple[type, bool]:
    """(base type, may be null) from an annotation such as ``"int | None"``."""
    text = annotation if isinstance(annotation, str) else getattr(annotation, "__name__", "str")
    parts = [p.strip().split("[")[0] for p in text.split("|")]
    base = next((_KINDS[p] for p in parts if p in _KINDS), str)
    return base, "None" in parts


def _coerce(case: usecases.UseCase, args: dict[str, Any], *, from_query: bool) -> dict[str, Any]:
    params = case.params()
    unknown = sorted(set(args) - set(params))
    if unknown:
        raise InvalidInput("unknown argument(s) for {use_case}: {names}", use_case=case.name,
                           names=", ".join(unknown))
    out: dict[str, Any] = {}
    for name, param in params.items():
        if name not in args:
            if param.default is param.empty:
                raise InvalidInput("{use_case} needs the argument {name}", use_case=case.name,
                                   name=name)
            continue
        base, nullable = _kind(param.annotation)
        value = args[name]
        if value is None and nullable:
            out[name] = None
            continue
        if isinstance(value, str) and base is not str and (from_query or name in
                                                           case.path_params):
            value = _from_text(value, base, name)
        if base is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, base) or (base is int and isinstance(value, bool)):
            raise InvalidInput("argument {name} must be {kind}", name=name, kind=_SCHEMA[base])
        out[name] = value
    return out


def _from_text(text: str, base: type, name: str) -> Any:
    try:
        if base is bool:
            if text.lower() in ("true", "1", "yes"):
                return True
            if text.lower() in ("false", "0", "no"):
                return False
            raise ValueError
        if base in (int, float):
            return base(text)
    except ValueError:
        pass
    raise InvalidInput("argument {name} must be {kind}", name=name,
                       kind=_SCHEMA.get(base, "string"))


def _openapi(case: usecases.UseCase) -> dict[str, Any]:
    parameters, properties, required = [], {}, []
    for name, param in case.params().items():
        base, nullable = _kind(param.annotation)
        schema: dict[str, Any] = {"type": _SCHEMA[base]}
        must = param.default is param.empty
        if name in case.path_params:
            parameters.append({"name": name, "in": "path", "required": True,
                               "schema": schema})
        elif case.method == "GET":
            parameters.append({"name": name, "in": "query", "required": must,
                               "schema": schema})
        else:
            properties[name] = schema | ({"nullable": True} if nullable else {})
            if must:
                required.append(name)
    extra: dict[str, Any] = {"parameters": parameters}
    if case.method != "GET":
        extra["requestBody"] = {"required": bool(required), "content": {"application/json": {
            "schema": {"type": "object", "properties": properties, "required": required,
                       "additionalProperties": False}}}}
    if not case.public:
        extra["security"] = [{"bearer": []}]
    return extra


def _endpoint(case: usecases.UseCase) -> Any:
    async def endpoint(request: Request) -> JSONResponse:
        args: dict[str, Any] = dict(request.path_params)
        if case.method == "GET":
            args.update(request.query_params)
        else:
            args.update(await json_body(request))  # path arguments cannot be overridden
            args.update(request.path_params)
        app = the_app(request)

        def work() -> Any:
            actor = None if case.public else current_actor(request)  # 401 before 422
            return case.run(app, actor, **_coerce(case, args, from_query=case.method == "GET"))

        return respond(request, await run_in_threadpool(work))

    endpoint.__name__ = case.name.replace(".", "_").replace("-", "_")
    return endpoint


for _case in usecases.REGISTRY.values():
    router.add_api_route(_case.path, _endpoint(_case), methods=[_case.method],
                         summary=_case.summary, name=_case.name, openapi_extra=_openapi(_case),
                         operation_id=_case.name)
