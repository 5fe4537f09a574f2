"""A classroom relay on loopback for tests and benchmarks: its own asyncio loop in a thread, a bound
lifetime, and a clean stop (so a test never leaves a server behind)."""

from __future__ import annotations

import asyncio
import threading

from renderer.classroom.relay import Relay, serve


class RelayThread:
    """`with RelayThread(token="t") as relay: relay.url ...`; `port=0` picks a free port."""

    def __init__(self, token: str = "secret", port: int = 0, ssl_context=None, tokens: dict | None = None):
        self.relay = Relay(tokens, default_token=token)
        self.port, self.ssl_context = port, ssl_context
        self._loop = asyncio.new_event_loop()
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._bound: list = []
        self._thread = threading.Thread(target=self._run, daemon=True)

    @property
    def url(self) -> str:
        scheme = "wss" if self.ssl_context else "ws"
        host = "localhost" if self.ssl_context else "127.0.0.1"  # the test certificate names localhost
        return f"{scheme}://{host}:{self._bound[0][1]}"

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)

        async def main() -> None:
            self._stop = asyncio.Event()
            ready = asyncio.Event()
            task = asyncio.create_task(serve(self.relay, "127.0.0.1", self.port, self.ssl_context, ready=ready,
                                             stop=self._stop, bound=self._bound))  # fmt: skip
            await ready.wait()
            self._ready.set()
            await task

        self._loop.run_until_complete(main())

    def __enter__(self) -> RelayThread:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the relay did not start")
        return self

    def __exit__(self, *exc) -> None:
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)
