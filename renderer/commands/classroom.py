"""`prosector classroom relay|lead|follow`: a teacher leads a lesson, students follow it, everybody
connecting out to one relay (docs/classroom.md)."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from renderer import cli_args
from renderer.commands.output import check_output_path
from renderer.errors import ProsectorError

DEFAULT_PORT = 8765


def add_classroom_parser(sub) -> None:
    classroom = sub.add_parser("classroom", help="lead a lesson that students follow, through a relay")
    actions = classroom.add_subparsers(dest="classroom_action", required=True, metavar="ACTION")

    relay = actions.add_parser("relay", help="run the relay that the teacher and the students connect out to")
    relay.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1; "
                       "0.0.0.0 for every network of this machine)")  # fmt: skip
    relay.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    relay.add_argument("--cert", type=Path, help="TLS certificate (PEM) for wss://; with --key")
    relay.add_argument("--key", type=Path, help="TLS private key (PEM)")
    relay.add_argument("--token", help="the token every room accepts")
    relay.add_argument("--tokens", type=Path, help="a file of 'ROOM TOKEN' lines, one room each")
    relay.add_argument("--max-seconds", type=cli_args.seconds, help="stop after this long (scripts, tests)")

    for name, text in (("lead", "publish your lesson state (step, language, ...) to a room"),
                       ("follow", "show the lesson a room's teacher leads")):  # fmt: skip
        action = actions.add_parser(name, help=text)
        if name == "lead":
            action.add_argument("scene", type=Path)
            action.add_argument("--step", type=cli_args.step, metavar="N", help="lesson step to show (from 1)")
            action.add_argument("--lang", type=cli_args.language, metavar="CODE", help="language of texts")
            action.add_argument("--hold", type=cli_args.seconds, metavar="SECONDS",
                                help="stay this long, serving the lesson to followers (default: until Ctrl-C)")
        action.add_argument("--relay", required=True, metavar="URL", help="ws://HOST:PORT or wss://HOST:PORT")
        action.add_argument("--room", required=True, help="the room's name")
        action.add_argument("--token", required=True, help="the room's token")
        action.add_argument("--ca", type=Path, help="CA certificate that signed the relay's (self-signed relays)")
        action.add_argument("--timeout", type=cli_args.seconds, default=20.0, metavar="SECONDS",
                            help="how long to wait for the relay and the lesson (default 20)")
        if name == "follow":
            action.add_argument("--screenshot", type=Path, metavar="OUT.png",
                                help="render what this follower shows to a PNG and exit (no window)")
            action.add_argument("--size", type=cli_args.size, default=(1024, 768), help="WIDTHxHEIGHT")
            action.add_argument("--after", type=cli_args.seconds, default=0.0, metavar="SECONDS",
                                help="with --screenshot: keep following this long after the first state")
            action.add_argument("--view", choices=("free", "teacher"), default="free",
                                help="teacher: see through the teacher's eyes (follow-me); free: your own camera")
            action.add_argument("--cache", type=Path, help="folder for received lessons (default: user cache)")


def classroom_command(args: argparse.Namespace) -> int:
    return {"relay": _relay, "lead": _lead, "follow": _follow}[args.classroom_action](args)


def _relay(args) -> int:
    import asyncio

    from renderer.classroom.relay import Relay, serve, server_ssl_context

    tokens = _read_tokens(args.tokens) if args.tokens else {}
    if not tokens and not args.token:
        raise ProsectorError("give the rooms' token: --token T (every room) or --tokens FILE ('ROOM TOKEN' lines)")
    if (args.cert is None) != (args.key is None):
        raise ProsectorError("--cert and --key go together")
    if not 0 <= args.port <= 65535:
        raise ProsectorError("--port must lie between 0 and 65535")
    relay = Relay(tokens, default_token=args.token)
    context = server_ssl_context(str(args.cert), str(args.key)) if args.cert else None

    async def main() -> None:
        stop, bound = asyncio.Event(), []
        if args.max_seconds is not None:
            asyncio.get_running_loop().call_later(args.max_seconds, stop.set)
        ready = asyncio.Event()
        server = asyncio.create_task(serve(relay, args.host, args.port, context, ready=ready, stop=stop, bound=bound))
        await ready.wait()
        scheme = "wss" if context else "ws"
        print(f"classroom relay on {scheme}://{bound[0][0]}:{bound[0][1]}", flush=True)
        await server

    try:
        asyncio.run(main())
    except OSError as exc:
        raise ProsectorError(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}") from None
    print(f"relay stopped: {dict(relay.stats)}")
    return 0


def _read_tokens(path: Path) -> dict[str, str]:
    tokens = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        words = line.split()
        if not words or words[0].startswith("#"):
            continue
        if len(words) != 2:
            raise ProsectorError(f"{path}:{number}: write 'ROOM TOKEN', e.g. 'biology-1 2f9c...'")
        tokens[words[0]] = words[1]
    return tokens


def _lead(args) -> int:
    from renderer.classroom.bundle import make_bundle
    from renderer.classroom.client import ClassroomLink
    from renderer.classroom.protocol import LessonState, Pose
    from renderer.scene.load import load_scene
    from renderer.scene.step_state import scene_state, start_step

    loaded = load_scene(args.scene)
    step = start_step(loaded.scene, args.step)  # a lesson starts at step 1; --step 0: before any step
    state = scene_state(loaded, step, args.lang)  # a wrong --step fails here, before connecting
    bundle = make_bundle(loaded)
    link = ClassroomLink(args.relay, args.room, args.token, "lead", client="teacher",
                         ca_file=str(args.ca) if args.ca else None, bundle=bundle).start()  # fmt: skip
    try:
        link.wait_connected(args.timeout)
        link.publish_state(LessonState(step=step, language=args.lang))
        camera = state.camera or loaded.scene.camera
        if camera is not None:  # the head pose of a teacher without a headset: the lesson's camera
            link.publish_pose(Pose(tuple(camera.eye_m), tuple(camera.target_m)))
        label = f"step {step + 1}" if step is not None else "the scene before any step"
        print(f"leading room {args.room!r} on {args.relay}: {label}; lesson bundle {bundle[0][:12]} "
              f"({len(bundle[1]) / 1024:.0f} KiB)", flush=True)  # fmt: skip
        end = time.monotonic() + (args.hold if args.hold is not None else float("inf"))
        while time.monotonic() < end:
            time.sleep(0.1)
    except KeyboardInterrupt:
        pass
    finally:
        link.close()
    return 0


def _follow(args) -> int:
    if args.screenshot is None:
        raise ProsectorError("following in a window: prosector preview --follow URL --room R --token T; "
                             "give --screenshot OUT.png to render what a follower shows")  # fmt: skip
    check_output_path(args.screenshot, protected=[])
    from renderer.classroom.client import ClassroomLink
    from renderer.classroom.session import receive_lesson

    link = ClassroomLink(args.relay, args.room, args.token, "follow", client="student",
                         ca_file=str(args.ca) if args.ca else None).start()  # fmt: skip
    try:
        link.wait_connected(args.timeout)
        loaded, first = receive_lesson(link, args.timeout, args.cache)
        time.sleep(args.after)
        received = link.latest() or first
        _render_follower(args, loaded, received, link.latest_pose())
    finally:
        link.close()
    return 0


def _render_follower(args, loaded, received, pose) -> None:
    from renderer.classroom.follower import followed_state, teacher_camera
    from renderer.headless import HeadlessRenderer
    from renderer.screenshots import write_png

    state = followed_state(loaded, received.state)
    width, height = args.size
    with HeadlessRenderer() as headless:
        headless.load(loaded)
        headless.scene.apply(state)
        camera = state.camera or headless.camera(width / height)
        if args.view == "teacher" and pose is not None:
            camera = teacher_camera(pose, camera)
        write_png(args.screenshot, headless.render(width, height, camera))
    step = received.state.step
    print(f"wrote {args.screenshot} (following {'step ' + str(step + 1) if step is not None else 'the scene'}, "
          f"{state.language}, state {received.seq})")
