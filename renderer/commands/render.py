"""`prosector render`: one scene to one PNG (mono, or both eyes side by side)."""

from __future__ import annotations

from renderer.commands.output import check_output_path, write_png
from renderer.errors import ProsectorError
from renderer.scene.load import load_scene
from renderer.scene.model import Camera


def render_command(args) -> int:
    check_output_path(args.output, protected=[args.scene])
    loaded = load_scene(args.scene, asset_roots=args.asset_root)
    from renderer.headless import HeadlessRenderer  # imports OpenGL: only once the scene is valid

    width, height = args.size
    with HeadlessRenderer(timing=args.timing) as headless:
        headless.load(loaded)
        if args.time is not None:
            driver = headless.deform(args.time)
            if driver.parts:
                print(f"posed {len(driver.parts)} deformable part(s) at t = {args.time:g} s on {driver.backend.name} "
                      f"({driver.handoff_reason})")  # fmt: skip
        camera = _camera(headless.camera(width / height), args)
        options = headless.options(view_mode=args.view)
        image = headless.render(width, height, camera, options, stereo=args.stereo, ipd_m=args.ipd)
        if args.timing:
            for index, result in enumerate(headless.last_results):
                figures = ", ".join(f"{name} {ms:.2f} ms" for name, ms in result.timings_ms.items())
                print(f"view {index}: {figures}")
    write_png(args.output, image)
    print(f"wrote {args.output} ({image.shape[1]}x{image.shape[0]}, {loaded.triangle_count:,} triangles)")
    return 0


def _camera(base: Camera, args) -> Camera:
    changes = {}
    if args.camera_eye is not None:
        changes["eye_m"] = args.camera_eye
    if args.camera_target is not None:
        changes["target_m"] = args.camera_target
    if args.fov is not None:
        changes["vertical_fov_deg"] = args.fov
    camera = base.model_copy(update=changes)
    if tuple(camera.eye_m) == tuple(camera.target_m):
        raise ProsectorError("--camera-eye and --camera-target are the same point; the camera needs a direction")
    return camera
