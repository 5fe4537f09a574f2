"""`prosector preview`: the scene in a desktop window that follows the file as the teacher edits it."""

from __future__ import annotations

import argparse
from pathlib import Path

from renderer import cli_args
from renderer.commands.output import check_output_path
from renderer.errors import ProsectorError

STEREO_CHOICES = ("mono", "side-by-side", "anaglyph")


def add_preview_parser(sub) -> None:
    preview = sub.add_parser("preview", help="show a scene in a window; it reloads when the file is saved")
    preview.add_argument("scene", type=Path, nargs="?", help="the scene file (not with --follow)")
    preview.add_argument("--size", type=cli_args.size, default=(1280, 800), help="window size WIDTHxHEIGHT "
                         "(default 1280x800)")  # fmt: skip
    preview.add_argument("--step", type=cli_args.step, metavar="N", help="start at lesson step N (numbered from 1)")
    preview.add_argument("--lang", type=cli_args.language, metavar="CODE",
                         help="language of texts and labels, e.g. en, zh (default: the scene's)")  # fmt: skip
    preview.add_argument("--stereo", choices=STEREO_CHOICES, default="mono", help="how to show depth without "
                         "a headset: side-by-side eyes or red-cyan anaglyph (key V switches)")  # fmt: skip
    preview.add_argument("--ipd", type=cli_args.ipd, default=0.063, metavar="METRES", help="eye distance for stereo")
    preview.add_argument("--screenshot", type=Path, metavar="OUT.png", help="save what the window shows: after "
                         "--frames N frames, else when the window is closed")  # fmt: skip
    preview.add_argument("--frames", type=cli_args.frame_count, metavar="N",
                         help="draw N frames once the scene is loaded, then exit (for scripts and tests)")  # fmt: skip
    preview.add_argument("--no-text", action="store_true", help="start without the on-screen text (key Tab)")
    preview.add_argument("--frame-time", action="store_true", help="show the frame time (key F)")
    preview.add_argument("--time", type=cli_args.seconds, metavar="SECONDS",
                         help="hold the deformers (heartbeat, breathing, ...) at this time instead of playing them")
    cli_args.asset_root_option(preview)
    classroom = cli_args.classroom_options(preview, lead_help="lead this lesson: publish to the relay at URL",
                                           follow_help="follow the lesson a teacher leads through URL")  # fmt: skip
    classroom.add_argument("--view", choices=("free", "teacher"), default="free",
                           help="following: teacher = see through the teacher's eyes; free = your own camera")


def preview_command(args: argparse.Namespace) -> int:
    classroom = _classroom(args)  # with --follow, the scene is the teacher's, received from the relay
    if args.screenshot is not None:
        check_output_path(args.screenshot, protected=[args.scene] if args.scene else [])
    if args.scene is None:
        raise ProsectorError("give the scene file to preview (or --follow URL --room R --token T)")
    if not args.scene.is_file():
        raise ProsectorError(f"{args.scene}: no such scene file")
    if args.lang is not None:  # the file alone (no meshes) says which languages it has
        from renderer.scene.languages import check_language_option
        from renderer.scene.load import load_scene

        check_language_option(load_scene(args.scene, load_assets=False, asset_roots=args.asset_root).scene, args.lang)
    from renderer.gl.platform import choose_platform

    choose_platform()  # before anything imports OpenGL
    from renderer.preview.app import PreviewApp, PreviewSettings

    settings = PreviewSettings(
        scene=args.scene,
        asset_roots=args.asset_root,
        size=args.size,
        step=args.step,
        language=args.lang,
        stereo=args.stereo,
        ipd_m=args.ipd,
        show_hud=not args.no_text,
        show_frame_time=args.frame_time,
        screenshot=args.screenshot,
        frames=args.frames,
        time_s=args.time,
        classroom=classroom,
    )
    return PreviewApp(settings).run()


def _classroom(args: argparse.Namespace):
    """The classroom link for --lead/--follow (None without them); a follower's scene comes with it."""
    if args.lead is None and args.follow is None:
        return None
    if args.lead and args.follow:
        raise ProsectorError("--lead and --follow exclude each other")
    if not (args.room and args.token):
        raise ProsectorError("a classroom needs --room NAME and --token T")
    from renderer.classroom.client import ClassroomLink
    from renderer.preview.classroom_sync import PreviewClassroom

    ca = str(args.ca) if args.ca else None
    if args.lead:
        if args.scene is None:
            raise ProsectorError("--lead needs the scene file to lead")
        from renderer.classroom.bundle import make_bundle
        from renderer.scene.load import load_scene

        bundle = make_bundle(load_scene(args.scene, asset_roots=args.asset_root))
        link = ClassroomLink(args.lead, args.room, args.token, "lead", client="teacher", ca_file=ca, bundle=bundle)
        link.start().wait_connected(20)
        return PreviewClassroom(link)
    if args.scene is not None:
        raise ProsectorError("with --follow the scene comes from the teacher; leave the scene file out")
    from renderer.classroom.session import receive_lesson

    link = ClassroomLink(args.follow, args.room, args.token, "follow", client="student", ca_file=ca).start()
    link.wait_connected(20)
    loaded, _ = receive_lesson(link, 60)
    args.scene = loaded.path
    return PreviewClassroom(link, view=args.view)
