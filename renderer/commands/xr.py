"""`prosector xr`: show a scene in a headset through OpenXR (SteamVR, Monado, Meta Quest Link, WMR)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from renderer import cli_args
from renderer.commands.output import check_output_path
from renderer.errors import ProsectorError

BINDING_CHOICES = ("auto", "egl", "glx", "wgl")


def _non_negative_frames(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of frames") from None
    if not 0 <= value <= 10_000_000:
        raise argparse.ArgumentTypeError("frames must be between 0 (no limit) and 10000000")
    return value


def add_xr_parser(sub) -> None:
    xr = sub.add_parser("xr", help="explore a scene in a VR headset (OpenXR)")
    xr.add_argument("scene", type=Path, nargs="?", help="the scene file (with --follow: optional, else the teacher's)")
    xr.add_argument("--step", type=cli_args.step, metavar="N", help="start at lesson step N (numbered from 1)")
    xr.add_argument("--lang", type=cli_args.language, metavar="CODE",
                    help="language of texts and labels, e.g. en, zh (default: the scene's)")  # fmt: skip
    xr.add_argument("--binding", choices=BINDING_CHOICES, default="auto",
                    help="OpenGL binding: glx (Linux desktop), egl (headless, XR_MNDX_egl_enable), wgl (Windows); "
                         "auto picks wgl on Windows, glx with a DISPLAY, else egl")  # fmt: skip
    xr.add_argument("--space", choices=("stage", "local"), default="stage",
                    help="reference space: stage (standing, floor at 0) or local (seated); default stage")
    xr.add_argument("--frames", type=_non_negative_frames, default=0, metavar="N",
                    help="leave after N rendered frames (default 0: until the runtime or Ctrl+C ends it)")
    xr.add_argument("--timing-file", type=Path, metavar="FILE.json", help="write every frame's timing here at exit")
    xr.add_argument("--show-timing", action="store_true", help="show frame timing in the headset (also a button)")
    xr.add_argument("--no-governor", action="store_true", help="keep the scene's quality even when frames are late")
    xr.add_argument("--no-depth-layer", action="store_true", help="submit no depth layer")
    xr.add_argument("--events", type=Path, metavar="FILE.jsonl", help="log states and interaction (JSON lines)")
    xr.add_argument("--dump-frame", type=_non_negative_frames, metavar="N",
                    help="read back both eye images of rendered frame N into --dump-dir (for tests)")  # fmt: skip
    xr.add_argument("--dump-dir", type=Path, metavar="DIR", help="folder for --dump-frame's PNG and JSON files")
    xr.add_argument("--reconnect", type=cli_args.seconds, default=30.0, metavar="SECONDS",
                    help="how long to keep trying when the runtime goes away mid-session (default 30)")  # fmt: skip
    cli_args.asset_root_option(xr)
    cli_args.classroom_options(xr, lead_help="lead this lesson from the headset through the relay at URL",
                               follow_help="follow the lesson a teacher leads through the relay at URL")  # fmt: skip


def xr_command(args: argparse.Namespace) -> int:
    if (args.dump_frame is None) != (args.dump_dir is None):
        raise ProsectorError("--dump-frame and --dump-dir go together")
    for path, suffix in ((args.timing_file, ".json"), (args.events, ".jsonl")):
        if path is not None:
            check_output_path(path, protected=[args.scene] if args.scene else [], suffix=suffix)
    from renderer.gl.xr_binding import import_openxr, prepare_platform, resolve_binding
    from renderer.scene.load import load_scene
    from renderer.scene.step_state import scene_state, start_step

    if args.lead and args.follow:
        raise ProsectorError("--lead and --follow exclude each other")
    if args.follow is None and args.scene is None:
        raise ProsectorError("give the scene file (or --follow URL --room R --token T)")
    loaded = load_scene(args.scene, asset_roots=args.asset_root) if args.scene is not None else None
    link, loaded = _classroom(args, loaded)
    from renderer.scene.languages import check_language_option

    check_language_option(loaded.scene, args.lang)
    step = start_step(loaded.scene, args.step)  # a lesson starts at step 1; --step 0: before any step
    scene_state(loaded, step, args.lang)  # a wrong --step fails here, before any GL or OpenXR work
    binding = resolve_binding(args.binding)
    prepare_platform(binding)
    xr = import_openxr()
    from renderer.xr.app import XrApp, XrSettings

    settings = XrSettings(binding=binding, step=step, language=args.lang, frames=args.frames, space=args.space,
                          timing_file=args.timing_file, events_file=args.events, dump_frame=args.dump_frame,
                          dump_dir=args.dump_dir, governor=not args.no_governor, show_timing=args.show_timing,
                          reconnect_s=args.reconnect, depth_layers=not args.no_depth_layer,
                          classroom=link)  # fmt: skip
    app = XrApp(xr, loaded, settings)
    try:
        status = app.run()
    finally:
        app.close()
    summary = app.summary()
    print(f"prosector xr: {app.timings.report()}")
    if summary["governor"]:
        print("prosector xr: quality changes: " + "; ".join(summary["governor"]))
    if summary["recoveries"]:
        print(f"prosector xr: reconnected to the runtime {summary['recoveries']} time(s)", file=sys.stderr)
    return status


def _classroom(args: argparse.Namespace, loaded):
    """(link, loaded scene) for --lead or --follow, else (None, `loaded`). A follower without a scene
    file gets the teacher's lesson bundle; a lead offers its scene's bundle to followers."""
    if args.follow is None and args.lead is None:
        return None, loaded
    if not (args.room and args.token):
        raise ProsectorError("a classroom needs --room NAME and --token T")
    from renderer.classroom.client import ClassroomLink

    ca = str(args.ca) if args.ca else None
    if args.lead:
        from renderer.classroom.bundle import make_bundle

        link = ClassroomLink(args.lead, args.room, args.token, "lead", client="headset", ca_file=ca,
                             bundle=make_bundle(loaded)).start()  # fmt: skip
    else:
        link = ClassroomLink(args.follow, args.room, args.token, "follow", client="headset", ca_file=ca).start()
    try:
        link.wait_connected(20)
        if loaded is None:
            from renderer.classroom.session import receive_lesson

            loaded = receive_lesson(link, 60)[0]
    except BaseException:
        link.close()
        raise
    return link, loaded
