"""Regenerate the pictures of docs/scene-format.md from the example scenes, with Prosector itself.

    python tools/make_docs.py            # writes docs/images/*.png (about half a minute on a CPU)
    python tools/make_docs.py NAME.png   # only that one

Each entry of IMAGES names a scene, a lesson step (1-based; None: the scene as declared) and a
language; tests/test_docs.py checks that the document shows exactly these files.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SIZE = (480, 360)
IMAGES = {
    "brain-default.png": ("brain.yaml", None, "en"),
    "lesson-step-1.png": ("brain-lesson.yaml", 1, "en"),
    "lesson-step-2-clip-plane.png": ("brain-lesson.yaml", 2, "en"),
    "lesson-step-3-labels.png": ("brain-lesson.yaml", 3, "en"),
    "lesson-step-4-explode.png": ("brain-lesson.yaml", 4, "en"),
    "lesson-step-5-zh.png": ("brain-lesson.yaml", 5, "zh"),
    "lesson-step-6-question.png": ("brain-lesson.yaml", 6, "en"),
    "muscle-and-molecule.png": ("muscle-and-molecule.yaml", 1, "en"),
    "hiv-protease-step-3.png": ("hiv-protease-lesson.yaml", 3, "en"),
    "library-whole-body.png": ("whole-body.yaml", 1, "en"),
    "knee-step-2-explode-directions.png": ("knee-lesson.yaml", 2, "en"),
    "hiv-protease-step-2-measure.png": ("hiv-protease-lesson.yaml", 2, "en"),
}


def main(only: list[str] | None = None) -> int:
    """Write every image, or those named in `only` (file names as in IMAGES)."""
    from renderer.headless import HeadlessRenderer
    from renderer.scene.load import load_scene
    from renderer.scene.step_state import scene_state
    from renderer.screenshots import write_png

    out = ROOT / "docs" / "images"
    out.mkdir(parents=True, exist_ok=True)
    with HeadlessRenderer() as headless:
        for name, (scene_file, step, lang) in IMAGES.items():
            if only and name not in only:
                continue
            loaded = load_scene(ROOT / "scenes" / scene_file)
            state = scene_state(loaded, None if step is None else step - 1, lang)
            headless.load(loaded)
            headless.scene.apply(state)
            camera = state.camera or headless.camera(SIZE[0] / SIZE[1])
            write_png(out / name, headless.render(*SIZE, camera, headless.options()))
            print(f"wrote docs/images/{name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:] or None))
