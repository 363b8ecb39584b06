"""A real HTTP server on 127.0.0.1 for tests, recording every POST it receives.

Answers 200 with a bot-style ``{"errcode": 0, "errmsg": "ok"}`` unless told otherwise
with ``answer_next``; ``delay`` makes it slow (for timeouts); stop() and start()
stage an outage on the same port.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

HOST = "127.0.0.1"
OK_BODY: dict[str, Any] = {"errcode": 0, "errmsg": "ok"}


@dataclass(frozen=True)
class ReceivedRequest:
    method: str
    path: str
    headers: dict[str, str]  # names lower-cased
    body: bytes
    status: int  # what the server answered

    @property
    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))


class WebhookServer:
    """ThreadingHTTPServer in a thread; ``requests`` holds every request, answered or failed."""

    def __init__(self, path: str = "/hook") -> None:
        self.path = path
        self.port = 0
        self.requests: list[ReceivedRequest] = []
        self.delay = 0.0
        self._replies: deque[tuple[int, Any]] = deque()
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        assert self.port, "start() the server first"
        return f"http://{HOST}:{self.port}{self.path}"

    @property
    def delivered(self) -> list[ReceivedRequest]:
        """The requests answered with a 2xx status."""
        return [r for r in self.requests if 200 <= r.status < 300]

    def answer_next(self, status: int, body: Any = None, times: int = 1) -> None:
        """Answer the next ``times`` requests with ``status`` and JSON ``body``."""
        with self._lock:
            self._replies.extend([(status, body)] * times)

    def start(self) -> WebhookServer:
        """Listen (again): on an ephemeral port the first time, then on the same one."""
        if self._httpd is not None:
            return self
        self._httpd = ThreadingHTTPServer((HOST, self.port), self._handler_class())
        self.port = int(self._httpd.server_address[1])
        self._thread = threading.Thread(target=self._httpd.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening; connections are then refused until start()."""
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def _next_reply(self) -> tuple[int, Any]:
        with self._lock:
            return self._replies.popleft() if self._replies else (200, OK_BODY)

    def _record(self, request: ReceivedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                status, reply = server._next_reply()
                server._record(ReceivedRequest(
                    method="POST", path=self.path,
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=body, status=status,
                ))
                if server.delay:
                    time.sleep(server.delay)
                payload = json.dumps(reply if reply is not None else OK_BODY).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass  # keep test output quiet

        return Handler
