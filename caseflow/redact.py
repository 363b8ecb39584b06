"""Secrets out of every line caseflow writes: logs, stderr, ``--json`` errors, stored
``last_error`` texts.

A DingTalk robot URL carries its token in ``?access_token=``, a WeCom one in
``?key=``, a database URL its password before the ``@``; libraries (httpx, psycopg,
smtplib) put those URLs into their exception texts and log lines. Everything that
leaves the process through an edge passes through ``mask`` first; the scheduler's
log handler applies it to every record (``SecretFilter``).
"""

from __future__ import annotations

import logging
import re
from typing import Any

MASK = "***"

# query parameters whose value is a credential (DingTalk access_token/sign, WeCom key,
# Feishu/Lark and generic token, secret, password...)
_QUERY_SECRET = re.compile(
    r"(?i)([?&;](?:access_token|token|key|apikey|api_key|secret|sign|signature|password|"
    r"passwd|pwd|auth|sig|client_secret)=)[^&#\s'\"<>]+")
# userinfo in a URL: scheme://user:password@host
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://[^/\s:@'\"<>]*:)[^@\s/'\"<>]+(@)")
# key=value connection strings and config echoes: password=..., password: ...
_KEY_VALUE = re.compile(
    r"(?i)\b((?:password|passwd|pwd|secret|token|access_token|api_key|apikey)\s*[=:]\s*)"
    r"(\"[^\"]*\"|'[^']*'|[^\s&,;'\"]+)")
# webhook URLs that carry the secret in the path
_PATH_SECRET = re.compile(
    r"(?i)(/open-apis/bot/v2/hook/|hooks\.slack\.com/services/|/api/robot/send/)[^\s?#'\"<>]+")


def mask(text: Any) -> str:
    """``text`` as a string with every credential we can recognise replaced by ``***``."""
    result = str(text)
    if not result:
        return result
    result = _QUERY_SECRET.sub(rf"\g<1>{MASK}", result)
    result = _USERINFO.sub(rf"\g<1>{MASK}\g<2>", result)
    result = _KEY_VALUE.sub(rf"\g<1>{MASK}", result)
    return _PATH_SECRET.sub(rf"\g<1>{MASK}", result)


def mask_url(url: str) -> str:
    """A URL safe to show: ``https://oapi.dingtalk.com/robot/send?access_token=***``."""
    return mask(url)


class SecretFilter(logging.Filter):
    """Masks secrets in a log record's final message (arguments included)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: leave it to the handler to report
            return True
        masked = mask(message)
        if masked != message or record.args:
            record.msg, record.args = masked, None
        if record.exc_info and record.exc_info[1] is not None and not record.exc_text:
            record.exc_text = mask(logging.Formatter().formatException(record.exc_info))
        return True


def quiet_http_logs() -> None:
    """httpx logs every request's full URL (robot keys included) at INFO: keep its
    loggers at WARNING; what caseflow itself says about a delivery is enough."""
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)
