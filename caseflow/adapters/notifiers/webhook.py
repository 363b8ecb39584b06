"""An HTTP webhook posting JSON with httpx, shaped for town messaging bots.

WeCom- and DingTalk-style group bots accept ``{"msgtype": "text", "text": {"content": ...}}``
and ignore extra keys, so one body serves both a bot and a town's own endpoint, which
finds the structured alert under ``"caseflow"``. Such bots answer HTTP 200 even when
they refuse a message and put the reason in ``errcode``/``errmsg``; a non-zero
``errcode`` is therefore a failed delivery too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from caseflow.adapters.notifiers.base import DeliveryError
from caseflow.adapters.notifiers.message import AlertMessage

# Statuses worth retrying besides 5xx: request timeout and rate limiting.
RETRYABLE_STATUSES = frozenset({408, 425, 429})
# Bot error codes meaning "too many messages, slow down" (WeCom 45009, DingTalk 130101).
RATE_LIMIT_ERRCODES = frozenset({45009, 130101})


def webhook_body(message: AlertMessage) -> dict[str, Any]:
    """The JSON document posted for ``message``."""
    return {
        "msgtype": "text",
        "text": {"content": f"{message.subject}\n{message.body}"},
        "caseflow": {
            "alert_id": message.alert_id,
            "kind": message.kind,
            "recipient": {
                "login": message.recipient_login,
                "name": message.recipient_name,
                "email": message.recipient_email,
            },
            "subject": message.subject,
            "payload": message.payload,
        },
    }


def idempotency_key(alert_id: int) -> str:
    """The key a receiver can use to drop a retried alert it already has."""
    return f"caseflow-alert-{alert_id}"


class WebhookChannel:
    """Posts each alert as JSON to ``url``; one httpx.Client (connection pool) until close()."""

    name = "webhook"

    def __init__(
        self,
        url: str,
        timeout: float = 10.0,
        headers: Mapping[str, str] | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.url = url
        self.timeout = timeout
        self._client = httpx.Client(
            timeout=timeout,
            headers={"User-Agent": "caseflow-alerts", **dict(headers or {})},
            transport=transport,
        )

    def send(self, message: AlertMessage) -> None:
        try:
            response = self._client.post(
                self.url,
                json=webhook_body(message),
                headers={"Idempotency-Key": idempotency_key(message.alert_id)},
            )
        except httpx.TransportError as exc:
            # Refused connections, timeouts, resets, proxy and protocol failures.
            raise DeliveryError(
                f"webhook {self.url} unreachable: {exc.__class__.__name__}: {exc}",
                retryable=True,
                channel=self.name,
            ) from exc
        except httpx.HTTPError as exc:
            raise DeliveryError(
                f"webhook {self.url} failed: {exc.__class__.__name__}: {exc}",
                retryable=True,
                channel=self.name,
            ) from exc
        except (TypeError, ValueError) as exc:
            raise DeliveryError(
                f"alert {message.alert_id} payload is not JSON-able: {exc}",
                retryable=False,
                channel=self.name,
            ) from exc
        self._check(response)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> WebhookChannel:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _check(self, response: httpx.Response) -> None:
        status = response.status_code
        if not 200 <= status < 300:
            raise DeliveryError(
                f"webhook {self.url} answered {status} {_snippet(response)}",
                retryable=status >= 500 or status in RETRYABLE_STATUSES,
                channel=self.name,
            )
        errcode, errmsg = _bot_error(response)
        if errcode:
            raise DeliveryError(
                f"webhook {self.url} refused the message: errcode {errcode} {errmsg}",
                retryable=errcode in RATE_LIMIT_ERRCODES,
                channel=self.name,
            )


def _bot_error(response: httpx.Response) -> tuple[int, str]:
    """``(errcode, errmsg)`` from a bot-style JSON answer; ``(0, "")`` for anything else."""
    if "json" not in response.headers.get("content-type", ""):
        return 0, ""
    try:
        data = response.json()
    except ValueError:
        return 0, ""
    if not isinstance(data, dict):
        return 0, ""
    errcode = data.get("errcode", 0)
    if not isinstance(errcode, int) or isinstance(errcode, bool):
        return 0, ""
    return errcode, str(data.get("errmsg", ""))


def _snippet(response: httpx.Response, limit: int = 200) -> str:
    text = " ".join(response.text.split())
    return text[:limit] + ("…" if len(text) > limit else "")
