"""The committed JSON Schema matches the model, and the example scenes satisfy it (editors agree with us)."""

from __future__ import annotations

import json

import pytest

from renderer.scene.schema import schema_text
from tests.conftest import ROOT, SCENES

EXAMPLES = sorted(p for p in SCENES.glob("*.yaml"))


def test_committed_schema_matches_the_model():
    committed = (SCENES / "schema.json").read_text(encoding="utf-8")
    assert committed == schema_text(), "scenes/schema.json is stale: run `prosector schema -o scenes/schema.json`"


def test_every_example_names_the_schema_for_editors():
    for scene in EXAMPLES:
        assert scene.read_text(encoding="utf-8").startswith("# yaml-language-server: $schema=schema.json"), scene


@pytest.mark.parametrize("scene", EXAMPLES, ids=lambda p: p.name)
def test_examples_satisfy_the_schema(scene):
    jsonschema = pytest.importorskip("jsonschema")
    from renderer.scene.includes import read_document

    data, _ = read_document(scene, [ROOT])
    jsonschema.validate(data, json.loads(schema_text()))


def test_schema_rejects_what_the_loader_rejects():
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(schema_text())
    good = {"version": 1, "parts": {"femur": {"mesh": "femur.glb", "material": {"base_color": "#ddccbb"}}}}
    jsonschema.validate(good, schema)
    for bad in ({**good, "colour": 1}, {**good, "version": 2},
                {**good, "parts": {"femur": {"mesh": "f.glb", "opacity": 2}}}):  # fmt: skip
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, schema)
