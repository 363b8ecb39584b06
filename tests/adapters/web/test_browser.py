"""The board in a real browser: Debian's Chromium driven by Playwright against a real
``caseflow serve`` process on 127.0.0.1, at a phone's 390×844 and a desk's 1280×800.

A member signs in and closes an order with a site photo; a supervisor signs it off
and sends another closure back, each through its confirmation page. No page may
scroll sideways. Screenshots go to the test's directory, and also to
``$CASEFLOW_SCREENSHOTS`` when set (docs/screenshots/ holds the committed ones).

Chromium is a system package (.ci/run installs it): when it is missing these tests
fail, they never skip.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from caseflow.services import clearlist, tickets
from caseflow.services.app import App
from tests.adapters.web.conftest import AFTER_DUE, PASSWORD, SCRIPT_TITLE, Board, jpeg

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
VIEWPORTS = {"phone": (390, 844), "desk": (1280, 800)}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def server(app: App, board: Board, tmp_path: Path) -> Iterator[str]:
    """``caseflow serve`` in its own process on the test database."""
    port = free_port()
    env = dict(os.environ, CASEFLOW_FAKE_NOW=AFTER_DUE.isoformat(),
               XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_DATA_HOME=str(tmp_path / "data"))
    for name in ("CASEFLOW_CONFIG", "CASEFLOW_DATABASE_URL", "CASEFLOW_SERVER"):
        env.pop(name, None)
    log = (tmp_path / "server.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "caseflow.adapters.cli.main", "--db",
         app.settings.database_url, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None, (tmp_path / "server.log").read_text()
            assert time.monotonic() < deadline, "the server did not answer within 60 s"
            time.sleep(0.2)
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    assert Path(CHROMIUM).exists(), (
        "Chromium is not installed: run .ci/run (apt-get install chromium fonts-noto-cjk)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Shots:
    def __init__(self, folder: Path, size: str) -> None:
        self.folder = folder
        self.size = size
        extra = os.environ.get("CASEFLOW_SCREENSHOTS")
        self.extra = Path(extra) if extra else None

    def take(self, page: Any, name: str) -> None:
        """Save the whole page, and check it does not scroll sideways."""
        path = self.folder / f"board-{name}-{self.size}.png"
        page.screenshot(path=str(path), full_page=True)
        if self.extra is not None:
            self.extra.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, self.extra / path.name)
        wide, inner = page.evaluate(
            "[document.scrollingElement.scrollWidth, window.innerWidth]")
        assert wide <= inner, f"{name} at {self.size} scrolls sideways ({wide} > {inner})"


def sign_in(page: Any, base: str, login: str, wanted: str = "/") -> None:
    page.goto(base + wanted)
    assert "/sign-in" in page.url  # no session: the sign-in first
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.stack button[type=submit]")
    page.wait_for_load_state()


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_close_with_a_photo_then_sign_off_and_send_back(
        browser: Any, server: str, app: App, board: Board, size: str, tmp_path: Path) -> None:
    width, height = VIEWPORTS[size]
    shots = Shots(tmp_path, size)
    dialogs: list[str] = []

    # a member on the phone: their queue, then the order, closed with a site photo
    member = browser.new_context(viewport={"width": width, "height": height},
                                 locale="zh-CN", device_scale_factor=1)
    page = member.new_page()
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(server + "/clearlist")
    shots.take(page, "sign-in")
    sign_in(page, server, "zhang")
    assert page.locator("h1").inner_text() == "我的工单"
    assert page.get_by_text(SCRIPT_TITLE, exact=False).count() == 1  # shown as text
    overdue = page.locator(".card.overdue .due").first
    assert overdue.evaluate("e => getComputedStyle(e).color") == "rgb(198, 40, 40)"
    shots.take(page, "member-queue")
    page.click(f"a[href='/tickets/{board.survey}']")
    assert page.locator("input[type=file][capture]").get_attribute("accept") == "image/*"
    page.fill("textarea[name=note]", "已入户摸清权属：土地属定溪村集体，厂房为企业自建")
    photo = tmp_path / "现场照片.jpg"
    photo.write_bytes(jpeg())
    page.set_input_files("input[type=file][name=files]", str(photo))
    page.click("form[action$='/close'] button[type=submit]")
    page.wait_for_load_state()
    assert "已办结" in page.locator(".done").inner_text()
    thumb = page.locator(".thumbs img").first
    assert thumb.evaluate("img => img.complete && img.naturalWidth > 0")
    shots.take(page, "order-closed")
    member.close()
    assert tickets.show_ticket(app, board.survey).status == "closed"

    # a supervisor: the list, sign one item off, send the other back
    reviewer = browser.new_context(viewport={"width": width, "height": height},
                                   locale="zh-CN", device_scale_factor=1)
    page = reviewer.new_page()
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    sign_in(page, server, "sup", "/")
    assert page.url.endswith("/clearlist")
    assert "还剩 2 项" in page.locator(".left").inner_text()
    shots.take(page, "clearlist")
    page.click(f"a[href='/clearlist/{board.entry}/signoff']")
    assert page.locator(".thumbs img").count() == 1  # the member's photo, before deciding
    shots.take(page, "confirm-signoff")
    page.fill("textarea[name=note]", "已现场核查，照片与权属材料一致")
    page.click("form[action$='/signoff'] button[type=submit]")
    page.wait_for_load_state()
    assert "已销号" in page.locator(".done").inner_text()
    assert "还剩 1 项" in page.locator(".left").inner_text()
    page.click(f"a[href='/clearlist/{board.other_entry}/reject']")
    page.fill("textarea[name=reason]", "缺少村集体盖章的确认书")
    shots.take(page, "confirm-reject")
    page.click("form[action$='/reject'] button[type=submit]")
    page.wait_for_load_state()
    assert "已退回" in page.locator(".done").inner_text()
    shots.take(page, "after-decisions")
    page.goto(server + "/ranking?week=2026-W12")
    shots.take(page, "ranking")
    page.goto(server + "/progress")
    page.wait_for_load_state("networkidle")
    assert page.locator("img.chart").evaluate("img => img.naturalWidth > 0")
    shots.take(page, "progress")
    page.goto(server + "/clearlist/print")
    shots.take(page, "print")
    reviewer.close()

    assert dialogs == []  # no script ran
    assert clearlist.show_entry(app, board.entry).status == "signed_off"
    assert clearlist.show_entry(app, board.other_entry).status == "open"
    assert tickets.show_ticket(app, board.other_survey).status == "open"
