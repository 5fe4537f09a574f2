"""The fuzz campaign in CI: a few hundred mutated scenes, meshes and molecules under a time budget, each
in its own process; and the harness itself detects what it is meant to (internal errors, hangs, memory).

The campaign command (`python -m tools.fuzz --cases 10000`) runs the same code; its figures are in
benchmarks/RESULTS.md.
"""

from __future__ import annotations

import random

import pytest

import renderer.scene.load as scene_load
from tools.fuzz.campaign import run_campaign
from tools.fuzz.corpus import build_corpus
from tools.fuzz.mutate import Case, make_case
from tools.fuzz.runner import Sandbox, address_limit_for, run_case

CI_CASES = 300
CI_BUDGET_S = 120  # seconds of case-running per worker; the rest of the 3 minutes is warm-up


def test_ci_campaign_finds_no_internal_errors_hangs_or_memory_blowups(tmp_path):
    summary = run_campaign(CI_CASES, workers=2, seed=7, out=tmp_path, budget_s=CI_BUDGET_S, quiet=True)
    failures = "\n".join(f"case {f['index']} ({f['note']}): {f['outcome']}\n{f['detail'][-600:]}"
                         for f in summary["failures"][:5])  # fmt: skip
    assert summary["worker_failures"] == []
    assert summary["cases"] >= 40, summary  # how many fit the budget depends on the machine's load
    assert summary["internal_errors"] == 0, failures
    assert summary["over_10_s"] == 0, failures  # CPU seconds: a loaded machine does not inflate them
    assert summary["peak_rss_mb"] < 1024, summary["heaviest"]
    assert set(summary["by_kind"]) >= {"scene", "mesh", "molecule"} or summary["cases"] < 100


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    return Sandbox(tmp_path_factory.mktemp("runner") / "box")


def _case() -> Case:
    return Case("scene", {"case.yaml": b"version: 1\nparts: {}\n"})


def test_runner_reports_an_internal_error(sandbox, monkeypatch):
    def broken(*_args, **_kwargs):
        raise KeyError("a bug")

    monkeypatch.setattr(scene_load, "load_scene", broken)  # the forked child inherits the patch
    outcome = run_case(0, _case(), sandbox, 10.0, address_limit_for(2**30))
    assert outcome.outcome == "internal" and "KeyError: 'a bug'" in outcome.detail


def test_runner_reports_a_hang(sandbox, monkeypatch):
    def spin(*_args, **_kwargs):
        while True:
            pass

    monkeypatch.setattr(scene_load, "load_scene", spin)
    outcome = run_case(0, _case(), sandbox, 1.0, address_limit_for(2**30))
    assert outcome.outcome == "timeout" and outcome.cpu_seconds >= 0.9


def test_runner_reports_a_blocked_case(sandbox, monkeypatch):
    def block(*_args, **_kwargs):
        with open(sandbox.scenes / "fifo.bin", "rb") as pipe:  # no writer: blocks without using CPU
            pipe.read()

    monkeypatch.setattr(scene_load, "load_scene", block)
    outcome = run_case(0, _case(), sandbox, 10.0, address_limit_for(2**30))
    assert outcome.outcome == "timeout" and outcome.cpu_seconds < 5


def test_runner_measures_memory_and_stops_runaway_allocations(sandbox, monkeypatch):
    def allocate(*_args, **_kwargs):
        chunks = [bytearray(200 * 2**20)]  # touched: counted in the resident set
        chunks.append(bytearray(4 * 2**30))  # past the address-space limit: MemoryError

    monkeypatch.setattr(scene_load, "load_scene", allocate)
    outcome = run_case(0, _case(), sandbox, 10.0, address_limit_for(2**30))
    assert outcome.outcome == "internal" and "MemoryError" in outcome.detail and outcome.peak_rss_mb > 200


def test_cases_are_reproducible_and_cover_every_kind(tmp_path):
    corpus = build_corpus(tmp_path / "cache", seed=1)
    assert len(corpus.scenes) >= 5 and len(corpus.meshes) >= 10 and len(corpus.molecules) >= 5
    assert any(name.endswith(".obj") for name in corpus.meshes) and any(n.endswith(".gltf") for n in corpus.meshes)
    first = [make_case(corpus, random.Random(f"1:{i}")) for i in range(200)]
    again = [make_case(corpus, random.Random(f"1:{i}")) for i in range(200)]
    assert [c.files for c in first] == [c.files for c in again]
    assert {c.kind for c in first} == {"scene", "mesh", "molecule", "hostile"}


def test_every_hostile_reference_can_be_written_into_an_obj():
    """The 10,000-case campaign of seed 4 lost a worker (and half its cases) to a hostile name with a
    backslash used as a re.sub template; every reference must make an OBJ mutation."""
    from tools.fuzz.mutate import HOSTILE_REFERENCES, _mutate_obj

    obj = b"mtllib bone.mtl\nv 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\nmap_Kd bone.png\n"
    for seed in range(200):
        mutated = _mutate_obj(obj, random.Random(seed))
        assert isinstance(mutated, bytes)
    assert any("\\" in reference for reference in HOSTILE_REFERENCES)
