"""`prosector bench deform [--json]`: how fast deformation runs on this machine."""

from __future__ import annotations

import json

from renderer.errors import ProsectorError


def bench_command(args) -> int:
    if not 1_000 <= args.vertices <= 20_000_000:
        raise ProsectorError("--vertices must lie between 1000 and 20000000")
    if not 1 <= args.frames <= 10_000:
        raise ProsectorError("--frames must lie between 1 and 10000")
    from renderer.deform.benchmark import format_table, run

    report = run(args.vertices, args.frames, gl=not args.no_gl, warp=not args.no_warp)
    print(json.dumps(report, indent=2) if args.json else format_table(report))
    return 0
