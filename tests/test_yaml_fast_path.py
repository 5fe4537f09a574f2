"""libyaml composes scene files (renderer/scene/yaml_source.py) with exactly the data and positions of
the pure-Python parser; errors and very deep documents still go through the pure-Python parser."""

from __future__ import annotations

import pytest
import yaml

from renderer.errors import SceneError
from renderer.scene import yaml_source
from tests.conftest import SCENES

pytestmark = pytest.mark.skipif(yaml_source._FAST_LOADER is None, reason="PyYAML built without libyaml")


def _both(text: str, monkeypatch):
    fast = yaml_source.load_yaml_text(text, "scene.yaml")
    with monkeypatch.context() as patch:
        patch.setattr(yaml_source, "_FAST_LOADER", None)
        slow = yaml_source.load_yaml_text(text, "scene.yaml")
    return fast, slow


@pytest.mark.parametrize("scene", sorted(SCENES.glob("*.yaml")), ids=lambda p: p.name)
def test_bundled_scenes_compose_identically(scene, monkeypatch):
    (fast_data, fast_source), (slow_data, slow_source) = _both(scene.read_text(encoding="utf-8"), monkeypatch)
    assert fast_data == slow_data
    assert fast_source.values == slow_source.values and fast_source.keys == slow_source.keys


def test_syntax_errors_keep_their_wording(monkeypatch):
    text = "version: 1\nparts:\n  a: {mesh: x.glb\n  b: 2\n"
    messages = []
    for loader in (yaml_source._FAST_LOADER, None):
        monkeypatch.setattr(yaml_source, "_FAST_LOADER", loader)
        with pytest.raises(SceneError) as caught:
            yaml_source.load_yaml_text(text, "scene.yaml")
        messages.append(str(caught.value))
    assert messages[0] == messages[1]


def test_deep_flow_nesting_skips_libyaml(monkeypatch):
    """Deep text is read by the pure-Python parser (the reference for positions and messages), and
    the bounded composer stops it at the nesting limit with a scene error."""
    from renderer.errors import SceneError
    from renderer.scene import yaml_compose

    text = "a: " + "[" * 5000 + "]" * 5000 + "\n"
    assert not yaml_source._shallow(text)
    used = []
    real = yaml_compose._compose_with
    monkeypatch.setattr(yaml_compose, "_compose_with", lambda loader, t, r: used.append(loader) or real(loader, t, r))
    with pytest.raises(SceneError, match="nest"):
        yaml_source.load_yaml_text(text, "deep.yaml")
    assert used == [yaml.SafeLoader]
