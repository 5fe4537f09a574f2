"""The campaign's phases beyond the frames: which workloads to build, deformation, soft body, governor."""

from __future__ import annotations

from pathlib import Path


def build_workloads(scenes: list[str], profile, tmp: Path, whole_body: Path | None, workloads,
                    extra: list[Path] = ()) -> list:  # fmt: skip
    """The workloads in the order asked for, then the `extra` scene files; generated files go under `tmp`."""
    builders = {
        "brain": workloads.brain,
        "whole-body": lambda: workloads.whole_body(whole_body),
        "dense": lambda: workloads.dense_mesh(tmp, profile.dense_triangles),
        "atoms": lambda: workloads.tiled_atoms(tmp, profile.atoms),
    }
    out = [builders[name]() for name in scenes]
    for path in extra:
        out.append(workloads.Workload(path.stem, path.resolve(), str(path)) if path.is_file() else
                   workloads.Workload(path.stem, None, str(path), skipped=f"{path} not found"))  # fmt: skip
    return out


def deform_phase(headless, profile, progress) -> list[dict]:
    from compute import deformation_cases

    context = headless.context if headless is not None else None
    if context is not None:
        context.make_current()
    return deformation_cases(context, profile.deform_vertices, profile.deform_frames, progress)


def soft_body_phase(profile, progress) -> list[dict]:
    from compute import soft_body_cases

    return soft_body_cases(profile.soft_cells, profile.soft_frames, substeps=10, progress=progress)


def governor_phase(headless, profile, campaign, progress, workloads) -> list[dict]:
    """The governor on the default scene at the headset's eye size (the one scene a lesson opens with)."""
    from governor import governor_case

    if headless is None:
        return [{"name": "governor/brain", "frame_ms": None, "passes_ms": {},
                 "skipped": campaign.report["device"].get("gl", {}).get("why", "no GL")}]  # fmt: skip
    return [governor_case(headless, workloads.brain(), profile.eye, profile.governor_window,
                          profile.governor_max_frames, progress=progress)]  # fmt: skip
