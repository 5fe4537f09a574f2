"""`prosector render`: one scene to one PNG (mono, or both eyes side by side)."""

from __future__ import annotations

import math

from renderer.commands.output import check_output_path, write_png
from renderer.errors import ProsectorError
from renderer.passes.options import RenderOptions
from renderer.scene.load import load_scene
from renderer.scene.model import Camera


def render_command(args) -> int:
    check_output_path(args.output, protected=[args.scene])
    loaded = load_scene(args.scene, asset_roots=args.asset_root)
    from renderer.headless import HeadlessRenderer  # imports OpenGL: only once the scene is valid

    width, height = args.size
    with HeadlessRenderer(timing=args.timing) as headless:
        headless.load(loaded)
        camera = _camera(headless.camera(width / height), args)
        options = still_options(headless.options(view_mode=args.view), args)
        image = headless.render(width, height, camera, options, stereo=args.stereo, ipd_m=args.ipd)
        if args.timing:
            for index, result in enumerate(headless.last_results):
                figures = ", ".join(f"{name} {ms:.2f} ms" for name, ms in result.timings_ms.items())
                print(f"view {index}: {figures}")
    write_png(args.output, image)
    print(f"wrote {args.output} ({image.shape[1]}x{image.shape[0]}, {loaded.triangle_count:,} triangles)")
    return 0


def still_options(options: RenderOptions, args) -> RenderOptions:
    """Apply --ao-tier/--ao-radius/--ao-samples; a still image accumulates many ray-traced frames."""
    tier = getattr(args, "ao_tier", None)
    if tier == "off":
        options = options.with_(ambient_occlusion=False)
    elif tier is not None:
        options = options.with_(ao_tier=tier, ambient_occlusion=True)
    if getattr(args, "ao_radius", None) is not None:
        options = options.with_(ao_radius_m=args.ao_radius)
    elif options.ao_tier == "raytraced" and args.view in ("ao", "shadow"):
        options = options.with_(ao_radius_m=math.inf)  # the data views measure the whole scene by default
    if options.ao_tier == "raytraced":
        total = getattr(args, "ao_samples", None) or 64
        rays = min(total, 4)
        options = options.with_(ao_rays_per_pixel=rays, shadow_rays_per_pixel=rays,
                                rt_still_frames=max(1, -(-total // rays)))  # fmt: skip
    return options


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
