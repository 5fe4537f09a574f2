"""`prosector export`: the scene as a glTF binary (--glb) and/or a static lesson web site (--web)."""

from __future__ import annotations

import time
from pathlib import Path

from renderer import cli_args
from renderer.errors import ProsectorError


def add_export_parser(sub) -> None:
    from renderer.export.budgets import BUDGETS

    export = sub.add_parser("export", help="write the lesson as a glTF file (--glb) or a web page (--web)")
    export.add_argument("scene", type=Path)
    export.add_argument("--glb", type=Path, metavar="OUT.glb", help="glTF 2.0 binary to write")
    export.add_argument("--web", type=Path, metavar="DIR", help="folder for a self-contained lesson web site")
    export.add_argument("--device", choices=tuple(BUDGETS), default="quest",
                        help="size and triangle budget: phone, quest (default) or desktop")
    export.add_argument("--no-compress", action="store_true",
                        help="write plain float meshes (no quantisation or meshopt; no Node.js needed)")
    cli_args.asset_root_option(export)


def export_command(args) -> int:
    from renderer.commands.output import check_output_path
    from renderer.export.budgets import BUDGETS
    from renderer.export.compress import compress, compression_available
    from renderer.export.glb import build_glb
    from renderer.scene.load import load_scene

    if args.glb is None and args.web is None:
        raise ProsectorError("say what to write: --glb lesson.glb, --web site/, or both")
    if args.glb is not None:
        check_output_path(args.glb, protected=[args.scene], suffix=".glb")
    if args.web is not None:
        from renderer.export.site import check_site_folder

        check_site_folder(args.web)
    budget = BUDGETS[args.device]
    started = time.perf_counter()
    loaded = load_scene(args.scene, asset_roots=args.asset_root)
    print(f"building glTF for {args.device} ({loaded.triangle_count:,} mesh triangles) ...", flush=True)
    result = build_glb(loaded, budget)
    data = result.data
    if args.no_compress:
        how = "uncompressed"
    elif (reason := compression_available()) is not None:
        how = f"uncompressed: {reason}"
    else:
        print("compressing with gltfpack (quantisation + meshopt) ...", flush=True)
        data = compress(data, budget, result.triangles)
        how = "quantised, meshopt-compressed"
    for note in result.notes:
        print(f"  {note}")
    from renderer.export.gltf_builder import read_glb_json, triangle_count

    triangles = triangle_count(read_glb_json(data))
    over = len(data) > budget.max_bytes or triangles > budget.max_triangles
    simplified = f", simplified from {result.triangles:,}" if triangles < result.triangles else ""
    print(f"  {len(data) / 1e6:.2f} MB, {triangles:,} triangles{simplified} ({how}; {args.device} budget "
          f"{budget.max_megabytes:g} MB, {budget.max_triangles:,} triangles){' OVER BUDGET' if over else ''}")
    if args.glb is not None:
        from renderer.atomic_file import write_atomically

        write_atomically(args.glb, lambda handle: handle.write(data))
        print(f"wrote {args.glb}")
    if args.web is not None:
        from renderer.export.site import write_site

        lesson = {**result.lesson, "classroom": _classroom_identity(loaded)}
        for note in write_site(args.web, data, lesson):
            print(f"  {note}")
        steps, languages = len(result.lesson["steps"]), result.lesson["languages"]
        example = f"?step=1&lang={languages[-1]}" if steps else f"?lang={languages[-1]}"
        print(f"wrote {args.web}/index.html ({steps} step(s), languages {', '.join(languages)}); open it in a "
              f"browser from the folder or a USB stick, e.g. {args.web / 'index.html'}{example}")
    print(f"export took {time.perf_counter() - started:.1f} s")
    return 0


def _classroom_identity(loaded) -> dict:
    """What the page checks a classroom against: the SHA-256 of the lesson bundle, by which a
    teacher's `classroom lead` or `preview --lead` names this lesson (docs/classroom.md)."""
    from renderer.classroom.bundle import make_bundle

    try:
        return {"bundle": make_bundle(loaded)[0]}
    except ProsectorError as exc:
        print(f"  this page cannot follow a classroom: {exc}")
        return {"bundle": None}
