"""The `prosector` command: render, validate, new, info, schema, preview, xr, bench, examples, export.

User mistakes (bad scene, bad mesh, bad arguments, no GL driver) print a message and exit 1 (2 for
argument errors); set PROSECTOR_DEBUG=1 to see tracebacks of internal errors.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import traceback
from pathlib import Path

from renderer import __version__, cli_args
from renderer.errors import ProsectorError, SceneError

VIEWS = ("color", "normal", "depth", "albedo", "ao", "shadow")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="prosector",
        description="Anatomy and molecules for teaching: render scenes headless, check them, scaffold new ones.",
    )
    parser.add_argument("--version", action="version", version=f"prosector {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    render = sub.add_parser("render", help="render a scene to PNG without a display")
    render.add_argument("scene", type=Path)
    render.add_argument(
        "-o", "--output", type=Path, required=True, help="PNG file to write (a folder with --all-steps)"
    )
    render.add_argument(
        "--size", type=cli_args.size, default=(1024, 768), help="WIDTHxHEIGHT per view (default 1024x768)"
    )
    render.add_argument("--view", choices=VIEWS, default="color", help="colour, or a debug view")
    render.add_argument("--camera-eye", type=cli_args.vec3, metavar="X,Y,Z", help="camera position, metres")
    render.add_argument("--camera-target", type=cli_args.vec3, metavar="X,Y,Z", help="point looked at, metres")
    render.add_argument("--fov", type=cli_args.fov, metavar="DEG", help="vertical field of view, degrees")
    render.add_argument("--stereo", action="store_true", help="left and right eye side by side")
    render.add_argument("--ipd", type=cli_args.ipd, default=0.063, metavar="METRES", help="eye distance for --stereo")
    render.add_argument("--timing", action="store_true", help="print GPU time per pass (of a second, warmed-up frame)")
    render.add_argument("--ao-tier", choices=("ssao", "raytraced", "off"), help="ambient occlusion method "
                        "(default: the scene's render.ambient_occlusion); raytraced also casts key-light shadows")
    render.add_argument("--ao-radius", type=cli_args.ao_radius, metavar="METRES|unbounded",
                        help="reach of occlusion (default: unbounded for raytraced, else the scene's setting)")
    render.add_argument("--ao-samples", type=cli_args.samples, metavar="N",
                        help="ray-traced AO rays per pixel accumulated for this still image (default 64)")
    render.add_argument("--step", type=cli_args.step, metavar="N",
                        help="render lesson step N (from 1; default 1 when the scene has a lesson; 0: before any step)")
    render.add_argument("--all-steps", action="store_true", help="render every lesson step into the folder -o DIR")
    render.add_argument("--captions", action="store_true", help="draw each step's title, text and question beside "
                        "the picture (hand-outs)")  # fmt: skip
    render.add_argument(
        "--lang",
        type=cli_args.language,
        metavar="CODE",
        help="language of labels and texts, e.g. en, zh, es, fr (default: the scene's)",
    )
    render.add_argument(
        "--time",
        type=cli_args.seconds,
        metavar="SECONDS",
        help="pose the scene's deformers (heartbeat, breathing, ...) at this time; default: rest",
    )
    cli_args.asset_root_option(render)

    validate = sub.add_parser("validate", help="check a scene file; list every problem as FILE:LINE:COLUMN")
    validate.add_argument("scene", type=Path)
    validate.add_argument("--no-assets", action="store_true", help="check the file only, do not open meshes")
    validate.add_argument("--strict", action="store_true", help="treat warnings (implausible sizes, language "
                          "codes, hidden labels) as errors: exit 1")  # fmt: skip
    cli_args.asset_root_option(validate)

    new = sub.add_parser("new", help="write a new scene from mesh and molecule files")
    new.add_argument("scene", type=Path, help="scene file to create (.yaml)")
    new.add_argument(
        "--from",
        dest="sources",
        type=Path,
        nargs="+",
        required=True,
        metavar="FILE",
        help="OBJ, STL, PLY, GLB or glTF meshes; PDB, mmCIF, SDF or MOL2 molecules",
    )
    new.add_argument("--force", action="store_true", help="overwrite an existing scene file")

    schema = sub.add_parser("schema", help="write the JSON Schema of scene files (for editors)")
    schema.add_argument("-o", "--output", type=Path, help="file to write (default: print it)")

    from renderer.commands.preview import add_preview_parser

    add_preview_parser(sub)

    from renderer.commands.xr import add_xr_parser

    add_xr_parser(sub)

    from renderer.commands.library import add_library_parser

    add_library_parser(sub)

    from renderer.commands.export import add_export_parser

    add_export_parser(sub)

    info = sub.add_parser("info", help="parts, triangles, bounds, memory and backends of a scene")
    info.add_argument("scene", type=Path)
    info.add_argument("--json", action="store_true", help="one JSON object (bounds, parts, molecules) for scripts")
    cli_args.asset_root_option(info)

    bench = sub.add_parser("bench", help="measure this machine (e.g. `prosector bench deform --json`)")
    bench.add_argument("what", choices=("deform",), help="deform: deformers, normals and GL hand-off")
    bench.add_argument("--json", action="store_true", help="print the figures as JSON")
    bench.add_argument("--vertices", type=int, default=100_000, help="mesh size (default 100000)")
    bench.add_argument("--frames", type=int, default=20, help="frames timed per case (default 20)")
    bench.add_argument("--no-gl", action="store_true", help="skip the hand-off to GL (no GL driver needed)")
    bench.add_argument("--no-warp", action="store_true", help="skip the NVIDIA Warp soft-body comparison")

    from renderer.commands.examples import add_examples_parser

    add_examples_parser(sub)

    from renderer.commands.classroom import add_classroom_parser

    add_classroom_parser(sub)

    from renderer.commands.bake import add_bake_parser

    add_bake_parser(sub)
    for command in sub.choices.values():  # every command takes --quiet, before or after its arguments
        command.add_argument("-q", "--quiet", action="store_true", help="no progress bars or progress messages")
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="prosector: %(levelname)s: %(message)s")
    args = build_parser().parse_args(argv)
    from renderer.atomic_file import install_signal_cleanup

    install_signal_cleanup()  # SIGTERM mid-write leaves no temporary file behind
    if getattr(args, "quiet", False):
        from renderer.progress import set_quiet

        set_quiet(True)
    try:
        return COMMANDS[args.command](args)
    except SceneError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except ProsectorError as exc:
        print(f"prosector: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # an internal bug: say so plainly, traceback on request
        if os.environ.get("PROSECTOR_DEBUG"):
            traceback.print_exc()
        print(
            f"prosector: internal error: {type(exc).__name__}: {exc}\n"
            "Please report it with the scene file; PROSECTOR_DEBUG=1 shows the traceback.",
            file=sys.stderr,
        )
        return 3


def _cmd_render(args) -> int:
    from renderer.commands.render import render_command

    return render_command(args)


def _cmd_validate(args) -> int:
    from renderer.scene.lints import scene_warnings
    from renderer.scene.load import load_scene

    loaded = load_scene(args.scene, load_assets=not args.no_assets, asset_roots=args.asset_root)
    warnings = scene_warnings(loaded)
    for warning in warnings:
        text = str(warning)
        print(text.replace(": warning: ", ": error: ", 1) if args.strict else text, file=sys.stderr)
    if warnings and args.strict:
        print(f"{args.scene}: {len(warnings)} warning(s), treated as errors (--strict)", file=sys.stderr)
        return 1
    print(f"{args.scene}: valid" + (f", {len(warnings)} warning(s)" if warnings else ""))
    return 0


def _cmd_new(args) -> int:
    from renderer.scene.scaffold import scaffold_scene

    written = scaffold_scene(args.scene, args.sources, force=args.force)
    print(f"wrote {written}; check it with: prosector validate {written}")
    return 0


def _cmd_info(args) -> int:
    from renderer.commands.info import info_command

    return info_command(args)


def _cmd_preview(args) -> int:
    from renderer.commands.preview import preview_command

    return preview_command(args)


def _cmd_schema(args) -> int:
    from renderer.scene.schema import schema_text, write_schema

    if args.output is None:
        print(schema_text(), end="")
    else:
        write_schema(args.output)
        print(f"wrote {args.output}")
    return 0


def _cmd_bench(args) -> int:
    from renderer.commands.bench import bench_command

    return bench_command(args)


def _cmd_xr(args) -> int:
    from renderer.commands.xr import xr_command

    return xr_command(args)


def _cmd_library(args) -> int:
    from renderer.commands.library import library_command

    return library_command(args)


def _cmd_export(args) -> int:
    from renderer.commands.export import export_command

    return export_command(args)


def _cmd_examples(args) -> int:
    from renderer.commands.examples import examples_command

    return examples_command(args)


def _cmd_classroom(args) -> int:
    from renderer.commands.classroom import classroom_command

    return classroom_command(args)


def _cmd_bake(args) -> int:
    from renderer.commands.bake import bake_command

    return bake_command(args)


COMMANDS = {
    "library": _cmd_library,
    "bake": _cmd_bake,
    "classroom": _cmd_classroom,
    "examples": _cmd_examples,
    "render": _cmd_render,
    "validate": _cmd_validate,
    "new": _cmd_new,
    "info": _cmd_info,
    "schema": _cmd_schema,
    "bench": _cmd_bench,
    "preview": _cmd_preview,
    "xr": _cmd_xr,
    "export": _cmd_export,
}

if __name__ == "__main__":
    raise SystemExit(main())
