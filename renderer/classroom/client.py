"""A participant's connection to the relay, usable from a render loop: it runs its own asyncio loop
in a background thread, reconnects with back-off, and hands over only the newest state and pose.

The lead's link re-publishes its current state after every (re)connect, so a relay restart loses
nothing; a follower's link keeps the newest state it saw and replaces it as newer ones arrive.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from renderer.classroom import protocol
from renderer.classroom.protocol import LessonState, Pose, ProtocolError
from renderer.errors import ProsectorError

log = logging.getLogger("prosector.classroom")

BACKOFF_S = (0.2, 0.5, 1.0, 2.0)
REFUSALS = {4001: "version", 4003: "token", 4000: "hello"}


class ClassroomRefused(ProsectorError):
    """The relay refused this participant (wrong token, other protocol version)."""


@dataclass(frozen=True)
class Received:
    """The newest state a follower has: `seq` counts the states this link accepted (it keeps growing
    across reconnects, while the relay's own number starts again after a restart), the sender's
    clock stamp, the bundle digest the lead offers, and when it arrived (time.time() seconds)."""

    seq: int
    state: LessonState
    sent_ms: float | None
    bundle: str | None
    arrived_s: float


class ClassroomLink:
    """`role` is "lead" or "follow". `bundle` (lead only): (sha256 hex, bytes) served on request."""

    def __init__(self, url: str, room: str, token: str, role: str, client: str = "", ca_file: str | None = None,
                 bundle: tuple[str, bytes] | None = None,
                 on_state: Callable[[Received], None] | None = None):  # fmt: skip
        self.url, self.room, self.token, self.role, self.client = url, room, token, role, client or role
        self.ca_file = ca_file
        self.bundle = bundle
        self.on_state = on_state
        self.client_id: str | None = None
        self.holder: str | None = None
        self.connected = threading.Event()
        self.refused: str | None = None
        self.connects = 0
        self.poses_received = 0
        self.poses_sent = 0
        self._latest: Received | None = None
        self._pose: tuple[Pose, float] | None = None
        self._state: tuple[LessonState, float] | None = None  # what a lead publishes (and re-publishes)
        self._chunks: dict[str, dict[int, bytes]] = {}
        self._bundles: dict[str, bytes] = {}
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._loop = asyncio.new_event_loop()
        self._outbox: asyncio.Queue | None = None
        self._stop = False
        self._thread = threading.Thread(target=self._run, name=f"classroom-{role}", daemon=True)

    # -- the render loop's side ------------------------------------------------------------------------

    def start(self) -> ClassroomLink:
        self._thread.start()
        return self

    def wait_connected(self, timeout_s: float) -> None:
        """Block until the relay welcomed us; raise ClassroomRefused or ProsectorError otherwise."""
        deadline = time.monotonic() + timeout_s
        while not self.connected.wait(0.05):
            if self.refused:
                raise ClassroomRefused(f"the relay refused this {self.role}: {self.refused}")
            if time.monotonic() > deadline:
                raise ProsectorError(f"no answer from the classroom relay at {self.url} within {timeout_s:g} s")

    def publish_state(self, state: LessonState) -> None:
        """Lead: make `state` the room's state (sent now, and again after every reconnect)."""
        with self._lock:
            self._state = (state, protocol.now_ms())
        self._submit(self._state_message())

    def publish_pose(self, pose: Pose) -> None:
        """Lead: the newest head and pointer pose; a pose not yet sent is replaced, not queued."""
        with self._lock:
            self._pose = (pose, protocol.now_ms())
        self._submit(None)

    def hand_control(self, holder: str | None) -> None:
        """Lead: let the follower with this id publish state and poses (None: take it back)."""
        self._submit(protocol.encode("control", holder=holder))

    def latest(self) -> Received | None:
        with self._lock:
            return self._latest

    def latest_pose(self) -> Pose | None:
        with self._lock:
            return self._pose[0] if self._pose else None

    def wait_for_state(self, after_seq: int, timeout_s: float) -> Received | None:
        """Follower: block until a state newer than `after_seq` arrives (None on time-out)."""
        deadline = time.monotonic() + timeout_s
        with self._changed:
            while (self._latest is None or self._latest.seq <= after_seq) and not self.refused:
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self._changed.wait(left)
            return self._latest

    def fetch_bundle(self, digest: str, timeout_s: float) -> bytes:
        """Follower: ask the lead for the lesson bundle `digest` and wait for all of it (checked)."""
        self._submit(protocol.encode("bundle_request", bundle=digest))
        deadline = time.monotonic() + timeout_s
        with self._changed:
            while digest not in self._bundles:
                left = deadline - time.monotonic()
                if left <= 0 or self.refused:
                    raise ProsectorError(f"the lesson bundle did not arrive within {timeout_s:g} s")
                self._changed.wait(left)
            return self._bundles[digest]

    def close(self) -> None:
        self._stop = True
        if self._loop.is_running():
            self._loop.call_soon_threadsafe(lambda: None)
        self._thread.join(timeout=5)

    # -- the network thread ----------------------------------------------------------------------------

    def _submit(self, data: bytes | None) -> None:
        """Queue `data` (None: just wake the sender to send the newest pose) from any thread."""
        if self._outbox is None or self._loop.is_closed():
            return
        try:
            self._loop.call_soon_threadsafe(self._outbox.put_nowait, data)
        except RuntimeError:  # loop closing
            pass

    def _state_message(self) -> bytes:
        with self._lock:
            state, sent = self._state
        return protocol.encode("state", state=state.to_wire(), sent_ms=sent,
                               bundle=self.bundle[0] if self.bundle else None)  # fmt: skip

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_until_complete(self._connect_forever())
        finally:
            self._loop.close()

    async def _connect_forever(self) -> None:
        from websockets.asyncio.client import connect
        from websockets.exceptions import ConnectionClosed

        self._outbox = asyncio.Queue()
        attempt = 0
        while not self._stop and not self.refused:
            try:
                async with connect(self.url, ssl=self._ssl(), max_size=4 * protocol.MAX_MESSAGE_BYTES,
                                   open_timeout=5, ping_interval=10, ping_timeout=20) as websocket:  # fmt: skip
                    attempt = 0
                    await self._session(websocket)
            except ConnectionClosed as closed:
                code = closed.rcvd.code if closed.rcvd else None
                if code in REFUSALS:
                    self.refused = closed.rcvd.reason or REFUSALS[code]
                    with self._changed:
                        self._changed.notify_all()
                    return
            except (OSError, TimeoutError, ProtocolError) as exc:
                log.debug("classroom link: %s", exc)
            except Exception as exc:  # the websockets stack raises assorted handshake errors
                log.debug("classroom link: %s: %s", type(exc).__name__, exc)
            self.connected.clear()
            if self._stop:
                return
            await self._sleep(BACKOFF_S[min(attempt, len(BACKOFF_S) - 1)])
            attempt += 1

    async def _sleep(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while not self._stop and time.monotonic() < end:
            await asyncio.sleep(0.05)

    async def _session(self, websocket) -> None:
        await websocket.send(protocol.encode("hello", version=protocol.PROTOCOL_VERSION, role=self.role,
                                             room=self.room, token=self.token, client=self.client))  # fmt: skip
        welcome = protocol.decode(await asyncio.wait_for(websocket.recv(), 10))
        if welcome.type == "error":
            await websocket.recv()  # the close frame with the code follows; raises ConnectionClosed
            return
        self.client_id, self.holder = welcome.fields["id"], welcome.fields["holder"]
        self.connects += 1
        self.connected.set()
        if self.role == "lead" and self._state is not None:
            await websocket.send(self._state_message())  # resync the room after a relay restart
        receiver = asyncio.create_task(self._receive(websocket))
        try:
            while not self._stop and not receiver.done():
                try:
                    data = await asyncio.wait_for(self._outbox.get(), 0.1)
                except TimeoutError:
                    continue
                if data is not None:
                    await websocket.send(data)
                pose = self._take_pose()
                if pose is not None:
                    await websocket.send(pose)
        finally:
            receiver.cancel()
        if receiver.done() and receiver.exception() is not None:
            raise receiver.exception()

    def _take_pose(self) -> bytes | None:
        with self._lock:
            if self._pose is None or self._pose[1] < 0:
                return None
            pose, sent = self._pose
            self._pose = (pose, -1.0)  # sent: keep it readable, do not send it again
            self.poses_sent += 1
        return protocol.encode("pose", pose=pose.to_wire(), sent_ms=sent)

    async def _receive(self, websocket) -> None:
        async for data in websocket:
            try:
                message = protocol.decode(data)
            except ProtocolError as exc:
                log.warning("dropped a message from the relay: %s", exc)
                continue
            self._handle(message, data, websocket)

    def _handle(self, message, data: bytes, websocket) -> None:
        kind, fields = message.type, message.fields
        if kind == "state":
            with self._changed:
                count = self._latest.seq + 1 if self._latest else 1
                received = Received(count, fields["state"], fields["sent_ms"], fields["bundle"], time.time())
                self._latest = received
                self._changed.notify_all()
            if self.on_state is not None:
                self.on_state(received)
        elif kind == "pose":
            with self._lock:
                self._pose = (fields["pose"], -1.0)
                self.poses_received += 1
        elif kind == "control":
            self.holder = fields["holder"]
        elif kind == "bundle_request" and self.role == "lead" and self.bundle is not None:
            if fields["bundle"] == self.bundle[0]:
                asyncio.ensure_future(self._send_bundle(websocket, protocol.addressee(data)))
        elif kind == "bundle_chunk":
            self._store_chunk(fields)

    async def _send_bundle(self, websocket, to: str | None) -> None:
        digest, payload = self.bundle
        size = protocol.BUNDLE_CHUNK_BYTES
        count = max(1, -(-len(payload) // size))
        for index in range(count):
            await websocket.send(protocol.encode("bundle_chunk", bundle=digest, index=index, count=count,
                                                 data=payload[index * size:(index + 1) * size], to=to))  # fmt: skip
            await asyncio.sleep(0)

    def _store_chunk(self, fields: dict) -> None:
        digest, chunks = fields["bundle"], self._chunks.setdefault(fields["bundle"], {})
        chunks[fields["index"]] = fields["data"]
        if len(chunks) < fields["count"]:
            return
        payload = b"".join(chunks[i] for i in range(fields["count"]))
        del self._chunks[digest]
        if hashlib.sha256(payload).hexdigest() != digest:
            log.warning("a lesson bundle arrived corrupt (hash mismatch); dropped")
            return
        with self._changed:
            self._bundles[digest] = payload
            self._changed.notify_all()

    def _ssl(self) -> ssl.SSLContext | None:
        if not self.url.startswith("wss://"):
            return None
        context = ssl.create_default_context(cafile=self.ca_file)
        return context
