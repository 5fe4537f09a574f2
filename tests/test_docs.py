"""docs/scene-format.md covers every key of the scene model and shows exactly the pictures that
tools/make_docs.py renders."""

from __future__ import annotations

import importlib.util
import re
import typing

from pydantic import BaseModel

from renderer.scene.materials import PRESETS
from renderer.scene.model import Scene
from tests.conftest import ROOT

DOC = ROOT / "docs" / "scene-format.md"


def all_models(root: type[BaseModel]) -> dict[str, type[BaseModel]]:
    found: dict[str, type[BaseModel]] = {}
    stack = [root]
    while stack:
        model = stack.pop()
        if model.__name__ in found:
            continue
        found[model.__name__] = model

        def walk(annotation):
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                stack.append(annotation)
            for argument in typing.get_args(annotation):
                walk(argument)

        for field in model.model_fields.values():
            walk(field.annotation)
    return found


def test_doc_mentions_every_field_of_the_model():
    text = DOC.read_text(encoding="utf-8")
    missing = [f"{name}.{field}" for name, model in all_models(Scene).items() for field in model.model_fields
               if f"`{field}`" not in text]  # fmt: skip
    assert not missing, f"document these keys in docs/scene-format.md: {missing}"


def test_doc_lists_every_material_preset():
    text = DOC.read_text(encoding="utf-8")
    assert [p for p in PRESETS if f"`{p}`" not in text] == []


def test_doc_pictures_are_those_the_script_renders():
    spec = importlib.util.spec_from_file_location("make_docs", ROOT / "tools" / "make_docs.py")
    make_docs = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_docs)
    shown = set(re.findall(r"\]\(images/([^)]+)\)", DOC.read_text(encoding="utf-8")))
    assert shown == set(make_docs.IMAGES)
    for name in shown:
        assert (ROOT / "docs" / "images" / name).stat().st_size > 10_000, f"run python tools/make_docs.py ({name})"
