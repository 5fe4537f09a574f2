"""Headless Chromium driven over the DevTools protocol: open an exported page, wait for its first
frame, collect console errors, take screenshots, run script. Used by the tests and benchmarks.

Software GL (SwiftShader through ANGLE) so it runs on machines without a GPU. The DevTools port
listens on loopback only; every wait is bounded.
"""

from __future__ import annotations

import base64
import io
import json
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

from renderer.errors import ProsectorError

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "chrome")
GL_FLAGS = ("--use-gl=angle", "--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--ignore-gpu-blocklist")


def find_chromium() -> str | None:
    return next((found for name in CHROMIUM_NAMES if (found := shutil.which(name))), None)


class Browser:
    """One headless Chromium with one page. Use as a context manager."""

    def __init__(self, width: int = 800, height: int = 600, timeout_s: float = 60.0, extra_flags: tuple = ()):
        import websocket  # websocket-client: the DevTools protocol runs over a WebSocket

        executable = find_chromium()
        if executable is None:
            raise ProsectorError("Chromium is not installed (Debian: apt-get install chromium)")
        self.width, self.height, self.timeout_s = width, height, timeout_s
        self._profile = tempfile.TemporaryDirectory(prefix="prosector-chromium-")
        command = [executable, "--headless=new", "--no-sandbox", "--no-first-run", "--no-default-browser-check",
                   "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
                   f"--user-data-dir={self._profile.name}", f"--window-size={width},{height}", "--hide-scrollbars",
                   "--mute-audio", *GL_FLAGS, *extra_flags, "about:blank"]  # fmt: skip
        # No --allow-file-access-from-files: the page must open from file:// as a student's browser has it.
        self._process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        port = self._devtools_port()
        pages = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10))
        page = next(p for p in pages if p.get("type") == "page")
        self._socket = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=timeout_s,
                                                   suppress_origin=True)  # fmt: skip
        self._next_id = 0
        self.console: list[dict] = []  # {"level": "error"|"warning"|..., "text": str}
        for domain in ("Runtime", "Log", "Page"):
            self.call(f"{domain}.enable")
        self.call("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1, mobile=False)

    def set_size(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.call("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1, mobile=False)

    def _devtools_port(self) -> int:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = self._process.stderr.readline()
            if not line and self._process.poll() is not None:
                break
            if "DevTools listening on ws://" in line:
                return int(line.split("ws://127.0.0.1:")[1].split("/")[0])
        self.close()
        raise ProsectorError("Chromium did not start its DevTools endpoint within 30 s")

    def call(self, method: str, **params) -> dict:
        self._next_id += 1
        ident = self._next_id
        self._socket.send(json.dumps({"id": ident, "method": method, "params": params}))
        deadline = time.monotonic() + self.timeout_s
        while time.monotonic() < deadline:
            message = json.loads(self._socket.recv())
            if message.get("id") == ident:
                if "error" in message:
                    raise ProsectorError(f"Chromium {method}: {message['error'].get('message')}")
                return message.get("result", {})
            self._event(message)
        raise ProsectorError(f"Chromium did not answer {method} within {self.timeout_s:g} s")

    def _event(self, message: dict) -> None:
        method, params = message.get("method"), message.get("params", {})
        if method == "Runtime.consoleAPICalled":
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", []))
            self.console.append({"level": params.get("type"), "text": text})
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            text = details.get("exception", {}).get("description") or details.get("text", "")
            frames = details.get("stackTrace", {}).get("callFrames", [])
            where = "".join(f"\n  at {f.get('functionName') or '?'} ({Path(f.get('url', '')).name}:"
                            f"{f.get('lineNumber')}:{f.get('columnNumber')})" for f in frames[:6])  # fmt: skip
            self.console.append({"level": "error", "text": f"uncaught: {text}{where}"})
        elif method == "Log.entryAdded":
            entry = params.get("entry", {})
            self.console.append({"level": entry.get("level"), "text": f"{entry.get('source')}: {entry.get('text')}"})

    def evaluate(self, expression: str, user_gesture: bool = False):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True,
                           userGesture=user_gesture)  # fmt: skip
        if "exceptionDetails" in result:
            raise ProsectorError(f"script failed in the page: {result['exceptionDetails'].get('text')}")
        return result.get("result", {}).get("value")

    def wait_for(self, expression: str, timeout_s: float | None = None, interval_s: float = 0.1):
        """Poll until `expression` is truthy; returns its value. Raises on timeout."""
        deadline = time.monotonic() + (timeout_s or self.timeout_s)
        while time.monotonic() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            time.sleep(interval_s)
        raise ProsectorError(f"the page did not reach `{expression}` within {timeout_s or self.timeout_s:g} s")

    def open(self, url: str) -> float:
        """Navigate and wait for the viewer's first frame; returns seconds from navigation to it."""
        started = time.monotonic()
        self.call("Page.navigate", url=url)
        self.wait_for("!!(window.prosectorViewer && (window.prosectorViewer.ready || "
                      "window.prosectorViewer.errors.length))")  # fmt: skip
        return time.monotonic() - started

    def screenshot(self):
        """(H, W, 3) uint8 of the viewport."""
        import numpy as np
        from PIL import Image

        data = self.call("Page.captureScreenshot", format="png")["data"]
        return np.asarray(Image.open(io.BytesIO(base64.b64decode(data))).convert("RGB"))

    def errors(self) -> list[str]:
        return [m["text"] for m in self.console if m["level"] in ("error", "assert")]

    def close(self) -> None:
        try:
            if getattr(self, "_socket", None) is not None:
                try:
                    self.call("Browser.close")
                except Exception:  # noqa: BLE001  (already gone: nothing to close)
                    pass
                self._socket.close()
        finally:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
            self._profile.cleanup()

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def file_url(path: Path, query: str = "") -> str:
    return path.resolve().as_uri() + (f"?{query}" if query else "")
