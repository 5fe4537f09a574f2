"""The classroom relay: every participant connects *out* to it (WebSocket, TLS with a certificate),
so it works on school networks that block inbound ports. It never executes or unpickles anything.

One relay serves many rooms. In a room, the lead (and a follower the lead has handed control to)
publishes state and poses; everybody else receives them. Per client:

* state changes go through a bounded, ordered queue; a client that falls that far behind is
  disconnected and resynchronised with the room's newest state when it comes back;
* poses go through a one-slot mailbox: a newer pose replaces one not yet sent, so a slow link drops
  poses instead of delaying state;
* a token bucket limits messages per second; malformed, oversized or unauthorised messages are
  dropped and logged, the connection stays.

The room keeps the newest state (and pose), which a follower gets on joining: after a relay restart
the lead's client re-publishes its state on reconnect and every follower is back in step.
"""

from __future__ import annotations

import asyncio
import hmac
import itertools
import logging
import ssl
import time
from collections import Counter
from dataclasses import dataclass, field

from renderer.classroom import protocol
from renderer.classroom.protocol import PROTOCOL_VERSION, ProtocolError

log = logging.getLogger("prosector.classroom.relay")

HELLO_TIMEOUT_S = 5.0
QUEUE_LIMIT = 256  # state messages waiting for one client before it counts as stalled
RATE_PER_S = 120.0  # messages a client may send per second, on average
RATE_BURST = 240.0
WIRE_LIMIT = 4 * protocol.MAX_MESSAGE_BYTES  # larger frames close the connection (websockets' own check)


@dataclass
class Client:
    id: str
    role: str
    room: str
    websocket: object
    queue: asyncio.Queue = field(default_factory=lambda: asyncio.Queue(QUEUE_LIMIT))
    pose: bytes | None = None
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    tokens: float = RATE_BURST
    refilled: float = field(default_factory=time.monotonic)

    def allow(self) -> bool:
        """Token bucket: RATE_PER_S on average, RATE_BURST at once."""
        now = time.monotonic()
        self.tokens = min(RATE_BURST, self.tokens + (now - self.refilled) * RATE_PER_S)
        self.refilled = now
        if self.tokens < 1.0:
            return False
        self.tokens -= 1.0
        return True


@dataclass
class Room:
    name: str
    clients: dict[str, Client] = field(default_factory=dict)
    state: bytes | None = None  # the newest state message, re-sent to whoever joins
    seq: int = 0
    pose: bytes | None = None
    holder: str | None = None  # a follower the lead handed control to


class Relay:
    """Rooms, token checks and fan-out. `tokens`: room name -> token; a room not named there uses
    `default_token` (None: such rooms are refused)."""

    def __init__(self, tokens: dict[str, str] | None = None, default_token: str | None = None):
        self.tokens = dict(tokens or {})
        self.default_token = default_token
        self.rooms: dict[str, Room] = {}
        self.stats: Counter = Counter()
        self._ids = itertools.count(1)

    def _token_ok(self, room: str, token: str) -> bool:
        expected = self.tokens.get(room, self.default_token)
        return expected is not None and hmac.compare_digest(expected.encode(), token.encode())

    async def handle(self, websocket) -> None:
        client = await self._admit(websocket)
        if client is None:
            return
        room = self.rooms.setdefault(client.room, Room(client.room))
        room.clients[client.id] = client
        self.stats["joined"] += 1
        sender = asyncio.create_task(self._send_loop(client))
        try:
            await websocket.send(protocol.encode("welcome", id=client.id, version=PROTOCOL_VERSION, holder=room.holder))
            if room.state is not None:
                self._enqueue(client, room.state)
            if room.pose is not None and client.role == "follow":
                self._post_pose(client, room.pose)
            async for data in websocket:
                self._receive(client, room, data)
        except Exception as exc:  # a peer that vanishes mid-frame must not take the relay down
            log.debug("client %s: %s", client.id, exc)
        finally:
            sender.cancel()
            room.clients.pop(client.id, None)
            if room.holder == client.id:
                room.holder = None
                self._broadcast(room, protocol.encode("control", holder=None), exclude=None)
            if not room.clients and room.state is None:
                self.rooms.pop(room.name, None)

    async def _admit(self, websocket) -> Client | None:
        """The first message must be a valid hello with the room's token and our version."""
        try:
            data = await asyncio.wait_for(websocket.recv(), HELLO_TIMEOUT_S)
            hello = protocol.decode(data)
            if hello.type != "hello":
                raise ProtocolError("the first message must be hello")
        except (TimeoutError, ProtocolError) as exc:
            self.stats["refused_hello"] += 1
            await _refuse(websocket, 4000, f"bad hello: {exc}")
            return None
        except Exception:  # closed before saying hello
            return None
        fields = hello.fields
        if fields["version"] != PROTOCOL_VERSION:
            self.stats["refused_version"] += 1
            await _refuse(websocket, 4001, f"protocol version {fields['version']} is not {PROTOCOL_VERSION}: "
                                           "update Prosector on this machine or on the relay")  # fmt: skip
            return None
        if not self._token_ok(fields["room"], fields["token"]):
            self.stats["refused_token"] += 1
            log.warning("refused a %s for room %r: wrong token", fields["role"], fields["room"])
            await _refuse(websocket, 4003, "wrong token for this room")
            return None
        name = fields["client"] or fields["role"]
        return Client(f"{name}-{next(self._ids)}", fields["role"], fields["room"], websocket)

    def _receive(self, client: Client, room: Room, data) -> None:
        if not client.allow():
            self.stats["rate_limited"] += 1
            return
        try:
            message = protocol.decode(data)
        except ProtocolError as exc:
            self.stats["malformed"] += 1
            log.warning("dropped a message from %s: %s", client.id, exc)
            return
        speaker = client.role == "lead" or room.holder == client.id
        kind = message.type
        if kind == "state" and speaker:
            room.seq += 1
            fields = message.fields
            room.state = protocol.encode("state", state=fields["state"].to_wire(), seq=room.seq,
                                         sent_ms=fields["sent_ms"], bundle=fields["bundle"])  # fmt: skip
            self._broadcast(room, room.state, exclude=client.id)
        elif kind == "pose" and speaker:
            room.pose = data
            for other in room.clients.values():
                if other.id != client.id:
                    self._post_pose(other, data)
        elif kind == "bundle_request":
            request = protocol.encode("bundle_request", bundle=message.fields["bundle"], to=client.id)
            for lead in (c for c in room.clients.values() if c.role == "lead"):
                self._enqueue(lead, request)
        elif kind == "bundle_chunk" and client.role == "lead":
            target = room.clients.get(protocol.addressee(data))
            if target is not None:
                self._enqueue(target, data)
        elif kind == "control" and client.role == "lead":
            holder = message.fields["holder"]
            room.holder = holder if holder in room.clients else None
            self._broadcast(room, protocol.encode("control", holder=room.holder), exclude=None)
        else:
            self.stats["unauthorised"] += 1
            log.warning("dropped a %s message from %s (%s may not send it)", kind, client.id, client.role)

    def _broadcast(self, room: Room, data: bytes, exclude: str | None) -> None:
        for other in list(room.clients.values()):
            if other.id != exclude:
                self._enqueue(other, data)

    def _enqueue(self, client: Client, data: bytes) -> None:
        try:
            client.queue.put_nowait(data)
            client.wake.set()
        except asyncio.QueueFull:  # stalled: drop it; on reconnect it gets the newest state again
            self.stats["stalled"] += 1
            log.warning("client %s is not keeping up; disconnecting it", client.id)
            asyncio.ensure_future(client.websocket.close(4008, "too far behind; reconnect to resynchronise"))

    def _post_pose(self, client: Client, data: bytes) -> None:
        if client.pose is not None:
            self.stats["poses_dropped"] += 1
        client.pose = data
        client.wake.set()

    async def _send_loop(self, client: Client) -> None:
        """State first, in order; then the newest pose, if one is waiting."""
        while True:
            await client.wake.wait()
            client.wake.clear()
            while not client.queue.empty():
                await client.websocket.send(client.queue.get_nowait())
            if client.pose is not None:
                pose, client.pose = client.pose, None
                await client.websocket.send(pose)
                self.stats["poses_sent"] += 1




async def _refuse(websocket, code: int, reason: str) -> None:
    try:
        await websocket.send(protocol.encode("error", reason=reason))
        await websocket.close(code, reason[:120])
    except Exception:
        pass


def server_ssl_context(cert: str | None, key: str | None) -> ssl.SSLContext | None:
    """TLS for `wss://` when a certificate is given (e.g. the school's, or Let's Encrypt's)."""
    if cert is None:
        return None
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert, key)
    return context


async def serve(relay: Relay, host: str, port: int, ssl_context: ssl.SSLContext | None = None,
                ready: asyncio.Event | None = None, stop: asyncio.Event | None = None,
                bound: list | None = None) -> None:  # fmt: skip
    """Serve until `stop` is set (forever without one). `bound` receives the (host, port) listened on."""
    from websockets.asyncio.server import serve as ws_serve

    async with ws_serve(relay.handle, host, port, ssl=ssl_context, max_size=WIRE_LIMIT, max_queue=64,
                        ping_interval=10, ping_timeout=20) as server:  # fmt: skip
        if bound is not None:
            bound.append(next(iter(server.sockets)).getsockname()[:2])
        if ready is not None:
            ready.set()
        await (stop.wait() if stop is not None else asyncio.Future())
