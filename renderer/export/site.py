"""Write the lesson as a static web site: index.html, the bundled viewer, the scene as a script.

Everything loads as classic scripts (no ES modules, no fetch), because Chrome blocks both for
file:// pages: the site opens from a USB stick by double-clicking index.html, and from any static
web server. The GLB travels base64-encoded inside scene.js; the lesson JSON beside it.
"""

from __future__ import annotations

import base64
import html
import json
import shutil
from pathlib import Path

from renderer.errors import ProsectorError
from renderer.export.compress import DIST
from renderer.export.fonts import FONT_STACK, font_face_css
from renderer.scene.fields import text_in

SITE_MARKER = "prosector-lesson-site"
VIEWER_FILES = ("viewer.js", "viewer.css", "xr-emulator.js", "THIRD-PARTY-LICENSES.txt")


def check_site_folder(folder: Path) -> None:
    """Refuse to write into a folder holding anything but a previous export (or nothing)."""
    if folder.exists() and not folder.is_dir():
        raise ProsectorError(f"{folder} exists and is not a folder; --web names a folder to create")
    if not folder.resolve().parent.is_dir():
        raise ProsectorError(f"folder {folder.parent} does not exist")
    if folder.is_dir() and any(folder.iterdir()):
        index = folder / "index.html"
        if not (index.is_file() and SITE_MARKER in index.read_text(encoding="utf-8", errors="replace")[:4000]):
            raise ProsectorError(f"{folder} is not empty and holds no earlier Prosector export; "
                                 "name a new folder, e.g. --web site/")  # fmt: skip


def viewer_dist() -> Path:
    missing = [name for name in VIEWER_FILES + ("index.html",) if not (DIST / name).is_file()]
    if missing:
        raise ProsectorError(f"the web viewer is missing from this installation ({', '.join(missing)}); "
                             "rebuild it with tools/build_web.sh")  # fmt: skip
    return DIST


def _all_text(lesson: dict) -> str:
    out: list[str] = []

    def walk(value) -> None:
        if isinstance(value, str):
            out.append(value)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk({k: lesson[k] for k in ("title", "lesson_title", "names", "steps", "languages", "declared")})
    return "".join(out)


def write_site(folder: Path, glb: bytes, lesson: dict) -> list[str]:
    """Write the site into `folder` (created); returns notes for the report."""
    check_site_folder(folder)
    dist = viewer_dist()
    folder.mkdir(exist_ok=True)
    for name in VIEWER_FILES:
        shutil.copyfile(dist / name, folder / name)
    font_css, font_note = font_face_css(_all_text(lesson))
    languages = lesson["languages"]
    title = text_in(lesson.get("title") or lesson.get("lesson_title"), languages[0]) or "Prosector lesson"
    page = (dist / "index.html").read_text(encoding="utf-8")
    page = page.replace("{{TITLE}}", html.escape(title)).replace("{{LANG}}", html.escape(languages[0]))
    page = page.replace("{{FONT_STACK}}", FONT_STACK).replace("{{MARKER}}", SITE_MARKER)
    (folder / "index.html").write_text(page, encoding="utf-8")
    (folder / "fonts.css").write_text(font_css + "\n", encoding="utf-8")
    payload = json.dumps(lesson, ensure_ascii=False, separators=(",", ":"))
    encoded = base64.b64encode(glb).decode("ascii")
    script = f"window.PROSECTOR_LESSON = {payload};\nwindow.PROSECTOR_GLB = \"{encoded}\";\n"
    (folder / "scene.js").write_text(script, encoding="utf-8")
    return [font_note]
