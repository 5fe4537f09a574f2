"""Fuzzing the loader with mutated example files: whatever the bytes, it answers with a SceneError
(or a valid scene), promptly, and never crashes, hangs or raises anything else."""

from __future__ import annotations

import shutil
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from renderer.errors import SceneError
from renderer.scene.load import load_scene
from tests.conftest import ROOT, SCENES

EXAMPLES = {p.name: p.read_text(encoding="utf-8") for p in sorted(SCENES.glob("*.yaml"))}
TOKENS = ["\n", ": ", "- ", "{", "}", "[", "]", ",", "&a ", "*a", "!!python/object:os.system ", "<<: ", "\t", "null",
          "~", "'", '"', "#", "1e999", "nan", "-1", "0", "true", "../../", "include: [x.yaml]\n", "version: 2\n",
          "  ", "parts", "lesson", "steps", "show", "?", "|", ">", "%YAML 1.1\n", "\x00", "é", "股骨"]  # fmt: skip


@st.composite
def mutated(draw):
    name = draw(st.sampled_from(sorted(EXAMPLES)))
    text = EXAMPLES[name]
    for _ in range(draw(st.integers(1, 6))):
        position = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["insert", "delete", "replace", "duplicate"]))
        span = draw(st.integers(1, 40))
        if action == "insert":
            text = text[:position] + draw(st.sampled_from(TOKENS) | st.text(max_size=8)) + text[position:]
        elif action == "delete":
            text = text[:position] + text[position + span :]
        elif action == "replace":
            text = text[:position] + draw(st.sampled_from(TOKENS)) + text[position + span :]
        else:
            text = text[:position] + text[position : position + span] * 3 + text[position:]
    return name, text


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    """A copy of scenes/ (so includes resolve) where mutated files are written; assets stay bundled."""
    folder = tmp_path_factory.mktemp("fuzz")
    for name in EXAMPLES:
        shutil.copy(SCENES / name, folder / name)
    return folder


@settings(max_examples=120, deadline=2000, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])  # fmt: skip
@given(case=mutated())
def test_mutated_examples_give_scene_errors_only(sandbox, case):
    name, text = case
    target = sandbox / f"mutant-{name}"
    target.write_text(text, encoding="utf-8", errors="surrogatepass")
    started = time.perf_counter()
    try:
        load_scene(target, load_assets=False, asset_roots=[ROOT / "assets"])
    except SceneError as exc:
        assert exc.problems, "a SceneError must carry at least one problem"
        for problem in exc.problems:
            assert problem.line >= 1 and problem.column >= 1 and problem.message
    assert time.perf_counter() - started < 2.0


def test_alias_bomb_is_bounded(tmp_path):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]" for i in range(1, 12)]
    (tmp_path / "bomb.yaml").write_text("version: 1\n" + "\n".join(lines) + "\n")
    started = time.perf_counter()
    with pytest.raises(SceneError, match="document too large"):
        load_scene(tmp_path / "bomb.yaml", load_assets=False)
    assert time.perf_counter() - started < 5.0


def test_python_object_tags_are_refused(tmp_path):
    (tmp_path / "evil.yaml").write_text("version: 1\nparts: !!python/object/apply:os.system [echo hi]\n")
    with pytest.raises(SceneError, match="YAML tag tag:yaml.org,2002:python/object/apply:os.system is not allowed"):
        load_scene(tmp_path / "evil.yaml", load_assets=False)
