"""The exported lesson page follows a classroom (issue 18, item 3): Debian's Chromium, headless, opens
the page from file:// with `#relay=ws://127.0.0.1:PORT&room=R&token=T`; a real relay runs on loopback
and a teacher leads through Prosector's own client. The page must show the teacher's step, language,
highlight, clip plane, placement and head pose (read from the page and seen in screenshots), come
back after a relay restart, refuse a wrong token and another lesson with a visible message, and drop
malformed messages from a hostile relay. Every wait is bounded.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time

import msgpack
import numpy as np
import pytest

from renderer.classroom.bundle import make_bundle
from renderer.classroom.client import ClassroomLink
from renderer.classroom.protocol import LessonState, Pose
from renderer.cli import main
from renderer.export.browser import Browser, file_url, find_chromium
from renderer.scene.load import load_scene
from tests.classroom_helpers import RelayThread
from tests.conftest import SCENES, save_png

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(find_chromium() is None, reason="Chromium is not installed (apt-get install "
                                 "chromium)")]  # fmt: skip
PAGE_W, PAGE_H = 900, 600
ROOM, TOKEN = "anatomy-1", "secret"
BRAIN = SCENES / "brain-lesson.yaml"


@pytest.fixture(scope="module")
def browser():
    with Browser(PAGE_W, PAGE_H, timeout_s=120) as chromium:
        yield chromium


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("brain") / "site"
    assert main(["export", str(BRAIN), "--web", str(folder), "--device", "phone"]) == 0
    return folder / "index.html"


@pytest.fixture(scope="module")
def brain_bundle():
    return make_bundle(load_scene(BRAIN))


@pytest.fixture
def relay():
    with RelayThread(token=TOKEN) as running:
        yield running


def _lead(url: str, bundle, state: LessonState) -> ClassroomLink:
    link = ClassroomLink(url, ROOM, TOKEN, "lead", client="teacher", bundle=bundle).start()
    link.wait_connected(10)
    link.publish_state(state)
    return link


def _open(browser: Browser, site, relay_url: str, token: str = TOKEN, view: str = "free") -> None:
    browser.console.clear()
    browser.call("Page.navigate", url="about:blank")  # a new fragment alone would not reload the page
    browser.open(f"{file_url(site)}#relay={relay_url}&room={ROOM}&token={token}&view={view}")
    assert browser.evaluate("window.prosectorViewer.ready"), browser.evaluate("window.prosectorViewer.errors")


def _wait(browser: Browser, expression: str, timeout_s: float = 30) -> None:
    """Wait for `expression` in the page; on a time-out, say what the page's classroom shows."""
    try:
        browser.wait_for(expression, timeout_s=timeout_s)
    except Exception as exc:
        raise AssertionError(f"{exc}; the page shows {_classroom(browser)}; console {browser.console[-5:]}") from None


def _classroom(browser: Browser) -> dict:
    return json.loads(browser.evaluate("JSON.stringify({...window.prosectorViewer.classroom, "
                                       "step: window.prosectorViewer.step, lang: window.prosectorViewer.lang, "
                                       "alert: document.getElementById('classroom-alert').hidden ? '' : "
                                       "document.getElementById('classroom-alert').textContent})"))  # fmt: skip


def _canvas(browser: Browser) -> np.ndarray:
    """The canvas after the viewer drew at least one more frame (two animation frames)."""
    browser.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    width = browser.evaluate("document.getElementById('view').clientWidth")
    return browser.screenshot()[:, :width].astype(int)


def _changed(a: np.ndarray, b: np.ndarray) -> float:
    """Fraction of pixels that differ by more than 12 levels in some channel."""
    return float((np.abs(a - b).max(axis=2) > 12).mean())


def _materials(browser: Browser, part: str) -> list[dict]:
    return json.loads(browser.evaluate(
        f"(() => {{ const out = []; window.prosectorViewer.stage.nodes.get('{part}').traverse(o => {{ if (o.isMesh) "
        "out.push({highlight: o.material.userData.highlight.value.w, "
        "planes: (o.material.clippingPlanes || []).length}); }); return JSON.stringify(out); })()"))  # fmt: skip


def test_page_follows_the_teachers_step_language_highlight_clip_placement_and_view(
        browser, site, relay, brain_bundle, output_dir):  # fmt: skip
    from renderer.scene.fields import text_in

    steps = load_scene(BRAIN, load_assets=False).scene.lesson.steps
    teacher = _lead(relay.url, brain_bundle, LessonState(step=0, language="en"))
    try:
        _open(browser, site, relay.url)
        _wait(browser, "window.prosectorViewer.classroom.applied >= 1")
        shown = _classroom(browser)
        assert shown["phase"] == "connected" and shown["matches"] and shown["step"] == 1 and not shown["alert"]
        first = _canvas(browser)

        teacher.publish_state(LessonState(step=2, language="zh"))
        _wait(browser, "window.prosectorViewer.step === 3 && window.prosectorViewer.lang === 'zh'")
        assert browser.evaluate("document.querySelector('.step-title').textContent") == text_in(steps[2].title, "zh")
        step3 = _canvas(browser)
        assert _changed(first, step3) > 0.05, "the page's picture did not change with the teacher's step"
        assert max(m["highlight"] for m in _materials(browser, "cortex_right")) == 0

        teacher.publish_state(LessonState(step=2, language="zh", highlight=("cortex_right",)))
        _wait(browser, "window.prosectorViewer.classroom.teacher.highlight.length === 1")
        assert min(m["highlight"] for m in _materials(browser, "cortex_right")) == 1
        highlighted = _canvas(browser)
        assert _changed(step3, highlighted) > 0.01, "the teacher's highlight is not seen on the page"

        plane = (1.0, 0.0, 0.0, 0.0)  # keep x >= 0: one hemisphere goes
        teacher.publish_state(LessonState(step=2, language="zh", highlight=("cortex_right",), clip_planes=(plane,)))
        _wait(browser, "window.prosectorViewer.classroom.teacher.clip_planes.length === 1")
        assert all(m["planes"] >= 1 for m in _materials(browser, "cortex_left"))
        clipped = _canvas(browser)
        assert _changed(highlighted, clipped) > 0.05, "the teacher's clip plane is not seen on the page"

        quarter_turn = (0.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0, -1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0)
        teacher.publish_state(LessonState(step=2, language="zh", placement=quarter_turn))
        _wait(browser, "window.prosectorViewer.classroom.teacher.placement !== null")
        turn = browser.evaluate("window.prosectorViewer.stage.world.quaternion.toArray()")
        assert abs(abs(turn[1]) - np.sqrt(0.5)) < 1e-6, turn  # a quarter turn about +Y
        turned = _canvas(browser)
        assert _changed(clipped, turned) > 0.05

        # Follow-me: the page's camera goes to the teacher's head (through the placement's turn).
        teacher.publish_state(LessonState(step=2, language="zh"))
        _wait(browser, "window.prosectorViewer.classroom.teacher.placement === null")
        browser.evaluate("document.querySelector('.classroom-view').click()")
        assert _classroom(browser)["view"] == "teacher"
        assert browser.evaluate("window.prosectorViewer.stage.controls.enabled") is False
        teacher.publish_pose(Pose((0.35, 0.05, 0.1), (0.0, 0.0, 0.0)))
        _wait(browser, "window.prosectorViewer.stage.camera.position.x > 0.34")
        eye = browser.evaluate("window.prosectorViewer.stage.camera.position.toArray()")
        assert np.allclose(eye, (0.35, 0.05, 0.1), atol=1e-6)
        seen = _canvas(browser)
        assert _changed(turned, seen) > 0.05
        assert not browser.errors(), browser.errors()
        pictures = [first, step3, highlighted, clipped, turned, seen]
        save_png(output_dir / "step1-step3-highlight-clip-turned-teacher.png",
                 np.concatenate(pictures, axis=1).astype(np.uint8))
    finally:
        teacher.close()


def test_page_follows_a_teacher_leading_from_the_command_line(browser, site, relay):
    """`prosector classroom lead` in its own process names the lesson by the same digest as the page's
    export, and publishes the step's camera as the teacher's head: the page in Teacher's view is there."""
    import subprocess
    import sys

    from renderer.scene.step_state import scene_state

    camera = scene_state(load_scene(BRAIN), 3).camera
    lead = subprocess.Popen([sys.executable, "-m", "renderer", "classroom", "lead", str(BRAIN), "--relay", relay.url,
                             "--room", ROOM, "--token", TOKEN, "--step", "4", "--lang", "zh", "--hold", "300"],
                            stdout=subprocess.DEVNULL)  # fmt: skip
    try:
        _open(browser, site, relay.url, view="teacher")
        _wait(browser, "window.prosectorViewer.step === 4 && window.prosectorViewer.lang === 'zh' && "
                       "window.prosectorViewer.classroom.poses >= 1", timeout_s=90)  # fmt: skip
        shown = _classroom(browser)
        assert shown["matches"] and shown["view"] == "teacher" and "Following" in shown["message"]
        eye = browser.evaluate("window.prosectorViewer.stage.camera.position.toArray()")
        assert np.allclose(eye, camera.eye_m, atol=1e-6), (eye, camera.eye_m)
    finally:
        lead.terminate()
        lead.wait(30)


def test_in_vr_the_model_stands_where_the_teacher_placed_it(browser, site, relay, brain_bundle):
    """On an emulated Quest 3 (IWER, as tests/test_export_web.py), the teacher's placement (scene ->
    room) replaces the page's own "in front of you"; without one the page places the model itself."""
    teacher = _lead(relay.url, brain_bundle, LessonState(step=1, language="en"))
    try:
        browser.console.clear()
        browser.call("Page.navigate", url="about:blank")
        browser.open(f"{file_url(site, 'xr=emulate')}#relay={relay.url}&room={ROOM}&token={TOKEN}")
        _wait(browser, "window.prosectorViewer.classroom.applied >= 1 && window.prosectorViewer.xr.supported")
        browser.evaluate("document.querySelector('.vr').click()", user_gesture=True)
        _wait(browser, "window.prosectorViewer.xr.presenting && window.prosectorViewer.xr.frames >= 3", 60)
        own = browser.evaluate("window.prosectorViewer.stage.world.position.toArray()")
        placed = (2.0, 0.0, 0.0, 0.25, 0.0, 2.0, 0.0, 1.1, 0.0, 0.0, 2.0, -0.7, 0.0, 0.0, 0.0, 1.0)
        teacher.publish_state(LessonState(step=1, language="en", placement=placed))
        _wait(browser, "window.prosectorViewer.classroom.teacher.placement !== null")
        world = json.loads(browser.evaluate("JSON.stringify({p: window.prosectorViewer.stage.world.position.toArray(), "
                                            "s: window.prosectorViewer.stage.world.scale.toArray()})"))  # fmt: skip
        assert np.allclose(world["p"], (0.25, 1.1, -0.7), atol=1e-6) and np.allclose(world["s"], 2.0), (world, own)
        teacher.publish_state(LessonState(step=1, language="en"))
        _wait(browser, "window.prosectorViewer.classroom.teacher.placement === null")
        assert np.allclose(browser.evaluate("window.prosectorViewer.stage.world.position.toArray()"), own, atol=1e-6)
        browser.evaluate("document.querySelector('.vr').click()", user_gesture=True)
        _wait(browser, "!window.prosectorViewer.xr.presenting")
        assert not browser.errors(), browser.errors()
    finally:
        teacher.close()


def test_page_comes_back_in_step_after_a_relay_restart(browser, site, brain_bundle):
    with RelayThread(token=TOKEN) as first:
        port = first._bound[0][1]
        teacher = _lead(first.url, brain_bundle, LessonState(step=1, language="en"))
        url = first.url
        _open(browser, site, url)
        _wait(browser, "window.prosectorViewer.step === 2")
    try:
        _wait(browser, "window.prosectorViewer.classroom.phase === 'reconnecting'")
        with RelayThread(token=TOKEN, port=port):  # a fresh relay with no state on the same port
            _wait(browser, "window.prosectorViewer.classroom.connects >= 2")
            teacher.publish_state(LessonState(step=4, language="fr"))
            _wait(browser, "window.prosectorViewer.step === 5 && window.prosectorViewer.lang === 'fr'")
            assert _classroom(browser)["phase"] == "connected"
    finally:
        teacher.close()


def test_wrong_token_is_refused_with_a_visible_message(browser, site, relay, brain_bundle):
    teacher = _lead(relay.url, brain_bundle, LessonState(step=2, language="en"))
    try:
        _open(browser, site, relay.url, token="guess")
        _wait(browser, "window.prosectorViewer.classroom.phase === 'refused'")
        time.sleep(1.5)  # longer than the reconnect back-off: a refused page must not try again
        shown = _classroom(browser)
        assert shown["phase"] == "refused" and shown["connects"] == 0 and shown["applied"] == 0
        assert "wrong token" in shown["alert"] and shown["step"] == 1  # still the page's own first step
        assert browser.evaluate("document.getElementById('classroom-alert').getBoundingClientRect().height") > 10
        assert relay.relay.stats["refused_token"] == 1
    finally:
        teacher.close()


def test_a_room_leading_another_lesson_is_not_followed(browser, site, relay):
    knee = load_scene(SCENES / "knee-lesson.yaml")
    teacher = _lead(relay.url, make_bundle(knee), LessonState(step=1, language="en"))
    try:
        _open(browser, site, relay.url)
        _wait(browser, "window.prosectorViewer.classroom.matches === false")
        shown = _classroom(browser)
        assert "different lesson" in shown["alert"] and shown["applied"] == 0 and shown["step"] == 1
    finally:
        teacher.close()


def test_the_page_works_without_a_classroom(browser, site):
    browser.console.clear()
    browser.call("Page.navigate", url="about:blank")
    browser.open(file_url(site, "step=3"))
    shown = _classroom(browser)
    assert shown["phase"] == "offline" and shown["step"] == 3 and not shown["alert"] and not browser.errors()


class HostileRelay:
    """A WebSocket server on loopback that answers the page's hello with `script` (a list of frames,
    bytes or text), then keeps the connection open until stopped."""

    def __init__(self, script: list):
        self.script, self.hellos = script, []
        self._loop = asyncio.new_event_loop()
        self._ready, self._bound = threading.Event(), []
        self._thread = threading.Thread(target=self._run, daemon=True)

    async def _handle(self, websocket) -> None:
        self.hellos.append(msgpack.unpackb(await websocket.recv()))
        for frame in self.script:
            await websocket.send(frame)
        await self._stop.wait()

    def _run(self) -> None:
        from websockets.asyncio.server import serve

        async def main() -> None:
            self._stop = asyncio.Event()
            async with serve(self._handle, "127.0.0.1", 0) as server:
                self._bound.append(next(iter(server.sockets)).getsockname()[1])
                self._ready.set()
                await self._stop.wait()

        self._loop.run_until_complete(main())

    def __enter__(self) -> str:
        self._thread.start()
        assert self._ready.wait(10)
        return f"ws://127.0.0.1:{self._bound[0]}"

    def __exit__(self, *exc) -> None:
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)


def _pack(**fields) -> bytes:
    return msgpack.packb(fields, use_bin_type=True)


def test_malformed_messages_from_a_relay_are_dropped(browser, site, brain_bundle):
    digest = brain_bundle[0]
    state = {"step": 3, "language": "es", "highlight": [], "clip_planes": [], "placement": None}
    script = [_pack(t="welcome", id="web-1", version=1, holder=None),
              b"\xc1\xff\x00garbage",  # not msgpack
              "a text frame",
              _pack(t="state", seq=1, state={**state, "step": -4}, bundle=digest),  # out of range
              _pack(t="state", seq=2, state={**state, "clip_planes": [[1, 0, 0]]}, bundle=digest),  # 3 numbers
              _pack(t="teleport", to="everyone"),  # unknown type
              _pack(t="state", seq=3, state=state, bundle=digest)]
    with HostileRelay(script) as url:
        _open(browser, site, url)
        _wait(browser, "window.prosectorViewer.classroom.applied === 1")
        shown = _classroom(browser)
        assert shown["dropped"] == 5 and shown["step"] == 4 and shown["lang"] == "es", shown


def test_a_relay_of_another_protocol_version_is_refused(browser, site):
    relay = HostileRelay([_pack(t="welcome", id="web-1", version=2, holder=None)])
    with relay as url:
        _open(browser, site, url)
        _wait(browser, "window.prosectorViewer.classroom.phase === 'refused'")
        assert "protocol 2" in _classroom(browser)["alert"]
    hello = relay.hellos[0]
    assert hello["t"] == "hello" and hello["version"] == 1 and hello["role"] == "follow"
    assert hello["room"] == ROOM and hello["token"] == TOKEN
