"""The classroom (issue 18) on loopback: a real relay (websockets) with real links, bounded in time.
Pure relay logic (pose mailbox) is also checked without sockets."""

from __future__ import annotations

import asyncio
import io
import subprocess
import sys
import time
import zipfile

import msgpack
import numpy as np
import pytest
from PIL import Image

from renderer.classroom import protocol
from renderer.classroom.bundle import make_bundle, unpack_bundle
from renderer.classroom.client import ClassroomLink, ClassroomRefused
from renderer.classroom.protocol import LessonState, Pose, ProtocolError
from renderer.errors import ProsectorError
from renderer.scene.load import load_scene
from tests.classroom_helpers import RelayThread
from tests.conftest import ROOT, SCENES


def _link(relay: RelayThread, role: str, token: str = "secret", **kw) -> ClassroomLink:
    return ClassroomLink(relay.url, "biology-1", token, role, **kw).start()


@pytest.fixture
def relay():
    with RelayThread() as running:
        yield running


def _wait(predicate, timeout_s: float = 10.0) -> bool:
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def test_state_reaches_followers_in_order_and_latecomers_get_the_newest(relay):
    lead, early = _link(relay, "lead"), _link(relay, "follow")
    try:
        lead.wait_connected(10), early.wait_connected(10)
        seen = []
        early.on_state = lambda r: seen.append(r.state.step)
        for step in range(5):
            lead.publish_state(LessonState(step=step, language="en"))
        assert _wait(lambda: seen[-1:] == [4])
        assert seen == sorted(seen), "state changes must arrive in order"
        late = _link(relay, "follow")
        try:
            late.wait_connected(10)
            got = late.wait_for_state(0, 10)
            assert got is not None and got.state.step == 4
        finally:
            late.close()
    finally:
        lead.close(), early.close()


def test_wrong_token_is_refused(relay):
    intruder = _link(relay, "follow", token="guess")
    try:
        with pytest.raises(ClassroomRefused, match="wrong token"):
            intruder.wait_connected(10)
    finally:
        intruder.close()
    assert relay.relay.stats["refused_token"] == 1


def _raw_session(relay: RelayThread, messages: list, hello: dict | None = None, read: int = 1) -> list:
    """Send a hello and `messages` over a bare websocket; return what came back (up to `read`)."""
    from websockets.asyncio.client import connect

    async def go():
        async with connect(relay.url, max_size=None) as ws:
            default = {"t": "hello", "version": protocol.PROTOCOL_VERSION, "role": "lead", "room": "biology-1",
                       "token": "secret", "client": "raw"}  # fmt: skip
            await ws.send(msgpack.packb(hello or default))
            replies = [protocol.decode(await ws.recv())]
            for message in messages:
                await ws.send(message)
            await asyncio.sleep(0.3)
            return replies

    return asyncio.run(go())


def test_other_protocol_version_is_refused_with_a_reason(relay):
    hello = {"t": "hello", "version": 99, "role": "follow", "room": "biology-1", "token": "secret"}
    (reply,) = _raw_session(relay, [], hello=hello)
    assert reply.type == "error" and "version" in reply.fields["reason"]


def test_malformed_and_oversized_messages_are_dropped_not_fatal(relay):
    follower = _link(relay, "follow")
    try:
        follower.wait_connected(10)
        garbage = [b"\xc1\xc1", "text frame", msgpack.packb({"t": "state", "state": {"step": -4}}),
                   msgpack.packb({"t": "nope"}), b"\x00" * (protocol.MAX_MESSAGE_BYTES + 10),
                   protocol.encode("state", state=LessonState(step=1).to_wire())]  # fmt: skip
        _raw_session(relay, garbage)
        stats = relay.relay.stats
        assert stats["malformed"] == 5
        got = follower.wait_for_state(0, 10)
        assert got is not None and got.state.step == 1, "the valid message after the garbage still arrives"
    finally:
        follower.close()


def test_followers_publish_only_when_handed_control(relay):
    lead, student, other = _link(relay, "lead"), _link(relay, "follow", client="ana"), _link(relay, "follow")
    try:
        for link in (lead, student, other):
            link.wait_connected(10)
        lead.publish_state(LessonState(step=0))
        assert other.wait_for_state(0, 10).state.step == 0
        student._state = (LessonState(step=3), protocol.now_ms())
        student._submit(student._state_message())
        assert _wait(lambda: relay.relay.stats["unauthorised"] >= 1)
        assert other.latest().state.step == 0
        lead.hand_control(student.client_id)
        assert _wait(lambda: student.holder == student.client_id)
        student._submit(student._state_message())
        assert _wait(lambda: other.latest().state.step == 3)
    finally:
        for link in (lead, student, other):
            link.close()


def test_rate_limit_drops_a_flood(relay):
    flood = [protocol.encode("pose", pose=Pose((0, 0, 1), (0, 0, 0)).to_wire())] * 1500
    _raw_session(relay, flood)
    assert relay.relay.stats["rate_limited"] > 500


def test_pose_mailbox_keeps_only_the_newest():
    """A follower whose link is busy gets the newest pose, not a backlog (pure relay logic)."""
    from renderer.classroom.relay import Client, Relay

    sent = []

    class SlowSocket:
        async def send(self, data):
            sent.append(data)

    async def scenario():
        relay, client = Relay(default_token="t"), Client("f-1", "follow", "r", SlowSocket())
        for index in range(10):  # ten poses arrive before the sender gets to run
            relay._post_pose(client, protocol.encode("pose", pose=Pose((index, 0, 1), (0, 0, 0)).to_wire()))
        relay._enqueue(client, protocol.encode("state", state=LessonState(step=2).to_wire(), seq=1))
        task = asyncio.create_task(relay._send_loop(client))
        await asyncio.sleep(0.05)
        task.cancel()
        return relay.stats

    stats = asyncio.run(scenario())
    kinds = [protocol.decode(m).type for m in sent]
    assert kinds == ["state", "pose"], "state first, then only the newest pose"
    assert protocol.decode(sent[1]).fields["pose"].head_eye == (9.0, 0.0, 1.0)
    assert stats["poses_dropped"] == 9


def test_relay_restart_resynchronises_every_follower():
    with RelayThread() as first:
        port = first._bound[0][1]
        lead = ClassroomLink(first.url, "biology-1", "secret", "lead").start()
        followers = [ClassroomLink(first.url, "biology-1", "secret", "follow").start() for _ in range(5)]
        for link in (lead, *followers):
            link.wait_connected(10)
        lead.publish_state(LessonState(step=2, language="zh"))
        assert all(f.wait_for_state(0, 10) is not None for f in followers)
    # the relay is gone; a new one comes up on the same port with no state at all
    try:
        with RelayThread(port=port):
            assert _wait(lambda: lead.connects >= 2 and all(f.connects >= 2 for f in followers), 20)
            lead.publish_state(LessonState(step=3, language="zh"))
            assert _wait(lambda: all(f.latest().state.step == 3 for f in followers), 10)
    finally:
        for link in (lead, *followers):
            link.close()


def test_bundle_travels_through_the_relay_and_unpacks(relay, tmp_path):
    loaded = load_scene(SCENES / "brain-lesson.yaml")
    bundle = make_bundle(loaded)
    assert make_bundle(loaded) == bundle, "the same files give the same digest"
    lead, follower = _link(relay, "lead", bundle=bundle), _link(relay, "follow")
    try:
        lead.wait_connected(10), follower.wait_connected(10)
        data = follower.fetch_bundle(bundle[0], 20)
        scene = unpack_bundle(data, bundle[0], tmp_path)
        again = load_scene(scene)
        assert set(again.scene.parts) == set(loaded.scene.parts)
        assert again.scene.lesson.steps[2].title == loaded.scene.lesson.steps[2].title
    finally:
        lead.close(), follower.close()


@pytest.mark.parametrize("name", ["../evil.yaml", "/etc/evil", "a/../../b", "c:\\x", ""])
def test_hostile_bundles_are_refused(tmp_path, name):
    import hashlib

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("prosector-bundle.json", '{"format": 1, "scene": "s.yaml"}')
        archive.writestr(name or "x", b"version: 1\n") if name else archive.writestr(zipfile.ZipInfo(""), b"")
    data = buffer.getvalue()
    with pytest.raises(ProsectorError):
        unpack_bundle(data, hashlib.sha256(data).hexdigest(), tmp_path)
    assert not (tmp_path.parent / "evil.yaml").exists()
    with pytest.raises(ProsectorError, match="SHA-256"):
        unpack_bundle(data, "0" * 64, tmp_path)


@pytest.mark.parametrize("case", ["duplicate", "file then folder", "no manifest", "bad manifest", "corrupt data"])
def test_malformed_bundles_are_scene_errors_not_tracebacks(tmp_path, case):
    import hashlib

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if case != "no manifest":
            archive.writestr("prosector-bundle.json", "\xff not json" if case == "bad manifest"
                             else '{"format": 1, "scene": "s.yaml"}')  # fmt: skip
        archive.writestr("s.yaml", b"version: 1\n" * 50)
        if case == "duplicate":
            archive.writestr("s.yaml", b"version: 1\n")
        if case == "file then folder":
            archive.writestr("s.yaml/inner.glb", b"x")
    data = bytearray(buffer.getvalue())
    if case == "corrupt data":  # flip a byte inside the scene's deflated data: its CRC fails
        start = data.index(b"s.yaml") + len("s.yaml")
        data[start + 3] ^= 0xFF
    data = bytes(data)
    with pytest.raises(ProsectorError, match="bundle"):
        unpack_bundle(data, hashlib.sha256(data).hexdigest(), tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == [], "a refused bundle leaves nothing behind"


def test_protocol_rejects_out_of_range_fields():
    for bad in ({"step": "two"}, {"language": "ENGLISH!"}, {"clip_planes": [[0, 1, 0, float("nan")]]},
                {"highlight": ["ok", "../x"]}, {"placement": [1, 2, 3]}):  # fmt: skip
        with pytest.raises(ProtocolError):
            LessonState.from_wire(bad)


def test_tls_relay_with_a_self_signed_certificate(tmp_path):
    import ssl

    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    made = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                           "/CN=localhost", "-addext", "subjectAltName=DNS:localhost", "-keyout", str(key),
                           "-out", str(cert)], capture_output=True)  # fmt: skip
    if made.returncode != 0:
        pytest.skip("openssl cannot make a test certificate here")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    with RelayThread(ssl_context=context) as relay:
        lead = _link(relay, "lead", ca_file=str(cert))
        untrusting = _link(relay, "follow")  # no CA: the certificate must not be accepted silently
        try:
            lead.wait_connected(10)
            with pytest.raises(ProsectorError):
                untrusting.wait_connected(2)
        finally:
            lead.close(), untrusting.close()


def _cli(*args, timeout=300) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "renderer", *map(str, args)], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)  # fmt: skip


@pytest.mark.gl
def test_follower_screenshot_matches_the_leads_step(tmp_path):
    """relay, lead and follower as three processes; the follower renders the teacher's step 3 in
    Chinese exactly as `prosector render --step 3 --lang zh` does."""
    relay = _cli("classroom", "relay", "--port", "0", "--token", "t0k", "--max-seconds", "240")
    try:
        first_line = relay.stdout.readline()
        assert "classroom relay on ws://" in first_line, relay.stderr.read()
        url = first_line.split(" on ")[1].strip()
        lead = _cli("classroom", "lead", SCENES / "brain-lesson.yaml", "--relay", url, "--room", "bio",
                    "--token", "t0k", "--step", "3", "--lang", "zh", "--hold", "200")  # fmt: skip
        shot = tmp_path / "follower.png"
        follow = subprocess.run([sys.executable, "-m", "renderer", "classroom", "follow", "--relay", url, "--room",
                                 "bio", "--token", "t0k", "--screenshot", str(shot), "--size", "160x120", "--cache",
                                 str(tmp_path / "cache"), "--timeout", "120"], cwd=ROOT, capture_output=True,
                                text=True, timeout=300)  # fmt: skip
        assert follow.returncode == 0, follow.stderr
        assert "step 3, zh" in follow.stdout
        refused = subprocess.run([sys.executable, "-m", "renderer", "classroom", "follow", "--relay", url, "--room",
                                  "bio", "--token", "wrong", "--screenshot", str(tmp_path / "no.png")], cwd=ROOT,
                                 capture_output=True, text=True, timeout=120)  # fmt: skip
        assert refused.returncode == 1 and "wrong token" in refused.stderr
        lead.terminate()
    finally:
        relay.terminate()
        relay.wait(30)
    reference = tmp_path / "render.png"
    rendered = subprocess.run([sys.executable, "-m", "renderer", "render", SCENES / "brain-lesson.yaml", "-o",
                               reference, "--step", "3", "--lang", "zh", "--size", "160x120"], cwd=ROOT,
                              capture_output=True, text=True)  # fmt: skip
    assert rendered.returncode == 0, rendered.stderr
    a, b = (np.asarray(Image.open(p)).astype(int) for p in (shot, reference))
    assert np.abs(a - b).mean() < 1.0
