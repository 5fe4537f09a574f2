"""Order-independent transparency for nested translucent parts (skin over skull over brain)."""

from __future__ import annotations

import numpy as np
import pytest

from renderer.scene.load import load_scene

pytestmark = pytest.mark.gl
SIZE = 96


@pytest.fixture
def nested(tmp_path):
    """Concentric shells (skin, skull) around an opaque core (brain), centres coinciding exactly."""
    import trimesh

    for name, radius in (("outer", 0.1), ("middle", 0.075), ("core", 0.05)):
        trimesh.creation.icosphere(subdivisions=3, radius=radius).export(tmp_path / f"{name}.glb")

    def scene(order):
        parts = {
            "skin": "  skin: {mesh: outer.glb, material: skin, opacity: 0.35}\n",
            "skull": "  skull: {mesh: middle.glb, material: bone, opacity: 0.5}\n",
            "brain": "  brain: {mesh: core.glb, material: brain_grey_matter}\n",
        }
        path = tmp_path / f"{'_'.join(order)}.yaml"
        path.write_text("version: 1\ncamera: {eye_m: [0, 0, 0.4], target_m: [0, 0, 0]}\nparts:\n"
                        + "".join(parts[name] for name in order))  # fmt: skip
        return path

    return scene


def _render(headless, scene, transparency):
    headless.load(load_scene(scene))
    options = headless.options(transparency=transparency)
    return headless.render(SIZE, SIZE, None, options).astype(np.int16)


def test_weighted_blending_does_not_depend_on_part_order(headless, nested):
    a = _render(headless, nested(("skin", "skull", "brain")), "weighted")
    b = _render(headless, nested(("skull", "skin", "brain")), "weighted")
    assert np.abs(a - b).max() <= 2
    # Sorting whole parts by centre cannot order shells that share a centre: the file order leaks in.
    c = _render(headless, nested(("skin", "skull", "brain")), "sorted")
    d = _render(headless, nested(("skull", "skin", "brain")), "sorted")
    assert np.abs(c - d).max() > 10


def test_every_layer_contributes(headless, nested):
    """The centre pixel sees skin and skull over the brain: it differs from the brain alone and from
    the brain under the skin alone."""
    all_layers = _render(headless, nested(("skin", "skull", "brain")), "weighted")
    brain_only = _render(headless, nested(("brain",)), "weighted")
    skin_and_brain = _render(headless, nested(("skin", "brain")), "weighted")
    centre = SIZE // 2
    assert np.abs(all_layers[centre, centre] - brain_only[centre, centre]).max() > 8
    assert np.abs(all_layers[centre, centre] - skin_and_brain[centre, centre]).max() > 4

