"""`prosector render`: one scene to one PNG (mono, or both eyes side by side), or one PNG per lesson step."""

from __future__ import annotations

import math
from pathlib import Path

from renderer import progress
from renderer.commands.output import check_output_path
from renderer.errors import ProsectorError
from renderer.passes.options import RenderOptions
from renderer.scene.languages import check_language_option
from renderer.scene.load import LoadedScene, load_scene
from renderer.scene.model import Camera
from renderer.scene.step_state import scene_state, start_step
from renderer.screenshots import write_png


def render_command(args) -> int:
    all_steps = getattr(args, "all_steps", False)
    step = getattr(args, "step", None)
    lang = getattr(args, "lang", None)
    if all_steps and step is not None:
        raise ProsectorError("use either --step N or --all-steps, not both")
    if all_steps:
        _check_output_dir(args.output, args.scene)
    else:
        check_output_path(args.output, protected=[args.scene])
    loaded = load_scene(args.scene, asset_roots=args.asset_root)
    check_language_option(loaded.scene, lang)
    steps = _steps(loaded, all_steps, step)
    say = (lambda *_: None) if getattr(args, "quiet", False) else print
    states = {index: scene_state(loaded, index, lang) for index in steps}  # raises before any GL work
    from renderer.headless import HeadlessRenderer  # imports OpenGL: only once the scene is valid

    width, height = args.size
    with HeadlessRenderer(timing=args.timing) as headless:
        headless.load(loaded)
        if args.time is not None:
            driver = headless.deform(args.time)
            if driver.parts:
                say(f"posed {len(driver.parts)} deformable part(s) at t = {args.time:g} s on {driver.backend.name} "
                    f"({driver.handoff_reason})")
        options = still_options(headless.options(view_mode=args.view), args, say)
        for index, state in progress.track(states.items(), "rendering steps", unit="step"):
            headless.scene.apply(state)
            camera = _camera(state.camera or headless.camera(width / height), args)
            if args.timing:  # an untimed frame first: shader compiles and first-use costs are not pass time
                headless.render(width, height, camera, options, stereo=args.stereo, ipd_m=args.ipd)
            image = headless.render(width, height, camera, options, stereo=args.stereo, ipd_m=args.ipd)
            if getattr(args, "captions", False):
                from renderer.labels.captions import caption_blocks, with_caption

                language = state.language
                blocks = caption_blocks(loaded, index, language, height)
                image = with_caption(image, blocks, language, loaded.scene.render.background)
            output = args.output / f"step-{index + 1:02d}.png" if all_steps else args.output
            write_png(output, image)
            label = f"step {index + 1}: {state.title}, " if index is not None else ""
            say(f"wrote {output} ({label}{image.shape[1]}x{image.shape[0]}, {drawn_summary(headless.scene)})")
            if args.timing:
                for view_index, result in enumerate(headless.last_results):
                    figures = ", ".join(f"{name} {ms:.2f} ms" for name, ms in result.timings_ms.items())
                    print(f"view {view_index}: {figures or 'no pass could be timed'}")
    return 0


def drawn_summary(scene) -> str:
    """What was drawn, honestly counted: visible mesh triangles, molecule triangles (cartoons,
    surfaces) and atoms (impostors). `scene` is a GpuScene after `apply`."""
    mesh_triangles = sum(p.mesh.source.triangle_count for p in scene.parts.values() if p.visible and not p.overlay)
    molecules = [m for m in scene.molecules.values() if m.visible and m.occludes]
    molecule_triangles = sum(m.triangle_count for m in molecules)
    text = f"{mesh_triangles + molecule_triangles:,} triangles"
    if molecule_triangles:
        text += f" ({molecule_triangles:,} in molecule cartoons and surfaces)"
    atoms = sum(m.sphere_count for m in molecules)
    if atoms:
        text += f", {atoms:,} atoms"
    return text


def _steps(loaded: LoadedScene, all_steps: bool, step: int | None) -> list[int | None]:
    """0-based step indices to render. Without --step, a scene with a lesson shows step 1, as the
    preview and the headset start there; --step 0 shows the scene as declared, before any step."""
    count = len(loaded.scene.lesson.steps) if loaded.scene.lesson else 0
    if all_steps:
        if count == 0:
            raise ProsectorError(f"{loaded.path} has no lesson, so --all-steps has nothing to render")
        return list(range(count))
    if step is None or step == 0:
        return [start_step(loaded.scene, step)]
    if not 1 <= step <= count:
        raise ProsectorError(f"--step {step}: the lesson has {count} step(s); steps are numbered from 1"
                             if count else f"--step {step}: {loaded.path} has no lesson")  # fmt: skip
    return [step - 1]


def _check_output_dir(output: Path, scene: Path) -> None:
    if output.suffix.lower() in (".png", ".yaml", ".yml", ".json"):
        raise ProsectorError(f"with --all-steps, -o names a folder (one PNG per step), not {output}")
    if output.exists() and not output.is_dir():
        raise ProsectorError(f"{output} exists and is not a folder")
    if not output.parent.resolve().is_dir():
        raise ProsectorError(f"folder {output.parent} does not exist")
    output.mkdir(exist_ok=True)


def still_options(options: RenderOptions, args, say=print) -> RenderOptions:
    """Apply --ao-tier/--ao-radius/--ao-samples; a still image accumulates many ray-traced frames.

    Shadows exist only in the ray-traced tier, so `--view shadow` switches to it (and says so) unless
    another tier was asked for explicitly."""
    tier = getattr(args, "ao_tier", None)
    if getattr(args, "view", None) == "shadow":
        if tier in ("ssao", "off"):
            raise ProsectorError(f"--view shadow needs ray-traced shadows; --ao-tier {tier} has none. "
                                 "Use --ao-tier raytraced (or leave --ao-tier out)")  # fmt: skip
        if tier is None and not (options.ao_tier == "raytraced" and options.ambient_occlusion):
            say("--view shadow: using the ray-traced tier (the scene's own tier casts no shadows)")
            tier = "raytraced"
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
