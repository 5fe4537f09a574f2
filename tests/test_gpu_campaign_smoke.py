"""The GPU campaign (benchmarks/gpu_campaign.py) at smoke sizes on llvmpipe: the command the GPU machine runs
must work end to end before a device is lent, and its JSON must hold what RESULTS.md is written from."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
DEFORMERS = ("heartbeat", "breathing", "muscle_contraction", "skinning_linear", "skinning_dual_quaternion",
             "exploded_view", "soft_tissue")  # fmt: skip
TIERS = ("ssao", "raytraced", "off")


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("campaign") / "smoke.json"
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "gpu_campaign.py"), "--smoke", "--json", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=900)  # fmt: skip
    assert done.returncode == 0, f"campaign failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    assert "| case | frame ms |" in done.stdout  # the table a device session reads in its output tail
    return json.loads(out.read_text())


def _cases(report: dict) -> dict[str, dict]:
    return {c["name"]: c for c in report["cases"]}


@pytest.mark.gl
@pytest.mark.slow
def test_device_says_what_ran_it(report):
    assert report["complete"] is True and report["profile"] == "smoke"
    gl = report["device"]["gl"]
    for key in ("vendor", "renderer", "version", "platform"):
        assert gl[key] and gl[key] != "?", key
    assert gl["version"].startswith("4.")
    assert gl["call_overhead_us"] > 0
    cuda = report["device"]["cuda"]
    assert cuda["ok"] is True and cuda["name"] or cuda["ok"] is False and cuda["why"]
    assert report["device"]["host"]["cpus"] >= 1


@pytest.mark.gl
@pytest.mark.slow
def test_every_case_has_a_time_or_a_reason(report):
    assert report["cases"]
    for case in report["cases"]:
        assert case["name"] and isinstance(case["passes_ms"], dict)
        if case.get("skipped"):
            assert case["frame_ms"] is None and len(case["skipped"]) > 10, case
        else:
            assert isinstance(case["frame_ms"], float) and math.isfinite(case["frame_ms"]) and case["frame_ms"] >= 0
            assert all(math.isfinite(v) and v >= 0 for v in case["passes_ms"].values()), case
    assert not any("time budget" in c.get("skipped", "") for c in report["cases"])  # smoke runs every phase


@pytest.mark.gl
@pytest.mark.slow
def test_stereo_frames_per_tier_with_pass_times_and_draw_calls(report):
    cases = _cases(report)
    for scene in ("brain", "atoms", "dense"):
        for tier in TIERS:
            case = cases[f"frame/{scene}/{tier}"]
            assert not case.get("skipped"), case
            assert case["stereo"] is True and case["eye"] == [32, 32]
            assert {"prepass", "shading", "present"} <= set(case["passes_ms"]), case["passes_ms"]
            assert case["frame_ms"] == pytest.approx(sum(case["passes_ms"].values()), rel=0.2, abs=1.0)
            assert case["draw_calls"] >= 4  # prepass, shading, present of two eyes at least
            assert case["gl_calls"] > case["draw_calls"] + case["dispatches"]  # binds and uniforms around them
        assert "ao" in cases[f"frame/{scene}/ssao"]["passes_ms"]
        assert "rt_trace" in cases[f"frame/{scene}/raytraced"]["passes_ms"]
        assert cases[f"frame/{scene}/raytraced"]["dispatches"] > 0  # the tracer runs as compute shaders
        assert not any(k.startswith("rt_") for k in cases[f"frame/{scene}/ssao"]["passes_ms"])
    assert cases["frame/atoms/ssao"]["atoms"] >= 3000  # 1hpv tiled, not one copy
    assert cases["frame/dense/ssao"]["triangles"] == pytest.approx(report["profile_sizes"]["dense_triangles"], rel=0.05)
    # Four mesh parts draw more than the atoms scene's one floor part: the count follows the scene.
    assert cases["frame/dense/off"]["draw_calls"] > cases["frame/atoms/off"]["draw_calls"]
    whole = cases["frame/whole-body/ssao"]
    assert "whole" in whole["skipped"]  # absent from the checkout, or too slow for llvmpipe: either way, said
    ratios = report["summary"]["scenes"]["brain"]
    assert ratios["raytraced_over_ssao"] > 0 and ratios["trace_pass_over_ao_pass"] > 0
    assert ratios["submission_floor_ms"] > 0


@pytest.mark.gl
@pytest.mark.slow
def test_deformers_soft_body_and_governor(report):
    cases = _cases(report)
    for name in DEFORMERS:
        numpy_case = cases[f"deform/{name}/numpy-upload"]
        assert numpy_case["frame_ms"] > 0 and {"deform", "normals", "handoff"} <= set(numpy_case["passes_ms"])
        for variant in ("cupy-upload", "cupy-interop"):
            case = cases[f"deform/{name}/{variant}"]
            assert case.get("skipped") or case["frame_ms"] > 0
    if not report["device"]["cuda"]["ok"]:
        assert "CuPy" in cases["deform/heartbeat/cupy-interop"]["skipped"]
    soft = cases["soft_body/numpy"]
    assert soft["substeps"] == 10 and soft["tetrahedra"] > 0 and soft["frame_ms"] > 0
    governor = cases["governor/brain"]
    assert governor["budget_ms"] == pytest.approx(11.111, abs=1e-3)
    assert 0 <= governor["level"] < governor["rungs"] and governor["chosen"].startswith("MSAA")
    # llvmpipe is far over 11.1 ms, so the governor must have stepped down from the best quality.
    assert governor["level"] > 0 and governor["changes"]


def test_structure_cache_round_trips_1hpv(tmp_path):
    sys.path.insert(0, str(ROOT / "benchmarks" / "campaign"))
    import structure_cache

    from renderer.molecules.io import read_structure

    original = read_structure(ROOT / "assets" / "molecules" / "1hpv.pdb")
    structure_cache.save(original, tmp_path / "1hpv.npz")
    again = structure_cache.load(tmp_path / "1hpv.npz")
    assert again.atom_count == original.atom_count > 1000
    for name in ("positions_a", "elements", "res_names", "chain_ids", "bonds", "secondary", "hetero"):
        assert np.array_equal(getattr(again, name), getattr(original, name)), name
    assert again.title == original.title and again.model_count == original.model_count
