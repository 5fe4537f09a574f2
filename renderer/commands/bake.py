"""`prosector bake SCENE... -o DIR`: every lesson x language x step as files (docs/bake.md)."""

from __future__ import annotations

import argparse
from pathlib import Path

from renderer import cli_args
from renderer.errors import ProsectorError


def add_bake_parser(sub) -> None:
    bake = sub.add_parser("bake", help="bake lessons into pictures, videos and handouts (on Ray, or here)")
    bake.add_argument("scenes", type=Path, nargs="+", metavar="SCENE")
    bake.add_argument("-o", "--output", type=Path, required=True, help="folder for the outputs and manifest.json")
    bake.add_argument("--languages", help="comma-separated, e.g. en,zh (default: every language of each scene)")
    bake.add_argument("--size", type=cli_args.size, default=(960, 720), help="WIDTHxHEIGHT of the 3D view")
    bake.add_argument("--workers", type=int, default=2, help="Ray workers (0: bake in this process; default 2)")
    bake.add_argument("--address", metavar="ray://HOST:10001", help="an existing Ray cluster (default: a local one)")
    bake.add_argument("--retries", type=int, default=2, help="tries again for a failed job (default 2)")
    bake.add_argument("--no-video", action="store_true", help="pictures and handouts only")
    bake.add_argument("--no-captions", action="store_true", help="pictures without the step's texts beside them")


def bake_command(args: argparse.Namespace) -> int:
    from renderer.bake.driver import bake

    if not 0 <= args.workers <= 256:
        raise ProsectorError("--workers must lie between 0 and 256")
    if not 0 <= args.retries <= 10:
        raise ProsectorError("--retries must lie between 0 and 10")
    for scene in args.scenes:
        if not scene.is_file():
            raise ProsectorError(f"{scene}: no such scene file")
    if args.output.exists() and not args.output.is_dir():
        raise ProsectorError(f"{args.output} exists and is not a folder")
    languages = [lang.strip() for lang in args.languages.split(",")] if args.languages else None
    for lang in languages or []:
        cli_args.language(lang)
    report = bake(args.scenes, args.output, languages, args.size, workers=args.workers, address=args.address,
                  retries=args.retries, captions=not args.no_captions, video=not args.no_video)  # fmt: skip
    print(f"baked {report.rendered} of {report.planned} step jobs ({report.skipped} already stored, "
          f"{report.retried} retried), {report.handouts} handouts, in {report.seconds:.1f} s; "
          f"see {args.output / 'manifest.json'}")  # fmt: skip
    for failure in report.failed:
        print(f"failed: {failure}")
    return 1 if report.failed else 0
