"""The JSON Schema of scene files, generated from the model, for editors that complete and check
YAML as teachers type (`# yaml-language-server: $schema=schema.json` at the top of a scene).

`scenes/schema.json` is committed; `prosector schema -o scenes/schema.json` regenerates it and a
test fails when the committed copy drifts from the model.
"""

from __future__ import annotations

import json
from pathlib import Path

from renderer.atomic_file import write_atomically
from renderer.scene.model import FORMAT_VERSION, Scene

SCHEMA_ID = f"https://prosector.invalid/schema/scene-v{FORMAT_VERSION}.json"


def scene_schema() -> dict:
    schema = Scene.model_json_schema(mode="validation")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **schema,
            "title": f"Prosector scene file, format version {FORMAT_VERSION}"}  # fmt: skip


def schema_text() -> str:
    return json.dumps(scene_schema(), indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def write_schema(path: Path) -> None:
    """Write atomically (temporary file + rename), with the permissions the user's umask gives."""
    text = schema_text().encode("utf-8")
    write_atomically(Path(path), lambda handle: handle.write(text))
