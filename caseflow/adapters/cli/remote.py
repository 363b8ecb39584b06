"""Remote mode: the command as a client of the town server.

A server is configured by ``caseflow login`` (saved with the token in
``$XDG_CONFIG_HOME/caseflow/session.json``, mode 0600), by ``CASEFLOW_SERVER``, or by
``server = "https://..."`` in the config file. Then every use case goes to the
server, which checks the token, the permissions and the input and writes the audit;
the command prints the answer exactly as it prints a local result.

Only the standard library's ``http.client`` is used here, so a remote
``ticket list --mine`` loads neither SQLAlchemy nor an HTTP library.
"""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from caseflow.errors import CaseflowError, ConfigError

SESSION_FILE = "session.json"
API = "/api/v1"
TIMEOUT = 30.0


class RemoteError(CaseflowError):
    """What the server refused, in its words (already in the caller's language)."""

    def __init__(self, message: str, *, hint: str | None = None, status: int = 0) -> None:
        super().__init__(message, hint=hint)
        self.status = status
        self._text, self._hint = message, hint

    def render(self, lang: str | None = None) -> str:
        return self._text

    def render_hint(self, lang: str | None = None) -> str | None:
        return self._hint


class Unreachable(CaseflowError):
    """The server cannot be reached, or answered something that is not caseflow's."""


class NotLoggedIn(CaseflowError):
    """A server is configured but this user has not signed in to it."""


@dataclass
class Session:
    server: str
    token: str | None = None
    login: str | None = None
    token_id: int | None = None
    lang: str | None = None

    def __repr__(self) -> str:  # the token never reaches a log or a traceback
        return f"Session(server={self.server!r}, login={self.login!r})"


def config_dir(env: Any = None) -> Path:
    env = os.environ if env is None else env
    base = env.get("XDG_CONFIG_HOME")
    return (Path(base) if base else Path.home() / ".config") / "caseflow"


def session_path() -> Path:
    return config_dir() / SESSION_FILE


def normalize_server(url: str) -> str:
    url = url.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError("{url} is not a server URL", url=url,
                          hint="e.g. https://caseflow.town.gov.cn")
    return url


def saved() -> Session | None:
    path = session_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, NotADirectoryError):
        return None
    except (OSError, ValueError) as exc:
        raise ConfigError("{path}: cannot be read ({problem})", path=str(path),
                          problem=exc.__class__.__name__,
                          hint="run `caseflow login` again") from None
    if not isinstance(data, dict) or not isinstance(data.get("server"), str):
        raise ConfigError("{path}: not a caseflow session", path=str(path),
                          hint="run `caseflow login` again")
    return Session(data["server"], data.get("token"), data.get("login"), data.get("token_id"),
                   data.get("lang"))


def save(session: Session) -> Path:
    """Write the session readable by its owner only (0600), atomically."""
    path = session_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump({"server": session.server, "login": session.login, "token": session.token,
                   "token_id": session.token_id, "lang": session.lang}, fh)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
    return path


def forget() -> None:
    session_path().unlink(missing_ok=True)


def _configured_server() -> str | None:
    """``CASEFLOW_SERVER``, else ``server`` in the config file."""
    if os.environ.get("CASEFLOW_SERVER"):
        return normalize_server(os.environ["CASEFLOW_SERVER"])
    path = Path(os.environ["CASEFLOW_CONFIG"]) if os.environ.get("CASEFLOW_CONFIG") \
        else config_dir() / "config.toml"
    if not path.is_file():
        return None
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError):
        return None  # the local settings loader reports a broken file in its own words
    server = data.get("server")
    return normalize_server(server) if isinstance(server, str) and server.strip() else None


def active() -> Session | None:
    """The server this command talks to, with the saved token when it is the same
    server; None: local mode."""
    configured = _configured_server()
    session = saved()
    if configured is None:
        return session
    if session is not None and session.server == configured:
        return session
    return Session(configured)


class Client:
    def __init__(self, session: Session, lang: str) -> None:
        self.session = session
        self.lang = lang

    def request(self, method: str, path: str, *, query: dict[str, Any] | None = None,
                body: dict[str, Any] | None = None, auth: bool = True) -> Any:
        import http.client

        parts = urlsplit(self.session.server)
        if auth and not self.session.token:
            raise NotLoggedIn("not signed in to {server}", server=self.session.server,
                              hint="run `caseflow login`")
        conn_class = http.client.HTTPSConnection if parts.scheme == "https" \
            else http.client.HTTPConnection
        conn = conn_class(parts.hostname or "", parts.port, timeout=TIMEOUT)
        target = parts.path.rstrip("/") + API + path
        if query:
            target += "?" + urlencode({k: _query_value(v) for k, v in query.items()
                                       if v is not None})
        headers = {"Accept": "application/json", "Accept-Language": self.lang,
                   "User-Agent": "caseflow-cli"}
        payload = None
        if body is not None:
            payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
            headers["Content-Type"] = "application/json"
        if auth:
            headers["Authorization"] = f"Bearer {self.session.token}"
        try:
            conn.request(method, target, body=payload, headers=headers)
            response = conn.getresponse()
            raw = response.read()
        except OSError as exc:
            raise Unreachable("cannot reach the server {server}: {problem}",
                              server=self.session.server,
                              problem=exc.strerror or exc.__class__.__name__,
                              hint="check the address, or ask whoever runs the server") from None
        finally:
            conn.close()
        try:
            data = json.loads(raw) if raw else None
        except ValueError:
            data = None
        if response.status >= 400:
            if isinstance(data, dict) and "error" in data:
                raise RemoteError(str(data["error"]), hint=data.get("hint"),
                                  status=response.status)
            raise Unreachable("the server answered {status} {reason}",
                              status=response.status, reason=response.reason)
        return data

    def call(self, case: Any, args: dict[str, Any]) -> Any:
        path, rest = case.url(args)
        if case.method == "GET":
            return self.request("GET", path, query=rest, auth=not case.public)
        return self.request(case.method, path, body=rest, auth=not case.public)


def _query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
