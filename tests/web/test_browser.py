"""`tutor web` in a real headless Chromium: the page loads, shows Home, and a mode key opens Lessons."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tutor.content import load_catalog

pytestmark = pytest.mark.e2e

# Chromium's own switches that stop update checks, field trials, sync and other background requests.
QUIET_CHROMIUM = [
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--no-first-run",
    "--metrics-recording-only",
    "--disable-domain-reliability",
    "--no-sandbox",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_browser_sees_home_then_lessons(tutor_home: Path, tmp_path: Path) -> None:
    chromium = shutil.which("chromium")
    if chromium is None:
        if os.environ.get("CI") == "true":  # CI must run this test, never skip it silently
            pytest.fail("chromium is not installed; .ci/run should have installed it")
        pytest.skip("chromium is not installed (.ci/run installs it)")
    playwright = pytest.importorskip("playwright.sync_api")
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "tutor", "web", "--port", str(port)],
        env={**os.environ, "TUTOR_HOME": str(tutor_home)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert server.stdout is not None
        assert "serving the study app" in server.stdout.readline()
        received: list[str] = []  # what the app sent to the page's terminal, decoded

        def on_frame(payload: str | bytes) -> None:
            received.append(payload.decode("utf-8", "replace") if isinstance(payload, bytes) else payload)

        with playwright.sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, args=QUIET_CHROMIUM)
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.on("websocket", lambda ws: ws.on("framereceived", on_frame))
            for _ in range(100):  # textual-serve's aiohttp may need a moment after printing its banner
                try:
                    page.goto(f"http://127.0.0.1:{port}/")
                    break
                except playwright.Error:
                    page.wait_for_timeout(200)
            page.wait_for_selector(".xterm-screen")

            def wait_for_text(text: str) -> None:
                for _ in range(600):  # poll what has been drawn; generous for a busy machine
                    if text in "".join(received):
                        return
                    page.wait_for_timeout(100)
                raise AssertionError(f"{text!r} was never drawn")

            wait_for_text("Welcome to aws-tutor")
            page.screenshot(path=str(tmp_path / "home.png"))
            received.clear()
            page.locator(".xterm-screen").click()
            page.keyboard.press("l")
            first = next(iter(load_catalog().lessons.values()))
            wait_for_text(first.title[:20])
            page.screenshot(path=os.environ.get("TUTOR_WEB_SCREENSHOT", str(tmp_path / "lessons.png")))
            browser.close()
    finally:
        server.terminate()
        server.wait()
