"""A headless Chromium driven over the DevTools protocol, logged in to the test server.

Used by the screen tests: open a page of the web client, wait until what a user would see
is there, read it (``evaluate``) and save a screenshot for the reviewer. No Selenium nor
Playwright: Chromium's own protocol over ``websocket-client``.
"""

from __future__ import annotations

import base64
import itertools
import json
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import websocket

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "chrome")
START_TIMEOUT = 30.0


class BrowserError(AssertionError):
    """The page did not show what the test waited for (message says what and where)."""


def find_browser() -> str | None:
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    return None


class Browser:
    """One headless Chromium tab with the session cookie of a logged-in user."""

    def __init__(self, executable: str, width: int = 1600, height: int = 1000):
        self._profile = tempfile.mkdtemp(prefix="med-aps-chromium-")
        self._process = subprocess.Popen(
            [
                executable,
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--remote-debugging-port=0",
                f"--user-data-dir={self._profile}",
                f"--window-size={width},{height}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self._ids = itertools.count(1)
        self._socket = websocket.create_connection(self._page_socket_url(), timeout=60)
        self._call("Page.enable")
        self._call("Runtime.enable")
        self._call(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=False,
        )

    def _page_socket_url(self) -> str:
        port_file = Path(self._profile) / "DevToolsActivePort"
        deadline = time.monotonic() + START_TIMEOUT
        while not port_file.exists() or not port_file.read_text().strip():
            if self._process.poll() is not None or time.monotonic() > deadline:
                raise BrowserError("Chromium did not start (no DevTools port)")
            time.sleep(0.1)
        port = int(port_file.read_text().split()[0])
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list") as answer:
                    targets = json.load(answer)
            except OSError:
                targets = []
            pages = [t for t in targets if t.get("type") == "page"]
            if pages:
                return pages[0]["webSocketDebuggerUrl"]
            if time.monotonic() > deadline:
                raise BrowserError("Chromium opened no page")
            time.sleep(0.1)

    def _call(self, method: str, **params):
        call_id = next(self._ids)
        self._socket.send(json.dumps({"id": call_id, "method": method, "params": params}))
        while True:
            message = json.loads(self._socket.recv())
            if message.get("id") == call_id:
                if "error" in message:
                    raise BrowserError(f"{method}: {message['error']}")
                return message.get("result", {})

    def set_session(self, base_url: str, session_id: str) -> None:
        self._call("Network.enable")
        self._call("Network.setCookie", name="session_id", value=session_id, url=base_url)

    def goto(self, url: str) -> None:
        self._call("Page.navigate", url=url)

    def evaluate(self, expression: str):
        result = self._call(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        if "exceptionDetails" in result:
            raise BrowserError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, selector: str, timeout: float = 30.0, what: str = "") -> None:
        """Wait until ``selector`` matches a visible element."""
        check = (
            "(() => { const el = document.querySelector(%s);"
            " return Boolean(el && el.getClientRects().length); })()" % json.dumps(selector)
        )
        deadline = time.monotonic() + timeout
        while not self.evaluate(check):
            if time.monotonic() > deadline:
                url = self.evaluate("window.location.href")
                raise BrowserError(f"{what or selector}: not shown after {timeout:.0f} s on {url}")
            time.sleep(0.25)

    def texts(self, selector: str) -> list[str]:
        return self.evaluate(
            "[...document.querySelectorAll(%s)].map((el) => el.textContent.trim())"
            % json.dumps(selector)
        )

    def screenshot(self, path: Path) -> Path:
        # let charts and the timeline finish their animation
        time.sleep(0.8)
        data = self._call("Page.captureScreenshot", format="png")["data"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
        return path

    def close(self) -> None:
        try:
            self._socket.close()
        finally:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
            shutil.rmtree(self._profile, ignore_errors=True)
