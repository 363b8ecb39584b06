"""Alert channels against real servers on 127.0.0.1: aiosmtpd for e-mail, http.server for
the webhook. Outages are real too: the server is stopped, then started on the same port."""

from __future__ import annotations

import logging
import ssl
import tomllib
from datetime import UTC, datetime, timedelta
from email.headerregistry import Address
from pathlib import Path

import pytest

from caseflow.adapters.notifiers import (
    AlertMessage,
    AlertSettings,
    DeliveryError,
    LogChannel,
    SmtpChannel,
    WebhookChannel,
    build_channels,
    close_channels,
    load_alert_settings,
)
from caseflow.clock import FixedClock
from caseflow.errors import ConfigError
from tests.support.mail_server import MailServer
from tests.support.webhook_server import WebhookServer

SUBJECT = "【督办】三级：东风村低效厂房整治超期 7 个工作日"
BODY = (
    "张三同志：\n"
    "工单 #42「东风村 3 号厂房腾退」已超过办结时限 7 个工作日，\n"
    "已列入清零清单（挂牌督办），请尽快办结并报送销号材料。\n"
)


def alert(
    alert_id: int = 42,
    *,
    email: str | None = "zhangsan@town.example",
    kind: str = "escalation",
    payload: dict | None = None,
) -> AlertMessage:
    return AlertMessage(
        alert_id=alert_id,
        kind=kind,
        recipient_login="zhangsan",
        recipient_name="张三",
        recipient_email=email,
        subject=SUBJECT,
        body=BODY,
        payload=payload if payload is not None else {
            "ticket_id": 42, "case_id": 7, "level": 3, "title": "东风村 3 号厂房腾退",
            "due_at": "2026-03-02T10:00:00+00:00",
        },
    )


def smtp_channel(server: MailServer, **kwargs: object) -> SmtpChannel:
    clock = FixedClock(datetime(2026, 3, 11, 0, 30, tzinfo=UTC))
    return SmtpChannel("127.0.0.1", server.port, "caseflow@town.example", timeout=2.0,
                       clock=clock, **kwargs)  # type: ignore[arg-type]


# --- e-mail ------------------------------------------------------------------------------


def test_email_arrives_with_chinese_subject_body_and_names_decoded(mail_server: MailServer):
    smtp_channel(mail_server).send(alert())

    [mail] = mail_server.messages
    assert mail.rcpt_tos == ["zhangsan@town.example"]
    assert mail.mail_from == "caseflow@town.example"
    assert mail.message["Subject"] == SUBJECT
    assert mail.text == BODY
    [sender] = mail.message["From"].addresses
    assert (sender.display_name, sender.addr_spec) == ("caseflow 工改督办", "caseflow@town.example")
    [to] = mail.message["To"].addresses
    assert (to.display_name, to.addr_spec) == ("张三", "zhangsan@town.example")
    # On the wire everything is 7-bit: RFC 2047 encoded-words in headers, base64 body.
    assert mail.raw.isascii()
    assert b"=?utf-8?" in mail.raw.lower()
    assert mail.message.get_content_charset() == "utf-8"
    assert mail.message["X-Caseflow-Alert-Id"] == "42"
    # The date comes from the injected clock, shown in Shanghai time.
    assert mail.message["Date"].datetime == datetime(2026, 3, 11, 0, 30, tzinfo=UTC)
    assert mail.message["Date"].datetime.utcoffset() == timedelta(hours=8)


def test_email_to_user_without_address_is_not_retryable(mail_server: MailServer):
    with pytest.raises(DeliveryError) as caught:
        smtp_channel(mail_server).send(alert(email=None))

    assert caught.value.retryable is False
    assert "zhangsan" in str(caught.value) and "--email" in str(caught.value)
    assert mail_server.messages == []


def test_email_to_malformed_address_is_not_retryable(mail_server: MailServer):
    with pytest.raises(DeliveryError) as caught:
        smtp_channel(mail_server).send(alert(email="zhangsan@"))
    assert caught.value.retryable is False
    assert mail_server.messages == []


def test_email_outage_is_retryable_and_recovery_delivers(mail_server: MailServer):
    channel = smtp_channel(mail_server)
    mail_server.stop()

    with pytest.raises(DeliveryError) as caught:
        channel.send(alert(1))
    assert caught.value.retryable is True
    assert caught.value.channel == "email"

    mail_server.start()
    channel.send(alert(1))
    assert [m.message["X-Caseflow-Alert-Id"] for m in mail_server.messages] == ["1"]


@pytest.mark.parametrize(
    ("reply", "retryable"),
    [("550 5.1.1 No such user", False), ("450 4.2.1 Mailbox busy, try later", True)],
)
def test_email_refused_recipient_retries_only_transient_refusals(
    mail_server: MailServer, reply: str, retryable: bool
):
    mail_server.refuse_recipients["zhangsan@town.example"] = reply

    with pytest.raises(DeliveryError) as caught:
        smtp_channel(mail_server).send(alert())

    assert caught.value.retryable is retryable
    assert reply.split()[0] in str(caught.value)
    assert mail_server.messages == []


def test_email_rejected_message_is_not_retryable(mail_server: MailServer):
    mail_server.data_reply = "554 5.7.1 Message rejected as spam"
    with pytest.raises(DeliveryError) as caught:
        smtp_channel(mail_server).send(alert())
    assert caught.value.retryable is False


def test_email_logs_in_when_credentials_are_configured():
    server = MailServer(credentials={"caseflow": "s3cret"}).start()
    try:
        smtp_channel(server, username="caseflow", password="s3cret").send(alert())
        assert [m.login for m in server.messages] == ["caseflow"]

        with pytest.raises(DeliveryError) as caught:
            smtp_channel(server, username="caseflow", password="wrong").send(alert())
        assert caught.value.retryable is False  # 535: fix the configuration first
        assert len(server.messages) == 1
    finally:
        server.stop()


def test_email_starttls_delivers_to_a_verified_server(tls_cert: tuple[Path, Path]):
    server = MailServer(tls_cert=tls_cert).start()
    try:
        trusted = ssl.create_default_context(cafile=str(tls_cert[0]))
        smtp_channel(server, starttls=True, tls_context=trusted).send(alert())
        assert [m.message["Subject"] for m in server.messages] == [SUBJECT]

        # The system trust store does not know the self-signed certificate.
        with pytest.raises(DeliveryError) as untrusted:
            smtp_channel(server, starttls=True).send(alert())
        assert untrusted.value.retryable is False
        assert "certificate" in str(untrusted.value)

        # The server insists on STARTTLS (530) and the channel was not told to use it.
        with pytest.raises(DeliveryError) as plain:
            smtp_channel(server).send(alert())
        assert plain.value.retryable is False
        assert len(server.messages) == 1
    finally:
        server.stop()


# --- webhook -----------------------------------------------------------------------------


def test_webhook_posts_bot_text_and_the_structured_alert(webhook_server: WebhookServer):
    with WebhookChannel(webhook_server.url, timeout=2.0,
                        headers={"Authorization": "Bearer town-token"}) as channel:
        channel.send(alert())

    [request] = webhook_server.requests
    assert request.method == "POST" and request.path == "/hook"
    assert request.headers["idempotency-key"] == "caseflow-alert-42"
    assert request.headers["authorization"] == "Bearer town-token"
    assert request.headers["content-type"].startswith("application/json")
    doc = request.json
    assert doc["msgtype"] == "text"
    assert doc["text"] == {"content": SUBJECT + "\n" + BODY}
    assert doc["caseflow"]["alert_id"] == 42
    assert doc["caseflow"]["kind"] == "escalation"
    assert doc["caseflow"]["recipient"] == {
        "login": "zhangsan", "name": "张三", "email": "zhangsan@town.example",
    }
    assert doc["caseflow"]["payload"] == alert().payload


@pytest.mark.parametrize(
    ("status", "retryable"), [(500, True), (503, True), (429, True), (400, False), (404, False)]
)
def test_webhook_error_statuses(webhook_server: WebhookServer, status: int, retryable: bool):
    webhook_server.answer_next(status, {"error": "nope"})
    with WebhookChannel(webhook_server.url, timeout=2.0) as channel:
        with pytest.raises(DeliveryError) as caught:
            channel.send(alert())
        assert caught.value.retryable is retryable
        assert str(status) in str(caught.value)

        # The next attempt meets a healthy server and goes through.
        channel.send(alert())
    assert [r.status for r in webhook_server.requests] == [status, 200]


@pytest.mark.parametrize(("errcode", "retryable"), [(93000, False), (45009, True)])
def test_webhook_bot_refusal_inside_http_200_is_a_failure(
    webhook_server: WebhookServer, errcode: int, retryable: bool
):
    webhook_server.answer_next(200, {"errcode": errcode, "errmsg": "refused"})
    with (
        WebhookChannel(webhook_server.url, timeout=2.0) as channel,
        pytest.raises(DeliveryError) as caught,
    ):
        channel.send(alert())
    assert caught.value.retryable is retryable
    assert str(errcode) in str(caught.value)


def test_webhook_outage_is_retryable_and_recovery_delivers(webhook_server: WebhookServer):
    with WebhookChannel(webhook_server.url, timeout=2.0) as channel:
        channel.send(alert(1))
        webhook_server.stop()

        with pytest.raises(DeliveryError) as caught:
            channel.send(alert(2))
        assert caught.value.retryable is True
        assert caught.value.channel == "webhook"

        webhook_server.start()
        channel.send(alert(2))
    keys = [r.headers["idempotency-key"] for r in webhook_server.delivered]
    assert keys == ["caseflow-alert-1", "caseflow-alert-2"]


def test_webhook_timeout_is_retryable(webhook_server: WebhookServer):
    webhook_server.delay = 0.5
    with (
        WebhookChannel(webhook_server.url, timeout=0.1) as channel,
        pytest.raises(DeliveryError) as caught,
    ):
        channel.send(alert())
    assert caught.value.retryable is True


def test_webhook_payload_that_is_not_json_is_not_retryable(webhook_server: WebhookServer):
    with (
        WebhookChannel(webhook_server.url, timeout=2.0) as channel,
        pytest.raises(DeliveryError) as caught,
    ):
        channel.send(alert(payload={"due_at": datetime(2026, 3, 2, tzinfo=UTC)}))
    assert caught.value.retryable is False
    assert webhook_server.requests == []


# --- log ---------------------------------------------------------------------------------


def test_log_channel_writes_one_line_per_alert(caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.INFO, logger="caseflow.alerts")
    channel = LogChannel()
    channel.send(alert(7))
    channel.send(AlertMessage(8, "reminder", "lisi", "李四", None, "明天到期\n请办理", "", {}))

    lines = [r.getMessage() for r in caplog.records if r.name == "caseflow.alerts"]
    assert len(lines) == 2
    assert all("\n" not in line for line in lines)
    assert "alert 7 escalation to zhangsan" in lines[0] and "ticket=42 level=3" in lines[0]
    assert SUBJECT in lines[0]
    assert "alert 8 reminder to lisi" in lines[1] and "明天到期 请办理" in lines[1]


def test_alert_message_rejects_unknown_kind():
    with pytest.raises(ValueError, match="kind"):
        alert(kind="urgent")


# --- configuration -----------------------------------------------------------------------

FULL_CONFIG = """
[alerts]
max_attempts = 4
backoff_seconds = 30

[alerts.email]
host = "smtp.town.example"
port = 587
sender = "caseflow@town.example"
username = "caseflow"
password = "s3cret"
starttls = true

[alerts.webhook]
url = "https://bot.town.example/send?key=abc"
timeout = 5
headers = { Authorization = "Bearer t" }
"""


def test_full_config_is_read():
    settings = load_alert_settings(tomllib.loads(FULL_CONFIG))

    assert settings.max_attempts == 4 and settings.backoff_seconds == 30
    assert settings.email is not None and settings.webhook is not None
    assert (settings.email.host, settings.email.port) == ("smtp.town.example", 587)
    assert settings.email.username == "caseflow" and settings.email.password == "s3cret"
    assert settings.email.starttls is True and settings.email.timeout == 10.0
    assert "s3cret" not in repr(settings)
    assert settings.webhook.url == "https://bot.town.example/send?key=abc"
    assert settings.webhook.timeout == 5.0
    assert settings.webhook.headers == {"Authorization": "Bearer t"}
    channels = build_channels(settings)
    try:
        assert [c.name for c in channels] == ["log", "email", "webhook"]
    finally:
        close_channels(channels)


def test_no_alerts_section_means_log_only_and_default_retry_policy():
    settings = load_alert_settings({})
    assert settings == AlertSettings(email=None, webhook=None, max_attempts=6, backoff_seconds=60)
    assert [c.name for c in build_channels(settings)] == ["log"]


def test_backoff_doubles_per_attempt_and_gives_up_at_the_bound():
    settings = load_alert_settings({"alerts": {"backoff_seconds": 60, "max_attempts": 6}})
    delays = [settings.next_attempt_delay(n) for n in range(0, 6)]
    assert delays == [timedelta(0)] + [timedelta(minutes=m) for m in (1, 2, 4, 8, 16)]
    assert settings.next_attempt_delay(1000) == timedelta(days=1)
    assert [settings.gives_up(n) for n in (5, 6, 7)] == [False, True, True]


@pytest.mark.parametrize(
    ("config", "key"),
    [
        ('[alerts.email]\nhost = "h"\nsender = "a@b.example"\nport = "25"', "alerts.email.port"),
        ('[alerts.email]\nhost = "h"\nsender = "a@b.example"\nport = 70000', "alerts.email.port"),
        ('[alerts.email]\nsender = "a@b.example"', "alerts.email.host"),
        ('[alerts.email]\nhost = "h"\nsender = "caseflow"', "alerts.email.sender"),
        ('[alerts.email]\nhost = "h"\nsender = "a@b.example"\nprot = 25', "alerts.email.prot"),
        ('[alerts.email]\nhost = "h"\nsender = "a@b.example"\nstarttls = "yes"',
         "alerts.email.starttls"),
        ('[alerts.email]\nhost = "h"\nsender = "a@b.example"\npassword = "p"',
         "alerts.email.password"),
        ('[alerts.webhook]\nurl = "ftp://bot.example/x"', "alerts.webhook.url"),
        ('[alerts.webhook]\nurl = "bot.example/x"', "alerts.webhook.url"),
        ('[alerts.webhook]\nurl = "https://b.example"\ntimeout = 0', "alerts.webhook.timeout"),
        ('[alerts.webhook]\nurl = "https://b.example"\nheaders = { X = 1 }',
         "alerts.webhook.headers.X"),
        ("[alerts]\nmax_attempts = 0", "alerts.max_attempts"),
        ("[alerts]\nbackoff_seconds = -5", "alerts.backoff_seconds"),
        ('alerts = "on"', "alerts"),
    ],
)
def test_bad_settings_name_the_key_in_one_line(config: str, key: str):
    with pytest.raises(ConfigError) as caught:
        load_alert_settings(tomllib.loads(config))
    message = str(caught.value)
    assert key in message
    assert "\n" not in message


def test_built_channels_deliver_to_the_configured_servers(
    mail_server: MailServer, webhook_server: WebhookServer, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.INFO, logger="caseflow.alerts")
    settings = load_alert_settings({"alerts": {
        "email": {"host": "127.0.0.1", "port": mail_server.port,
                  "sender": "caseflow@town.example", "timeout": 2},
        "webhook": {"url": webhook_server.url, "timeout": 2},
    }})
    channels = build_channels(settings)
    try:
        for channel in channels:
            channel.send(alert(5))
    finally:
        close_channels(channels)

    assert [m.message["To"].addresses[0] for m in mail_server.messages] == [
        Address("张三", addr_spec="zhangsan@town.example")
    ]
    assert [r.json["caseflow"]["alert_id"] for r in webhook_server.delivered] == [5]
    assert any("alert 5 escalation" in r.getMessage() for r in caplog.records)
